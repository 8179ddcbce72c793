package dev.fdkit;

import dev.fdkit.internal.Errno;
import dev.fdkit.internal.Ffm;
import dev.fdkit.internal.RawSyscalls;

import java.lang.foreign.Arena;
import java.lang.foreign.FunctionDescriptor;
import java.lang.foreign.MemorySegment;
import java.lang.invoke.MethodHandle;

import static java.lang.foreign.ValueLayout.ADDRESS;
import static java.lang.foreign.ValueLayout.JAVA_INT;

/**
 * Bindings only the tests need: they create a descriptor of each kind the listing must recognize. Each returns the
 * descriptor or -errno, as the library's bindings do.
 */
final class KindBindings {
    private KindBindings() {}

    static final int AF_INET = 2, AF_INET6 = 10, AF_NETLINK = 16, AF_PACKET = 17, SOCK_RAW = 3;
    static final int IPPROTO_ICMP = 1, NETLINK_ROUTE = 0;
    /** ETH_P_ALL (0x0003) in network byte order, as socket(AF_PACKET, ..., protocol) wants it. */
    static final int ETH_P_ALL_BE = 0x0300;
    static final int CLOCK_MONOTONIC = 1, MFD_CLOEXEC = 1, FAN_CLOEXEC = 1, FAN_CLASS_NOTIF = 0, IN_CREATE = 0x100;
    /** glibc's sigset_t: 1024 bits. */
    private static final long SIGSET_BYTES = 128;
    /** struct io_uring_params, all zero for the defaults. */
    private static final long IO_URING_PARAMS_BYTES = 120;

    private static final class Handles {
        static final MethodHandle SOCKET =
                Ffm.downcall("socket", FunctionDescriptor.of(JAVA_INT, JAVA_INT, JAVA_INT, JAVA_INT));
        static final MethodHandle EVENTFD = Ffm.downcall("eventfd", FunctionDescriptor.of(JAVA_INT, JAVA_INT, JAVA_INT));
        static final MethodHandle TIMERFD_CREATE =
                Ffm.downcall("timerfd_create", FunctionDescriptor.of(JAVA_INT, JAVA_INT, JAVA_INT));
        static final MethodHandle INOTIFY_INIT1 = Ffm.downcall("inotify_init1", FunctionDescriptor.of(JAVA_INT, JAVA_INT));
        static final MethodHandle INOTIFY_ADD_WATCH =
                Ffm.downcall("inotify_add_watch", FunctionDescriptor.of(JAVA_INT, JAVA_INT, ADDRESS, JAVA_INT));
        static final MethodHandle MEMFD_CREATE =
                Ffm.downcall("memfd_create", FunctionDescriptor.of(JAVA_INT, ADDRESS, JAVA_INT));
        static final MethodHandle SIGNALFD =
                Ffm.downcall("signalfd", FunctionDescriptor.of(JAVA_INT, JAVA_INT, ADDRESS, JAVA_INT));
        static final MethodHandle FANOTIFY_INIT =
                Ffm.downcall("fanotify_init", FunctionDescriptor.of(JAVA_INT, JAVA_INT, JAVA_INT));
        static final MethodHandle MKFIFO = Ffm.downcall("mkfifo", FunctionDescriptor.of(JAVA_INT, ADDRESS, JAVA_INT));
        static final MethodHandle TIMERFD_SETTIME = Ffm.downcall("timerfd_settime",
                FunctionDescriptor.of(JAVA_INT, JAVA_INT, JAVA_INT, ADDRESS, ADDRESS));
        static final MethodHandle BIND =
                Ffm.downcall("bind", FunctionDescriptor.of(JAVA_INT, JAVA_INT, ADDRESS, JAVA_INT));
        static final MethodHandle FLOCK = Ffm.downcall("flock", FunctionDescriptor.of(JAVA_INT, JAVA_INT, JAVA_INT));
        static final MethodHandle FCNTL_PTR = Ffm.downcall("fcntl",
                FunctionDescriptor.of(JAVA_INT, JAVA_INT, JAVA_INT, ADDRESS), java.lang.foreign.Linker.Option.firstVariadicArg(2));
    }

