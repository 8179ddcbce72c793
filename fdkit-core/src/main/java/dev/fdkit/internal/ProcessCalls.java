package dev.fdkit.internal;

import java.lang.foreign.Arena;
import java.lang.foreign.FunctionDescriptor;
import java.lang.foreign.MemoryLayout;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.StructLayout;
import java.lang.invoke.MethodHandle;
import java.lang.invoke.VarHandle;

import dev.fdkit.internal.RawSyscalls.Syscall;

import static java.lang.foreign.MemoryLayout.PathElement.groupElement;
import static java.lang.foreign.ValueLayout.ADDRESS;
import static java.lang.foreign.ValueLayout.JAVA_INT;
import static java.lang.foreign.ValueLayout.JAVA_LONG;

/**
 * Bindings for processes: pid, signals, waiting (waitid, pidfds), the descriptor-table limit, unsharing the table.
 * Each returns the result or -errno (see {@link Ffm}); handles are linked on first use.
 */
public final class ProcessCalls {
    private ProcessCalls() {}

    public static final int RLIMIT_NOFILE = 7;
    public static final int CLONE_FILES = 0x400;
    public static final int P_PID = 1, P_PIDFD = 3, WEXITED = 4, WNOHANG = 1, WNOWAIT = 0x01000000;
    public static final int CLD_EXITED = 1, CLD_KILLED = 2, CLD_DUMPED = 3;
    public static final int SIGKILL = 9, SIGTERM = 15;

    // The layouts and their field handles live in holder classes, made on first use like the downcall handles:
    // a field handle costs milliseconds to make at start-up, and most commands never read these structs.

    /** struct rlimit. */
    private static final class Rlimit {
        static final StructLayout LAYOUT =
                MemoryLayout.structLayout(JAVA_LONG.withName("rlim_cur"), JAVA_LONG.withName("rlim_max"));
        static final VarHandle CUR = LAYOUT.varHandle(groupElement("rlim_cur"));
        static final VarHandle MAX = LAYOUT.varHandle(groupElement("rlim_max"));
    }

    /**
     * siginfo_t of a 64-bit Linux as waitid(2) fills it for SIGCHLD: the union's child fields follow the three ints
     * and their alignment padding; the whole is 128 bytes.
     */
    private static final class Siginfo {
        static final StructLayout LAYOUT = MemoryLayout.structLayout(
                JAVA_INT.withName("si_signo"), JAVA_INT.withName("si_errno"), JAVA_INT.withName("si_code"),
                MemoryLayout.paddingLayout(4), JAVA_INT.withName("si_pid"), JAVA_INT.withName("si_uid"),
                JAVA_INT.withName("si_status"), MemoryLayout.paddingLayout(100));
        static final VarHandle CODE = LAYOUT.varHandle(groupElement("si_code"));
        static final VarHandle PID = LAYOUT.varHandle(groupElement("si_pid"));
        static final VarHandle STATUS = LAYOUT.varHandle(groupElement("si_status"));
        /** One siginfo_t per thread: reaping children is a hot path. */
        static final ThreadLocal<MemorySegment> BUFFER = ThreadLocal.withInitial(() -> Arena.ofAuto().allocate(LAYOUT));
    }

    private static final class Kill {
        static final MethodHandle HANDLE = Ffm.downcall("kill", FunctionDescriptor.of(JAVA_INT, JAVA_INT, JAVA_INT));
    }

    private static final class Waitid {
        static final MethodHandle HANDLE = Ffm.downcall("waitid",
                FunctionDescriptor.of(JAVA_INT, JAVA_INT, JAVA_INT, ADDRESS, JAVA_INT));
    }

    private static final class Unshare {
        static final MethodHandle HANDLE = Ffm.downcall("unshare", FunctionDescriptor.of(JAVA_INT, JAVA_INT));
    }

