package dev.fdkit.agent.bridge;

import java.io.FileDescriptor;
import java.io.IOException;
import java.lang.invoke.MethodHandle;
import java.util.Map;

/**
 * The only code the agent adds to java.base: the agent defines this class again as {@code java.lang.FdkitBridge}
 * (same package as ProcessImpl, so the JDK's classes call it without new module edges) and the rewritten JDK
 * methods call its static methods. Each forwards to a handle the agent set, or does nothing until then.
 *
 * <p>It may use nothing but java.base: the boot loader cannot see the agent's own classes.
 */
public final class FdkitBridge {
    private FdkitBridge() {}

    /** (String[] cmd, Map env, String dir, Redirect[] redirects, boolean redirectErrorStream) Process, or null. */
    private static volatile MethodHandle spawn;
    /** (int fd, String api, Throwable stack) void */
    private static volatile MethodHandle opened;
    /** (FileDescriptor fd, String api, Throwable stack) void */
    private static volatile MethodHandle openedFd;
    /** (int fd) void */
    private static volatile MethodHandle closing;
    /** (FileDescriptor fd) void */
    private static volatile MethodHandle closingFd;

    /**
     * A Process started by fdkit, or null: then ProcessImpl.start carries on as the JDK's.
     *
     * @param cmd the program and its arguments
     * @param env the environment, or null for the JVM's
     * @param dir the working directory, or null
     * @param redirects stdin, stdout, stderr
     * @param redirectErrorStream whether stderr goes where stdout goes
     * @return the started process, or null
     * @throws IOException if fdkit started it and the start failed
     */
    public static Process start(String[] cmd, Map<String, String> env, String dir, ProcessBuilder.Redirect[] redirects,
                                boolean redirectErrorStream) throws IOException {
        MethodHandle h = spawn;
        if (h == null) return null;
        try {
            return (Process) h.invokeExact(cmd, env, dir, redirects, redirectErrorStream);
        } catch (IOException | RuntimeException | Error e) {
            throw e;
        } catch (Throwable t) {
            throw new IOException(t);
        }
    }

    /**
     * Records {@code fd} as just opened; returns it, so a rewritten call site keeps its stack. The opening stack is
     * captured here, so that it starts at this frame: the handle's own frames below would only add to the walk.
     *
     * @param fd the descriptor
     * @param api the JDK call that opened it
     * @return {@code fd}
     */
    public static int opened(int fd, String api) {
        MethodHandle h = opened;
        if (h != null && fd >= 0) {
            try {
                h.invokeExact(fd, api, new Throwable());
            } catch (Throwable ignored) {
                // recording never fails an open; the recorder counts its own errors
            }
        }
        return fd;
    }

    /**
     * Records the descriptor {@code fd} holds as just opened; returns it.
     *
     * @param fd the descriptor, or null
     * @param api the JDK call that opened it
     * @return {@code fd}
     */
    public static FileDescriptor openedFd(FileDescriptor fd, String api) {
        MethodHandle h = openedFd;
        if (h != null && fd != null) {
            try {
                h.invokeExact(fd, api, new Throwable());
            } catch (Throwable ignored) {
                // as above
            }
        }
        return fd;
    }

    /**
     * IOUtil.makePipe's result: the read end in the high 32 bits, the write end in the low.
     *
     * @param fds both ends
     * @param api the JDK call that opened them
     * @return {@code fds}
     */
    public static long openedPair(long fds, String api) {
        opened((int) (fds >>> 32), api);
        opened((int) fds, api);
        return fds;
    }

    /**
     * Net.accept's result: {@code newfd} holds the accepted socket when {@code n > 0}.
     *
     * @param n what Net.accept returned
     * @param newfd the accepted socket's descriptor
     * @param api the JDK call
     * @return {@code n}
     */
    public static int accepted(int n, FileDescriptor newfd, String api) {
        if (n > 0) openedFd(newfd, api);
        return n;
    }

    /**
     * Called before the JDK closes {@code fd}: while it is still open its number cannot be taken by another
     * open.
     *
     * @param fd the descriptor
     * @return {@code fd}
     */
    public static int closing(int fd) {
        MethodHandle h = closing;
        if (h != null && fd >= 0) {
            try {
                h.invokeExact(fd);
            } catch (Throwable ignored) {
                // as above
            }
        }
        return fd;
    }

    /**
     * Called before the JDK closes the descriptor {@code fd} holds; returns it.
     *
     * @param fd the descriptor, or null
     * @return {@code fd}
     */
    public static FileDescriptor closingFd(FileDescriptor fd) {
        MethodHandle h = closingFd;
        if (h != null && fd != null) {
            try {
                h.invokeExact(fd);
            } catch (Throwable ignored) {
                // as above
            }
        }
        return fd;
    }
}