    static int socket(int domain, int type, int protocol) {
        try {
            MemorySegment st = Ffm.state();
            return Ffm.result((int) Handles.SOCKET.invokeExact(st, domain, type, protocol), st);
        } catch (Throwable t) {
            throw Ffm.unchecked(t);
        }
    }

    /**
     * bind(2) of a unix socket to {@code sunPath}, the sun_path bytes exactly (a leading NUL for the abstract
     * namespace, which java.net cannot bind); 0 or -errno.
     */
    static int bindUnix(int fd, byte[] sunPath) {
        try (Arena arena = Arena.ofConfined()) {
            MemorySegment addr = arena.allocate(2 + sunPath.length, 2);
            addr.set(java.lang.foreign.ValueLayout.JAVA_SHORT, 0, (short) 1); // AF_UNIX
            MemorySegment.copy(sunPath, 0, addr, java.lang.foreign.ValueLayout.JAVA_BYTE, 2, sunPath.length);
            MemorySegment st = Ffm.state();
            return Ffm.result((int) Handles.BIND.invokeExact(st, fd, addr, (int) addr.byteSize()), st);
        } catch (Throwable t) {
            throw Ffm.unchecked(t);
        }
    }

    static int eventfd(int initval, int flags) {
        try {
            MemorySegment st = Ffm.state();
            return Ffm.result((int) Handles.EVENTFD.invokeExact(st, initval, flags), st);
        } catch (Throwable t) {
            throw Ffm.unchecked(t);
        }
    }

    static int timerfdCreate(int clockid, int flags) {
        try {
            MemorySegment st = Ffm.state();
            return Ffm.result((int) Handles.TIMERFD_CREATE.invokeExact(st, clockid, flags), st);
        } catch (Throwable t) {
            throw Ffm.unchecked(t);
        }
    }

    static int inotifyInit1(int flags) {
        try {
            MemorySegment st = Ffm.state();
            return Ffm.result((int) Handles.INOTIFY_INIT1.invokeExact(st, flags), st);
        } catch (Throwable t) {
            throw Ffm.unchecked(t);
        }
    }

    static int inotifyAddWatch(int fd, String path, int mask) {
        try (Arena arena = Arena.ofConfined()) {
            MemorySegment st = Ffm.state();
            return Ffm.result((int) Handles.INOTIFY_ADD_WATCH.invokeExact(st, fd, arena.allocateFrom(path), mask), st);
        } catch (Throwable t) {
            throw Ffm.unchecked(t);
        }
    }

    static int memfdCreate(String name, int flags) {
        try (Arena arena = Arena.ofConfined()) {
            MemorySegment st = Ffm.state();
            return Ffm.result((int) Handles.MEMFD_CREATE.invokeExact(st, arena.allocateFrom(name), flags), st);
        } catch (Throwable t) {
            throw Ffm.unchecked(t);
        }
    }

    /** signalfd(-1, empty mask, flags): a new signalfd that waits for no signal. */
    static int signalfdEmpty(int flags) {
        try (Arena arena = Arena.ofConfined()) {
            MemorySegment st = Ffm.state();
            MemorySegment mask = arena.allocate(SIGSET_BYTES, 8);
            return Ffm.result((int) Handles.SIGNALFD.invokeExact(st, -1, mask, flags), st);
        } catch (Throwable t) {
            throw Ffm.unchecked(t);
        }
    }

    /** signalfd(-1, {signal}, flags): a signalfd for one signal (which the caller should block or ignore). */
    static int signalfdFor(int signal, int flags) {
        try (Arena arena = Arena.ofConfined()) {
            MemorySegment st = Ffm.state();
            MemorySegment mask = arena.allocate(SIGSET_BYTES, 8);
            mask.set(java.lang.foreign.ValueLayout.JAVA_LONG, 0, 1L << (signal - 1));
            return Ffm.result((int) Handles.SIGNALFD.invokeExact(st, -1, mask, flags), st);
        } catch (Throwable t) {
            throw Ffm.unchecked(t);
        }
    }

