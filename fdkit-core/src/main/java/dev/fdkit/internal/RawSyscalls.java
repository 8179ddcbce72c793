package dev.fdkit.internal;

import java.lang.foreign.FunctionDescriptor;
import java.lang.foreign.MemorySegment;
import java.lang.invoke.MethodHandle;

import static java.lang.foreign.ValueLayout.JAVA_LONG;

/**
 * syscall(2): system calls by number, through one downcall handle of one shape (number and six arguments, all
 * {@code long}). The binding classes route their calls here when a call's start-up matters more than its
 * wrapper: the JDK spins a class for every distinct downcall shape on its first link (tens of milliseconds at
 * start-up each), while handles of one shape share it. Pointers are passed as addresses (see {@link #address});
 * the binding method that passes one keeps its segment reachable until the call returns.
 */
public final class RawSyscalls {
    private RawSyscalls() {}

    /**
     * The system calls fdkit makes by number, with their numbers on the supported architectures: x86_64 has a
     * table of its own (arch/x86/entry/syscalls/syscall_64.tbl), aarch64 the generic one (asm-generic/unistd.h),
     * which has no open, readlink or dup2: only their *at and dup3 forms. riscv64 and loongarch64 use the generic
     * table as well, so they get aarch64's numbers. ppc64le and s390x have tables of their own
     * (arch/powerpc/kernel/syscalls/syscall.tbl, arch/s390/kernel/syscalls/syscall.tbl, the 64-bit entries).
     */
    public enum Syscall {
        READ("read", 0, 63, 3, 3), WRITE("write", 1, 64, 4, 4), CLOSE("close", 3, 57, 6, 6),
        LSEEK("lseek", 8, 62, 19, 19), RT_SIGACTION("rt_sigaction", 13, 134, 173, 174),
        SOCKET("socket", 41, 198, 326, 359), FCNTL("fcntl", 72, 25, 55, 55),
        EVENTFD2("eventfd2", 290, 19, 314, 323),
        GETDENTS64("getdents64", 217, 61, 202, 220),
        OPENAT("openat", 257, 56, 286, 288), READLINKAT("readlinkat", 267, 78, 296, 298),
        MEMFD_CREATE("memfd_create", 319, 279, 360, 350), STATX("statx", 332, 291, 383, 379),
        PIDFD_SEND_SIGNAL("pidfd_send_signal", 424, 424, 424, 424),
        IO_URING_SETUP("io_uring_setup", 425, 425, 425, 425), PIDFD_OPEN("pidfd_open", 434, 434, 434, 434),
        CLOSE_RANGE("close_range", 436, 436, 436, 436);

        /** The C name, as in {@code __NR_name}. */
        public final String cName;
        final long x86_64, aarch64, ppc64le, s390x;
        /** The number on this machine's architecture; -1 on an unsupported one. */
        public final long number;

        Syscall(String cName, long x86_64, long aarch64, long ppc64le, long s390x) {
            this.cName = cName;
            this.x86_64 = x86_64;
            this.aarch64 = aarch64;
            this.ppc64le = ppc64le;
            this.s390x = s390x;
            // os.arch read here: an enum's constructor cannot use static fields, its own or (through a cycle) ours
            String arch = System.getProperty("os.arch");
            String table = switch (arch) {
                case "amd64", "x86_64" -> "x86_64";
                // riscv64 and loongarch64 number their calls by the generic table too, as aarch64 does
                case "aarch64", "riscv64", "loongarch64" -> "aarch64";
                case "ppc64le", "s390x" -> arch;
                default -> null;
            };
            this.number = table == null ? -1 : numberOn(table);
        }

        /** The number on {@code arch}: "x86_64", "aarch64", "ppc64le" or "s390x". */
        public long numberOn(String arch) {
            return switch (arch) {
                case "x86_64" -> x86_64;
                case "aarch64" -> aarch64;
                case "ppc64le" -> ppc64le;
                case "s390x" -> s390x;
                default -> throw new IllegalArgumentException("arch: not x86_64, aarch64, ppc64le or s390x: " + arch);
            };
        }
    }

