package dev.fdkit.internal;

import java.lang.foreign.FunctionDescriptor;
import java.lang.foreign.Linker;
import java.lang.foreign.MemorySegment;
import java.lang.invoke.MethodHandle;

import static java.lang.foreign.ValueLayout.JAVA_LONG;

/** syscall(2), for system calls some supported libcs do not wrap. */
public final class RawSyscalls {
    private RawSyscalls() {}

    // The generic syscall table: one number on x86_64 and aarch64.
    public static final long SYS_PIDFD_SEND_SIGNAL = 424, SYS_IO_URING_SETUP = 425, SYS_PIDFD_OPEN = 434,
            SYS_CLOSE_RANGE = 436;
    /** getdents64(2) predates the generic table: 217 on x86_64, 61 on aarch64; -1 elsewhere. */
    public static final long SYS_GETDENTS64 = switch (System.getProperty("os.arch")) {
        case "amd64", "x86_64" -> 217;
        case "aarch64" -> 61;
        default -> -1;
    };
    /** memfd_create(2): 319 on x86_64, 279 on aarch64; -1 elsewhere. */
    public static final long SYS_MEMFD_CREATE = switch (System.getProperty("os.arch")) {
        case "amd64", "x86_64" -> 319;
        case "aarch64" -> 279;
        default -> -1;
    };

    private static final class Syscall3 {
        static final MethodHandle HANDLE = Ffm.downcall("syscall",
                FunctionDescriptor.of(JAVA_LONG, JAVA_LONG, JAVA_LONG, JAVA_LONG, JAVA_LONG),
                Linker.Option.firstVariadicArg(1));
    }

    private static final class Syscall4 {
        static final MethodHandle HANDLE = Ffm.downcall("syscall",
                FunctionDescriptor.of(JAVA_LONG, JAVA_LONG, JAVA_LONG, JAVA_LONG, JAVA_LONG, JAVA_LONG),
                Linker.Option.firstVariadicArg(1));
    }

    /** System call {@code number} with three arguments: its result or -errno. */
    public static long call(long number, long a, long b, long c) {
        try {
            MemorySegment st = Ffm.state();
            return Ffm.result((long) Syscall3.HANDLE.invokeExact(st, number, a, b, c), st);
        } catch (Throwable t) {
            throw Ffm.unchecked(t);
        }
    }

    /** System call {@code number} with four arguments: its result or -errno. */
    public static long call(long number, long a, long b, long c, long d) {
        try {
            MemorySegment st = Ffm.state();
            return Ffm.result((long) Syscall4.HANDLE.invokeExact(st, number, a, b, c, d), st);
        } catch (Throwable t) {
            throw Ffm.unchecked(t);
        }
    }
}