    /** timerfd_settime(fd, 0, {interval, value}): arms a relative timer; 0 or -errno. */
    static int timerfdSettime(int fd, long intervalSec, long intervalNsec, long valueSec, long valueNsec) {
        try (Arena arena = Arena.ofConfined()) {
            MemorySegment st = Ffm.state();
            MemorySegment spec = arena.allocate(32, 8); // struct itimerspec: interval, then value
            spec.set(java.lang.foreign.ValueLayout.JAVA_LONG, 0, intervalSec);
            spec.set(java.lang.foreign.ValueLayout.JAVA_LONG, 8, intervalNsec);
            spec.set(java.lang.foreign.ValueLayout.JAVA_LONG, 16, valueSec);
            spec.set(java.lang.foreign.ValueLayout.JAVA_LONG, 24, valueNsec);
            return Ffm.result((int) Handles.TIMERFD_SETTIME.invokeExact(st, fd, 0, spec, MemorySegment.NULL), st);
        } catch (Throwable t) {
            throw Ffm.unchecked(t);
        }
    }

    static final int LOCK_EX = 2, F_OFD_SETLK = 37, F_RDLCK = 0, F_WRLCK = 1;

    static int flock(int fd, int op) {
        try {
            MemorySegment st = Ffm.state();
            return Ffm.result((int) Handles.FLOCK.invokeExact(st, fd, op), st);
        } catch (Throwable t) {
            throw Ffm.unchecked(t);
        }
    }

    /** An open-file-description lock of {@code type} on bytes [start, start+len) (len 0: to the end); 0 or -errno. */
    static int ofdLock(int fd, int type, long start, long len) {
        try (Arena arena = Arena.ofConfined()) {
            MemorySegment st = Ffm.state();
            MemorySegment lock = arena.allocate(32, 8); // struct flock: short type, short whence, start, len, pid
            lock.set(java.lang.foreign.ValueLayout.JAVA_SHORT, 0, (short) type);
            lock.set(java.lang.foreign.ValueLayout.JAVA_LONG, 8, start);
            lock.set(java.lang.foreign.ValueLayout.JAVA_LONG, 16, len);
            return Ffm.result((int) Handles.FCNTL_PTR.invokeExact(st, fd, F_OFD_SETLK, lock), st);
        } catch (Throwable t) {
            throw Ffm.unchecked(t);
        }
    }

    static int fanotifyInit(int flags, int eventFlags) {
        try {
            MemorySegment st = Ffm.state();
            return Ffm.result((int) Handles.FANOTIFY_INIT.invokeExact(st, flags, eventFlags), st);
        } catch (Throwable t) {
            throw Ffm.unchecked(t);
        }
    }

    static int mkfifo(String path, int mode) {
        try (Arena arena = Arena.ofConfined()) {
            MemorySegment st = Ffm.state();
            return Ffm.result((int) Handles.MKFIFO.invokeExact(st, arena.allocateFrom(path), mode), st);
        } catch (Throwable t) {
            throw Ffm.unchecked(t);
        }
    }

    /** userfaultfd(2) through the raw syscall (no glibc wrapper); ENOSYS on architectures not listed. */
    static int userfaultfd(int flags) {
        long nr = switch (System.getProperty("os.arch")) {
            case "amd64", "x86_64" -> 323;
            case "aarch64" -> 282;
            default -> -1;
        };
        return nr < 0 ? -Errno.ENOSYS : (int) RawSyscalls.call(nr, flags, 0, 0, 0, 0, 0);
    }

    /** io_uring_setup(2) with {@code entries} and default parameters: the ring's descriptor or -errno. */
    static int ioUringSetup(int entries) {
        try (Arena arena = Arena.ofConfined()) {
            MemorySegment params = arena.allocate(IO_URING_PARAMS_BYTES, 8);
            return (int) RawSyscalls.call(RawSyscalls.Syscall.IO_URING_SETUP, entries, params.address(), 0);
        }
    }
}