    private static final class Syscall6 {
        // The one shape: unused trailing arguments are passed as 0, which the kernel ignores.
        // Linked as a fixed-argument function, although syscall(2) is variadic: with integer arguments only, every
        // Linux ABI the JDK links for passes them alike either way, except that x86_64's variadic form also sets
        // %al (vector registers used), which glibc's syscall (assembly: the number into %rax, then the arguments
        // shifted) never reads and a compiled va_start (musl's) only tests for zero, to skip saving the vector
        // registers into its own frame. The variadic form binds that %al as one more argument, which spins four
        // method-handle species and their lambda forms: about a third of the link a command's first call waits for.
        static final MethodHandle HANDLE = Ffm.downcall("syscall",
                FunctionDescriptor.of(JAVA_LONG, JAVA_LONG, JAVA_LONG, JAVA_LONG, JAVA_LONG, JAVA_LONG, JAVA_LONG,
                        JAVA_LONG));
    }

    private static boolean linkingAhead;

    /**
     * Links the one handle now on a daemon thread, for a caller that will make system calls soon and has other
     * start-up work to do first (the CLI parsing its command line): the linking, the largest part of a short
     * command's own start-up, then overlaps that work instead of following it. A call made before the linking has
     * ended waits for it (class initialization). Nothing is started where this JVM denies native access: the
     * first call reports that.
     */
    public static void linkAhead() {
        if (linkingAhead || !RawSyscalls.class.getModule().isNativeAccessEnabled()) return;
        linkingAhead = true;
        // One call that fails harmlessly (close(-1): EBADF) links the handle, and also the call site that invokes
        // it, the per-thread errno buffer and the errno read, which the first real call would otherwise set up.
        Thread linker = new Thread(() -> call(Syscall.CLOSE, -1), "fdkit-link-ahead");
        linker.setDaemon(true);
        linker.start();
    }

    /**
     * The address of native segment {@code s}, to pass as a pointer argument. Fails as a downcall's pointer
     * argument would: a heap segment is an IllegalArgumentException, one whose arena is closed an
     * IllegalStateException.
     */
    public static long address(MemorySegment s) {
        if (!s.isNative()) throw new IllegalArgumentException("not a native segment: " + s);
        if (!s.scope().isAlive()) throw new IllegalStateException("Already closed: " + s);
        return s.address();
    }

    /** System call {@code sc} with up to six arguments: its result, or -errno; -ENOSYS on an unknown architecture. */
    public static long call(Syscall sc, long a, long b, long c, long d, long e, long f) {
        return call(sc.number, a, b, c, d, e, f);
    }

    public static long call(Syscall sc, long a, long b, long c, long d, long e) {
        return call(sc.number, a, b, c, d, e, 0);
    }

    public static long call(Syscall sc, long a, long b, long c, long d) {
        return call(sc.number, a, b, c, d, 0, 0);
    }

    public static long call(Syscall sc, long a, long b, long c) {
        return call(sc.number, a, b, c, 0, 0, 0);
    }

    public static long call(Syscall sc, long a, long b) {
        return call(sc.number, a, b, 0, 0, 0, 0);
    }

    public static long call(Syscall sc, long a) {
        return call(sc.number, a, 0, 0, 0, 0, 0);
    }

    /** System call {@code number} with six arguments: its result or -errno; -ENOSYS for number -1. */
    public static long call(long number, long a, long b, long c, long d, long e, long f) {
        if (number < 0) return -Errno.ENOSYS;
        try {
            MemorySegment st = Ffm.state();
            return Ffm.result((long) Syscall6.HANDLE.invokeExact(st, number, a, b, c, d, e, f), st);
        } catch (Throwable t) {
            throw Ffm.unchecked(t);
        }
    }
}
