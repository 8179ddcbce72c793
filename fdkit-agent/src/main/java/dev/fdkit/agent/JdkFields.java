package dev.fdkit.agent;

import java.io.FileDescriptor;
import java.lang.invoke.MethodHandles;
import java.lang.invoke.VarHandle;

/**
 * The two private JDK fields the agent reads: a FileDescriptor's number and the descriptor a startPipeline stage
 * hands to the next. java.base opens java.io and java.lang to the agent's module before this class is used.
 */
final class JdkFields {
    private JdkFields() {}

    private static final VarHandle FD;
    private static final VarHandle PIPE_FD;
    /** ProcessBuilder.RedirectPipeImpl: a startPipeline stage's link to its neighbour. */
    static final Class<?> REDIRECT_PIPE;

    static {
        try {
            MethodHandles.Lookup mine = MethodHandles.lookup();
            FD = MethodHandles.privateLookupIn(FileDescriptor.class, mine).findVarHandle(FileDescriptor.class, "fd", int.class);
            REDIRECT_PIPE = Class.forName("java.lang.ProcessBuilder$RedirectPipeImpl");
            PIPE_FD = MethodHandles.privateLookupIn(REDIRECT_PIPE, mine).findVarHandle(REDIRECT_PIPE, "fd",
                    FileDescriptor.class);
        } catch (ReflectiveOperationException e) {
            throw new ExceptionInInitializerError(e);
        }
    }

    static int fd(FileDescriptor fd) {
        return (int) FD.get(fd);
    }

    static void setFd(FileDescriptor fd, int value) {
        FD.set(fd, value);
    }

    /** The FileDescriptor a RedirectPipeImpl carries. */
    static FileDescriptor pipeFd(ProcessBuilder.Redirect pipe) {
        return (FileDescriptor) PIPE_FD.get(pipe);
    }
}