    private static final class Unsetenv {
        static final MethodHandle HANDLE = Ffm.downcall("unsetenv", FunctionDescriptor.of(JAVA_INT, ADDRESS));
    }

    private static final class Getrlimit {
        static final MethodHandle HANDLE =
                Ffm.downcall("getrlimit", FunctionDescriptor.of(JAVA_INT, JAVA_INT, ADDRESS));
    }

    /**
     * unsetenv(3): removes {@code name} from the C environment (what native code and children started from it see;
     * the JDK's own copy, System.getenv(), never changes). 0 or -errno.
     */
    public static int unsetenv(String name) {
        try (Arena arena = Arena.ofConfined()) {
            MemorySegment st = Ffm.state();
            return Ffm.result((int) Unsetenv.HANDLE.invokeExact(st, arena.allocateFrom(name)), st);
        } catch (Throwable t) {
            throw Ffm.unchecked(t);
        }
    }

    /** This process's id, as the JDK read it at start-up: no downcall to link on a CLI's short path. */
    public static int getpid() {
        return (int) ProcessHandle.current().pid();
    }

    public static int kill(int pid, int sig) {
        try {
            MemorySegment st = Ffm.state();
            return Ffm.result((int) Kill.HANDLE.invokeExact(st, pid, sig), st);
        } catch (Throwable t) {
            throw Ffm.unchecked(t);
        }
    }

    /** pidfd_open(2), through the raw syscall (glibc's wrapper is newer than some supported libcs). */
    public static int pidfdOpen(int pid, int flags) {
        return (int) RawSyscalls.call(Syscall.PIDFD_OPEN, pid, flags);
    }

    /** pidfd_send_signal(2) with no siginfo and no flags (all four arguments passed: flags must be 0). */
    public static int pidfdSendSignal(int pidfd, int sig) {
        return (int) RawSyscalls.call(Syscall.PIDFD_SEND_SIGNAL, pidfd, sig, 0, 0);
    }

    /**
     * waitid(2). On success returns 0 and fills {@code out} with {pid, si_code, si_status}; pid is 0 when WNOHANG
     * found nothing to report.
     */
    public static int waitid(int idtype, int id, int options, int[] out) {
        try {
            MemorySegment st = Ffm.state();
            MemorySegment info = Siginfo.BUFFER.get();
            Siginfo.PID.set(info, 0L, 0); // stays 0 when WNOHANG finds nothing
            int r = Ffm.result((int) Waitid.HANDLE.invokeExact(st, idtype, id, info, options), st);
            if (r == 0) {
                out[0] = (int) Siginfo.PID.get(info, 0L);
                out[1] = (int) Siginfo.CODE.get(info, 0L);
                out[2] = (int) Siginfo.STATUS.get(info, 0L);
            }
            return r;
        } catch (Throwable t) {
            throw Ffm.unchecked(t);
        }
    }

    public static int unshare(int flags) {
        try {
            MemorySegment st = Ffm.state();
            return Ffm.result((int) Unshare.HANDLE.invokeExact(st, flags), st);
        } catch (Throwable t) {
            throw Ffm.unchecked(t);
        }
    }

    /** {soft, hard} RLIMIT_NOFILE; RLIM_INFINITY comes back as -1. */
    public static long[] getrlimitNofile() {
        try (Arena arena = Arena.ofConfined()) {
            MemorySegment st = Ffm.state();
            MemorySegment buf = arena.allocate(Rlimit.LAYOUT);
            int r = Ffm.result((int) Getrlimit.HANDLE.invokeExact(st, RLIMIT_NOFILE, buf), st);
            if (r < 0) throw new IllegalStateException("getrlimit(RLIMIT_NOFILE) failed: " + Errno.describe(-r));
            return new long[] {(long) Rlimit.CUR.get(buf, 0L), (long) Rlimit.MAX.get(buf, 0L)};
        } catch (Throwable t) {
            throw Ffm.unchecked(t);
        }
    }
}
