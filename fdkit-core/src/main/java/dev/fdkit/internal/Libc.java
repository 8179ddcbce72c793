package dev.fdkit.internal;

import java.lang.foreign.Arena;
import java.lang.foreign.FunctionDescriptor;
import java.lang.foreign.Linker;
import java.lang.foreign.MemoryLayout;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.StructLayout;
import java.lang.foreign.SymbolLookup;
import java.lang.foreign.ValueLayout;
import java.lang.invoke.MethodHandle;
import java.lang.invoke.VarHandle;
import java.nio.charset.StandardCharsets;
import java.util.Optional;

import static java.lang.foreign.ValueLayout.ADDRESS;
import static java.lang.foreign.ValueLayout.JAVA_INT;
import static java.lang.foreign.ValueLayout.JAVA_LONG;
import static java.lang.foreign.ValueLayout.JAVA_SHORT;

/**
 * The libc binding: one method handle per function, each wrapped in a static method.
 *
 * <p>Convention: every wrapper returns the call's result, or {@code -errno} when the call failed, like a raw
 * system call. errno is captured by the linker right after the call, so nothing the JVM does in between can
 * clobber it. Only this package deals with {@link MemorySegment} layouts.
 */
public final class Libc {
    private Libc() {}

    private static final Linker LINKER = Linker.nativeLinker();
    private static final SymbolLookup LOOKUP = LINKER.defaultLookup();
    private static final StructLayout CAPTURE_LAYOUT = Linker.Option.captureStateLayout();
    private static final VarHandle ERRNO =
            CAPTURE_LAYOUT.varHandle(MemoryLayout.PathElement.groupElement("errno"));
    private static final Linker.Option CAPTURE = Linker.Option.captureCallState("errno");
    /** One capture buffer per thread: allocation-free calls in loops. */
    private static final ThreadLocal<MemorySegment> STATE =
            ThreadLocal.withInitial(() -> Arena.ofAuto().allocate(CAPTURE_LAYOUT));

    static {
        // Link the errno read now: its first use spins classes, loaded through the JVM's runtime-image
        // descriptor, and a close loop that has just closed that descriptor must not load anything.
        int unused = (int) ERRNO.get(STATE.get(), 0L);
    }

    // Constants of the Linux ABI (identical on x86_64 and aarch64 unless noted).
    public static final int O_RDONLY = 0, O_WRONLY = 1, O_RDWR = 2, O_ACCMODE = 3;
    public static final int O_CREAT = 0100, O_EXCL = 0200, O_TRUNC = 01000, O_APPEND = 02000, O_NONBLOCK = 04000;
    public static final int O_DIRECTORY = 0200000, O_NOFOLLOW = 0400000, O_CLOEXEC = 02000000, O_PATH = 010000000;
    public static final int F_DUPFD = 0, F_GETFD = 1, F_SETFD = 2, F_GETFL = 3, F_SETFL = 4, F_DUPFD_CLOEXEC = 1030;
    public static final int FD_CLOEXEC = 1;
    public static final int AT_FDCWD = -100, AT_EMPTY_PATH = 0x1000, AT_SYMLINK_NOFOLLOW = 0x100;
    public static final int SEEK_SET = 0, SEEK_CUR = 1;
    public static final int RLIMIT_NOFILE = 7;
    public static final int CLONE_FILES = 0x400;
    public static final int CLOSE_RANGE_UNSHARE = 1 << 1, CLOSE_RANGE_CLOEXEC = 1 << 2;
    public static final long PROC_SUPER_MAGIC = 0x9fa0;
    public static final short POLLIN = 0x1, POLLPRI = 0x2, POLLOUT = 0x4, POLLERR = 0x8, POLLHUP = 0x10, POLLNVAL = 0x20;
    public static final int AF_UNIX = 1, SOCK_STREAM = 1, SOCK_DGRAM = 2, SOCK_CLOEXEC = O_CLOEXEC;
    public static final int P_PID = 1, P_PIDFD = 3, WEXITED = 4, WNOHANG = 1, WNOWAIT = 0x01000000;
    public static final int CLD_EXITED = 1, CLD_KILLED = 2, CLD_DUMPED = 3;
    public static final int EPERM = 1, ENOENT = 2, ESRCH = 3, EINTR = 4, EBADF = 9, ECHILD = 10, EAGAIN = 11,
            ENOMEM = 12, EACCES = 13, EINVAL = 22, EMFILE = 24, ENOSYS = 38;
    /** close_range(2) and pidfd_open(2) share one number on every architecture (the generic syscall table). */
    public static final long SYS_CLOSE_RANGE = 436, SYS_PIDFD_OPEN = 434, SYS_PIDFD_SEND_SIGNAL = 424;

    private static MethodHandle handle(String name, FunctionDescriptor fd, Linker.Option... options) {
        return find(name, fd, options).orElseThrow(() -> new UnsatisfiedLinkError("libc has no " + name));
    }

    private static Optional<MethodHandle> find(String name, FunctionDescriptor fd, Linker.Option... options) {
        return LOOKUP.find(name).map(addr -> LINKER.downcallHandle(addr, fd, options));
    }

    private static MemorySegment state() {
        return STATE.get();
    }

    private static int check(int r, MemorySegment st) {
        return r == -1 ? -(int) ERRNO.get(st, 0L) : r;
    }

    private static long check(long r, MemorySegment st) {
        return r == -1 ? -(int) ERRNO.get(st, 0L) : r;
    }

    private static RuntimeException fatal(Throwable t) {
        if (t instanceof RuntimeException re) return re;
        if (t instanceof Error e) throw e;
        return new IllegalStateException(t);
    }

    // close(2)
    private static final MethodHandle CLOSE = handle("close", FunctionDescriptor.of(JAVA_INT, JAVA_INT), CAPTURE);
    // close_range(2): glibc >= 2.34 wrapper; absent on older libcs, where the raw syscall is used
    private static final Optional<MethodHandle> CLOSE_RANGE =
            find("close_range", FunctionDescriptor.of(JAVA_INT, JAVA_INT, JAVA_INT, JAVA_INT), CAPTURE);
    // syscall(2), with three long arguments
    private static final MethodHandle SYSCALL3 = handle("syscall",
            FunctionDescriptor.of(JAVA_LONG, JAVA_LONG, JAVA_LONG, JAVA_LONG, JAVA_LONG),
            CAPTURE, Linker.Option.firstVariadicArg(1));
    // open(2), with the mode argument always passed
    private static final MethodHandle OPEN = handle("open",
            FunctionDescriptor.of(JAVA_INT, ADDRESS, JAVA_INT, JAVA_INT), CAPTURE, Linker.Option.firstVariadicArg(2));
    // openat(2)
    private static final MethodHandle OPENAT = handle("openat",
            FunctionDescriptor.of(JAVA_INT, JAVA_INT, ADDRESS, JAVA_INT, JAVA_INT), CAPTURE,
            Linker.Option.firstVariadicArg(3));
    // fcntl(2), with one int argument
    private static final MethodHandle FCNTL = handle("fcntl",
            FunctionDescriptor.of(JAVA_INT, JAVA_INT, JAVA_INT, JAVA_INT), CAPTURE, Linker.Option.firstVariadicArg(2));
    // dup2(2)
    private static final MethodHandle DUP2 = handle("dup2", FunctionDescriptor.of(JAVA_INT, JAVA_INT, JAVA_INT), CAPTURE);
    // dup3(2)
    private static final MethodHandle DUP3 =
            handle("dup3", FunctionDescriptor.of(JAVA_INT, JAVA_INT, JAVA_INT, JAVA_INT), CAPTURE);
    // getdents64(2): glibc >= 2.30
    private static final MethodHandle GETDENTS64 =
            handle("getdents64", FunctionDescriptor.of(JAVA_LONG, JAVA_INT, ADDRESS, JAVA_LONG), CAPTURE);
    // lseek(2)
    private static final MethodHandle LSEEK =
            handle("lseek", FunctionDescriptor.of(JAVA_LONG, JAVA_INT, JAVA_LONG, JAVA_INT), CAPTURE);
    // fstatfs(2)
    private static final MethodHandle FSTATFS =
            handle("fstatfs", FunctionDescriptor.of(JAVA_INT, JAVA_INT, ADDRESS), CAPTURE);
    // getrlimit(2)
    private static final MethodHandle GETRLIMIT =
            handle("getrlimit", FunctionDescriptor.of(JAVA_INT, JAVA_INT, ADDRESS), CAPTURE);
    // poll(2)
    private static final MethodHandle POLL =
            handle("poll", FunctionDescriptor.of(JAVA_INT, ADDRESS, JAVA_LONG, JAVA_INT), CAPTURE);
    // read(2)
    private static final MethodHandle READ =
            handle("read", FunctionDescriptor.of(JAVA_LONG, JAVA_INT, ADDRESS, JAVA_LONG), CAPTURE);
    // write(2)
    private static final MethodHandle WRITE =
            handle("write", FunctionDescriptor.of(JAVA_LONG, JAVA_INT, ADDRESS, JAVA_LONG), CAPTURE);
    // pipe2(2)
    private static final MethodHandle PIPE2 =
            handle("pipe2", FunctionDescriptor.of(JAVA_INT, ADDRESS, JAVA_INT), CAPTURE);
    // socketpair(2)
    private static final MethodHandle SOCKETPAIR =
            handle("socketpair", FunctionDescriptor.of(JAVA_INT, JAVA_INT, JAVA_INT, JAVA_INT, ADDRESS), CAPTURE);
    // unshare(2)
    private static final MethodHandle UNSHARE = handle("unshare", FunctionDescriptor.of(JAVA_INT, JAVA_INT), CAPTURE);
    // getpid(2)
    private static final MethodHandle GETPID = handle("getpid", FunctionDescriptor.of(JAVA_INT));
    // kill(2)
    private static final MethodHandle KILL = handle("kill", FunctionDescriptor.of(JAVA_INT, JAVA_INT, JAVA_INT), CAPTURE);
    // waitid(2)
    private static final MethodHandle WAITID = handle("waitid",
            FunctionDescriptor.of(JAVA_INT, JAVA_INT, JAVA_INT, ADDRESS, JAVA_INT), CAPTURE);
    // readlinkat(2)
    private static final MethodHandle READLINKAT = handle("readlinkat",
            FunctionDescriptor.of(JAVA_LONG, JAVA_INT, ADDRESS, ADDRESS, JAVA_LONG), CAPTURE);
    // statx(2): glibc >= 2.28; struct statx has one layout on every architecture
    private static final MethodHandle STATX = handle("statx",
            FunctionDescriptor.of(JAVA_INT, JAVA_INT, ADDRESS, JAVA_INT, JAVA_INT, ADDRESS), CAPTURE);
    // strerrorname_np(3): glibc >= 2.32
    private static final Optional<MethodHandle> STRERRORNAME =
            find("strerrorname_np", FunctionDescriptor.of(ADDRESS, JAVA_INT));
    // strerrordesc_np(3): glibc >= 2.32
    private static final Optional<MethodHandle> STRERRORDESC =
            find("strerrordesc_np", FunctionDescriptor.of(ADDRESS, JAVA_INT));

    public static int close(int fd) {
        try {
            MemorySegment st = state();
            return check((int) CLOSE.invokeExact(st, fd), st);
        } catch (Throwable t) {
            throw fatal(t);
        }
    }

    /** close_range(2) through glibc when it has the wrapper, else the raw system call. */
    public static int closeRange(int first, int last, int flags) {
        try {
            MemorySegment st = state();
            if (CLOSE_RANGE.isPresent()) {
                return check((int) CLOSE_RANGE.get().invokeExact(st, first, last, flags), st);
            }
            return (int) check((long) SYSCALL3.invokeExact(st, SYS_CLOSE_RANGE,
                    Integer.toUnsignedLong(first), Integer.toUnsignedLong(last), (long) flags), st);
        } catch (Throwable t) {
            throw fatal(t);
        }
    }

    public static long syscall3(long number, long a, long b, long c) {
        try {
            MemorySegment st = state();
            return check((long) SYSCALL3.invokeExact(st, number, a, b, c), st);
        } catch (Throwable t) {
            throw fatal(t);
        }
    }

    public static int open(String path, int flags, int mode) {
        try (Arena arena = Arena.ofConfined()) {
            MemorySegment st = state();
            return check((int) OPEN.invokeExact(st, arena.allocateFrom(path), flags, mode), st);
        } catch (Throwable t) {
            throw fatal(t);
        }
    }

    public static int openat(int dirfd, String path, int flags, int mode) {
        try (Arena arena = Arena.ofConfined()) {
            MemorySegment st = state();
            return check((int) OPENAT.invokeExact(st, dirfd, arena.allocateFrom(path), flags, mode), st);
        } catch (Throwable t) {
            throw fatal(t);
        }
    }

    public static int fcntl(int fd, int cmd, int arg) {
        try {
            MemorySegment st = state();
            return check((int) FCNTL.invokeExact(st, fd, cmd, arg), st);
        } catch (Throwable t) {
            throw fatal(t);
        }
    }

    public static int dup2(int oldfd, int newfd) {
        try {
            MemorySegment st = state();
            return check((int) DUP2.invokeExact(st, oldfd, newfd), st);
        } catch (Throwable t) {
            throw fatal(t);
        }
    }

    public static int dup3(int oldfd, int newfd, int flags) {
        try {
            MemorySegment st = state();
            return check((int) DUP3.invokeExact(st, oldfd, newfd, flags), st);
        } catch (Throwable t) {
            throw fatal(t);
        }
    }

    /** getdents64(2) into {@code buf}; the records are read with {@link Dirents}. */
    public static long getdents64(int fd, MemorySegment buf) {
        try {
            MemorySegment st = state();
            return check((long) GETDENTS64.invokeExact(st, fd, buf, buf.byteSize()), st);
        } catch (Throwable t) {
            throw fatal(t);
        }
    }

    public static long lseek(int fd, long offset, int whence) {
        try {
            MemorySegment st = state();
            return check((long) LSEEK.invokeExact(st, fd, offset, whence), st);
        } catch (Throwable t) {
            throw fatal(t);
        }
    }

    /** The f_type of the filesystem {@code fd} is on, or -errno. */
    public static long fstatfsType(int fd) {
        try (Arena arena = Arena.ofConfined()) {
            MemorySegment st = state();
            MemorySegment buf = arena.allocate(256, 8); // struct statfs is 120 bytes; f_type is its first long
            int r = check((int) FSTATFS.invokeExact(st, fd, buf), st);
            return r < 0 ? r : buf.get(JAVA_LONG, 0);
        } catch (Throwable t) {
            throw fatal(t);
        }
    }

    /** {soft, hard} RLIMIT_NOFILE; RLIM_INFINITY comes back as -1. */
    public static long[] getrlimitNofile() {
        try (Arena arena = Arena.ofConfined()) {
            MemorySegment st = state();
            MemorySegment buf = arena.allocate(16, 8);
            int r = check((int) GETRLIMIT.invokeExact(st, RLIMIT_NOFILE, buf), st);
            if (r < 0) throw new IllegalStateException("getrlimit(RLIMIT_NOFILE) failed: " + Errno.describe(-r));
            return new long[] {buf.get(JAVA_LONG, 0), buf.get(JAVA_LONG, 8)};
        } catch (Throwable t) {
            throw fatal(t);
        }
    }

    /** struct pollfd: int fd, short events, short revents. */
    public static final StructLayout POLLFD = MemoryLayout.structLayout(
            JAVA_INT.withName("fd"), JAVA_SHORT.withName("events"), JAVA_SHORT.withName("revents"));

    public static int poll(MemorySegment fds, long nfds, int timeoutMillis) {
        try {
            MemorySegment st = state();
            return check((int) POLL.invokeExact(st, fds, nfds, timeoutMillis), st);
        } catch (Throwable t) {
            throw fatal(t);
        }
    }

    /** poll(2) on one descriptor; returns revents, 0 on timeout, or -errno. */
    public static int pollOne(int fd, short events, int timeoutMillis) {
        MemorySegment p = SCRATCH.get().asSlice(0, POLLFD.byteSize());
        p.set(JAVA_INT, 0, fd);
        p.set(JAVA_SHORT, 4, events);
        p.set(JAVA_SHORT, 6, (short) 0);
        int r = poll(p, 1, timeoutMillis);
        return r <= 0 ? r : p.get(JAVA_SHORT, 6) & 0xffff;
    }

    /** 128 bytes of per-thread scratch for calls that cannot nest (waitid's siginfo_t, pollOne's pollfd). */
    private static final ThreadLocal<MemorySegment> SCRATCH =
            ThreadLocal.withInitial(() -> Arena.ofAuto().allocate(128, 8));

    public static long read(int fd, MemorySegment buf, long count) {
        try {
            MemorySegment st = state();
            return check((long) READ.invokeExact(st, fd, buf, count), st);
        } catch (Throwable t) {
            throw fatal(t);
        }
    }

    public static long write(int fd, MemorySegment buf, long count) {
        try {
            MemorySegment st = state();
            return check((long) WRITE.invokeExact(st, fd, buf, count), st);
        } catch (Throwable t) {
            throw fatal(t);
        }
    }

    /** pipe2(2): {read end, write end}, or null with the errno in {@code errOut[0]}. */
    public static int[] pipe2(int flags, int[] errOut) {
        try (Arena arena = Arena.ofConfined()) {
            MemorySegment st = state();
            MemorySegment fds = arena.allocate(JAVA_INT, 2);
            int r = check((int) PIPE2.invokeExact(st, fds, flags), st);
            if (r < 0) {
                if (errOut != null) errOut[0] = -r;
                return null;
            }
            return new int[] {fds.getAtIndex(JAVA_INT, 0), fds.getAtIndex(JAVA_INT, 1)};
        } catch (Throwable t) {
            throw fatal(t);
        }
    }

    /** socketpair(2): two connected sockets, or null with the errno in {@code errOut[0]}. */
    public static int[] socketpair(int domain, int type, int protocol, int[] errOut) {
        try (Arena arena = Arena.ofConfined()) {
            MemorySegment st = state();
            MemorySegment fds = arena.allocate(JAVA_INT, 2);
            int r = check((int) SOCKETPAIR.invokeExact(st, domain, type, protocol, fds), st);
            if (r < 0) {
                if (errOut != null) errOut[0] = -r;
                return null;
            }
            return new int[] {fds.getAtIndex(JAVA_INT, 0), fds.getAtIndex(JAVA_INT, 1)};
        } catch (Throwable t) {
            throw fatal(t);
        }
    }

    public static int unshare(int flags) {
        try {
            MemorySegment st = state();
            return check((int) UNSHARE.invokeExact(st, flags), st);
        } catch (Throwable t) {
            throw fatal(t);
        }
    }

    public static int getpid() {
        try {
            return (int) GETPID.invokeExact();
        } catch (Throwable t) {
            throw fatal(t);
        }
    }

    public static int kill(int pid, int sig) {
        try {
            MemorySegment st = state();
            return check((int) KILL.invokeExact(st, pid, sig), st);
        } catch (Throwable t) {
            throw fatal(t);
        }
    }

    /** pidfd_open(2), through the raw syscall (glibc's wrapper is newer than some supported libcs). */
    public static int pidfdOpen(int pid, int flags) {
        return (int) syscall3(SYS_PIDFD_OPEN, pid, flags, 0);
    }

    /** pidfd_send_signal(2) with no siginfo and no flags (all four arguments passed: flags must be 0). */
    public static int pidfdSendSignal(int pidfd, int sig) {
        try {
            MemorySegment st = state();
            return (int) check((long) SYSCALL4.invokeExact(st, SYS_PIDFD_SEND_SIGNAL, (long) pidfd, (long) sig, 0L, 0L),
                    st);
        } catch (Throwable t) {
            throw fatal(t);
        }
    }

    /**
     * waitid(2). On success returns 0 and fills {@code out} with {pid, si_code, si_status}; pid is 0 when WNOHANG
     * found nothing to report.
     */
    public static int waitid(int idtype, int id, int options, int[] out) {
        try {
            MemorySegment st = state();
            MemorySegment info = SCRATCH.get(); // siginfo_t; reused per thread: child reaping is a hot path
            info.set(JAVA_INT, 16, 0); // si_pid stays 0 when WNOHANG finds nothing
            int r = check((int) WAITID.invokeExact(st, idtype, id, info, options), st);
            if (r == 0) {
                out[0] = info.get(JAVA_INT, 16); // si_pid
                out[1] = info.get(JAVA_INT, 8); // si_code
                out[2] = info.get(JAVA_INT, 24); // si_status
            }
            return r;
        } catch (Throwable t) {
            throw fatal(t);
        }
    }

    /** openat(2) with a path already in native memory (NUL-terminated). */
    public static int openat(int dirfd, MemorySegment path, int flags, int mode) {
        try {
            MemorySegment st = state();
            return check((int) OPENAT.invokeExact(st, dirfd, path, flags, mode), st);
        } catch (Throwable t) {
            throw fatal(t);
        }
    }

    /** readlinkat(2): the length read into {@code buf}, or -errno. */
    public static long readlinkat(int dirfd, MemorySegment path, MemorySegment buf) {
        try {
            MemorySegment st = state();
            return check((long) READLINKAT.invokeExact(st, dirfd, path, buf, buf.byteSize()), st);
        } catch (Throwable t) {
            throw fatal(t);
        }
    }

    public static final int STATX_TYPE = 0x1, STATX_MODE = 0x2, STATX_INO = 0x100, STATX_SIZE = 0x200;
    public static final int S_IFMT = 0170000, S_IFSOCK = 0140000, S_IFLNK = 0120000, S_IFREG = 0100000,
            S_IFBLK = 060000, S_IFDIR = 040000, S_IFCHR = 020000, S_IFIFO = 010000;
    /** Size of struct statx; offsets used: stx_mode u16 at 28, stx_ino u64 at 32, stx_size u64 at 40,
     * stx_rdev_major/minor u32 at 128/132. */
    public static final long STATX_SIZE_BYTES = 256;

    /** statx(2) into {@code buf} (at least {@link #STATX_SIZE_BYTES}); 0 or -errno. */
    public static int statx(int dirfd, MemorySegment path, int flags, int mask, MemorySegment buf) {
        try {
            MemorySegment st = state();
            return check((int) STATX.invokeExact(st, dirfd, path, flags, mask, buf), st);
        } catch (Throwable t) {
            throw fatal(t);
        }
    }

    // ---- Descriptor kinds: sockets, anon inodes, xattrs (used by the listing and by its tests) ----

    public static final int AF_INET = 2, AF_INET6 = 10, AF_NETLINK = 16, AF_PACKET = 17, SOCK_RAW = 3;
    public static final int IPPROTO_ICMP = 1, NETLINK_ROUTE = 0;
    /** ETH_P_ALL (0x0003) in network byte order, as socket(AF_PACKET, ..., protocol) wants it. */
    public static final int ETH_P_ALL_BE = 0x0300;
    public static final int CLOCK_MONOTONIC = 1, MFD_CLOEXEC = 1, FAN_CLOEXEC = 1, FAN_CLASS_NOTIF = 0;
    public static final int IN_CREATE = 0x100, EPOLLIN = 0x1, EPOLL_CTL_ADD = 1;
    /** statx: the mount id (5.8+); use cached attributes (FUSE and network filesystems are not asked). */
    public static final int STATX_MNT_ID = 0x1000, AT_STATX_DONT_SYNC = 0x4000;
    /** io_uring_setup(2) is 425 on every architecture (the generic table). */
    public static final long SYS_IO_URING_SETUP = 425;

    // epoll_create1(2)
    private static final MethodHandle EPOLL_CREATE1 =
            handle("epoll_create1", FunctionDescriptor.of(JAVA_INT, JAVA_INT), CAPTURE);
    // epoll_ctl(2)
    private static final MethodHandle EPOLL_CTL =
            handle("epoll_ctl", FunctionDescriptor.of(JAVA_INT, JAVA_INT, JAVA_INT, JAVA_INT, ADDRESS), CAPTURE);

    /** Handles linked on first use: listing and tests need them rarely, and each link costs JVM start-up time. */
    private static final class Lazy {
        // getxattr(2)
        static final MethodHandle GETXATTR = handle("getxattr",
                FunctionDescriptor.of(JAVA_LONG, ADDRESS, ADDRESS, ADDRESS, JAVA_LONG), CAPTURE);
        // socket(2)
        static final MethodHandle SOCKET =
                handle("socket", FunctionDescriptor.of(JAVA_INT, JAVA_INT, JAVA_INT, JAVA_INT), CAPTURE);
        // eventfd(2)
        static final MethodHandle EVENTFD =
                handle("eventfd", FunctionDescriptor.of(JAVA_INT, JAVA_INT, JAVA_INT), CAPTURE);
        // timerfd_create(2)
        static final MethodHandle TIMERFD_CREATE =
                handle("timerfd_create", FunctionDescriptor.of(JAVA_INT, JAVA_INT, JAVA_INT), CAPTURE);
        // inotify_init1(2)
        static final MethodHandle INOTIFY_INIT1 =
                handle("inotify_init1", FunctionDescriptor.of(JAVA_INT, JAVA_INT), CAPTURE);
        // inotify_add_watch(2)
        static final MethodHandle INOTIFY_ADD_WATCH =
                handle("inotify_add_watch", FunctionDescriptor.of(JAVA_INT, JAVA_INT, ADDRESS, JAVA_INT), CAPTURE);
        // memfd_create(2): glibc >= 2.27
        static final MethodHandle MEMFD_CREATE =
                handle("memfd_create", FunctionDescriptor.of(JAVA_INT, ADDRESS, JAVA_INT), CAPTURE);
        // signalfd(2)
        static final MethodHandle SIGNALFD =
                handle("signalfd", FunctionDescriptor.of(JAVA_INT, JAVA_INT, ADDRESS, JAVA_INT), CAPTURE);
        // fanotify_init(2)
        static final MethodHandle FANOTIFY_INIT =
                handle("fanotify_init", FunctionDescriptor.of(JAVA_INT, JAVA_INT, JAVA_INT), CAPTURE);
        // mkfifo(3)
        static final MethodHandle MKFIFO =
                handle("mkfifo", FunctionDescriptor.of(JAVA_INT, ADDRESS, JAVA_INT), CAPTURE);
    }

    /** getxattr(2) of a text attribute (e.g. "system.sockprotoname"), without its trailing NUL; null on error. */
    public static String getxattr(String path, String name) {
        try (Arena arena = Arena.ofConfined()) {
            MemorySegment st = state();
            MemorySegment buf = arena.allocate(256);
            long n = check((long) Lazy.GETXATTR.invokeExact(st, arena.allocateFrom(path), arena.allocateFrom(name), buf,
                    buf.byteSize()), st);
            if (n < 0) return null;
            while (n > 0 && buf.get(ValueLayout.JAVA_BYTE, n - 1) == 0) n--;
            return new String(buf.asSlice(0, n).toArray(ValueLayout.JAVA_BYTE), StandardCharsets.UTF_8);
        } catch (Throwable t) {
            throw fatal(t);
        }
    }

    public static int socket(int domain, int type, int protocol) {
        try {
            MemorySegment st = state();
            return check((int) Lazy.SOCKET.invokeExact(st, domain, type, protocol), st);
        } catch (Throwable t) {
            throw fatal(t);
        }
    }

    public static int eventfd(int initval, int flags) {
        try {
            MemorySegment st = state();
            return check((int) Lazy.EVENTFD.invokeExact(st, initval, flags), st);
        } catch (Throwable t) {
            throw fatal(t);
        }
    }

    public static int epollCreate1(int flags) {
        try {
            MemorySegment st = state();
            return check((int) EPOLL_CREATE1.invokeExact(st, flags), st);
        } catch (Throwable t) {
            throw fatal(t);
        }
    }

    public static int timerfdCreate(int clockid, int flags) {
        try {
            MemorySegment st = state();
            return check((int) Lazy.TIMERFD_CREATE.invokeExact(st, clockid, flags), st);
        } catch (Throwable t) {
            throw fatal(t);
        }
    }

    public static int inotifyInit1(int flags) {
        try {
            MemorySegment st = state();
            return check((int) Lazy.INOTIFY_INIT1.invokeExact(st, flags), st);
        } catch (Throwable t) {
            throw fatal(t);
        }
    }

    public static int inotifyAddWatch(int fd, String path, int mask) {
        try (Arena arena = Arena.ofConfined()) {
            MemorySegment st = state();
            return check((int) Lazy.INOTIFY_ADD_WATCH.invokeExact(st, fd, arena.allocateFrom(path), mask), st);
        } catch (Throwable t) {
            throw fatal(t);
        }
    }

    public static int memfdCreate(String name, int flags) {
        try (Arena arena = Arena.ofConfined()) {
            MemorySegment st = state();
            return check((int) Lazy.MEMFD_CREATE.invokeExact(st, arena.allocateFrom(name), flags), st);
        } catch (Throwable t) {
            throw fatal(t);
        }
    }

    /** signalfd(-1, empty mask, flags): a new signalfd that waits for no signal. */
    public static int signalfdEmpty(int flags) {
        try (Arena arena = Arena.ofConfined()) {
            MemorySegment st = state();
            MemorySegment mask = arena.allocate(128, 8); // glibc's sigset_t, zeroed
            return check((int) Lazy.SIGNALFD.invokeExact(st, -1, mask, flags), st);
        } catch (Throwable t) {
            throw fatal(t);
        }
    }

    public static int fanotifyInit(int flags, int eventFlags) {
        try {
            MemorySegment st = state();
            return check((int) Lazy.FANOTIFY_INIT.invokeExact(st, flags, eventFlags), st);
        } catch (Throwable t) {
            throw fatal(t);
        }
    }

    public static int mkfifo(String path, int mode) {
        try (Arena arena = Arena.ofConfined()) {
            MemorySegment st = state();
            return check((int) Lazy.MKFIFO.invokeExact(st, arena.allocateFrom(path), mode), st);
        } catch (Throwable t) {
            throw fatal(t);
        }
    }

    /** userfaultfd(2) through the raw syscall (no glibc wrapper); ENOSYS on architectures not listed. */
    public static int userfaultfd(int flags) {
        long nr = switch (System.getProperty("os.arch")) {
            case "amd64", "x86_64" -> 323;
            case "aarch64" -> 282;
            default -> -1;
        };
        return nr < 0 ? -ENOSYS : (int) syscall3(nr, flags, 0, 0);
    }

    /** io_uring_setup(2) with {@code entries} and default parameters: the ring's descriptor or -errno. */
    public static int ioUringSetup(int entries) {
        try (Arena arena = Arena.ofConfined()) {
            MemorySegment params = arena.allocate(120, 8); // struct io_uring_params, zeroed
            return (int) syscall3(SYS_IO_URING_SETUP, entries, params.address(), 0);
        }
    }

    // ---- Process spawning (fdkit-spawn): waiting on pidfds, pipe sizes, program checks ----

    public static final int EPOLL_CTL_DEL = 2, EPOLL_CLOEXEC = O_CLOEXEC;
    public static final int X_OK = 1, AT_EACCESS = 0x200;
    /** FIONREAD: bytes ready to read in a pipe or socket (0x541B on x86_64 and aarch64). */
    public static final long FIONREAD = 0x541B;
    public static final int SIGKILL = 9, SIGTERM = 15;
    /** struct epoll_event is packed (12 bytes, data at 4) on x86_64 only; elsewhere 16 bytes, data at 8. */
    private static final boolean EPOLL_PACKED =
            switch (System.getProperty("os.arch")) { case "amd64", "x86_64" -> true; default -> false; };
    private static final long EPOLL_EVENT_SIZE = EPOLL_PACKED ? 12 : 16, EPOLL_DATA_OFFSET = EPOLL_PACKED ? 4 : 8;
    private static final int EPOLL_MAX_EVENTS = 64;
    private static final ThreadLocal<MemorySegment> EPOLL_EVENTS = ThreadLocal.withInitial(
            () -> Arena.ofAuto().allocate(EPOLL_EVENT_SIZE * EPOLL_MAX_EVENTS, 8));

    // syscall(2), with four long arguments
    private static final MethodHandle SYSCALL4 = handle("syscall",
            FunctionDescriptor.of(JAVA_LONG, JAVA_LONG, JAVA_LONG, JAVA_LONG, JAVA_LONG, JAVA_LONG),
            CAPTURE, Linker.Option.firstVariadicArg(1));
    // epoll_wait(2)
    private static final MethodHandle EPOLL_WAIT = handle("epoll_wait",
            FunctionDescriptor.of(JAVA_INT, JAVA_INT, ADDRESS, JAVA_INT, JAVA_INT), CAPTURE);
    // ioctl(2), with one pointer argument
    private static final MethodHandle IOCTL_PTR = handle("ioctl",
            FunctionDescriptor.of(JAVA_INT, JAVA_INT, JAVA_LONG, ADDRESS), CAPTURE, Linker.Option.firstVariadicArg(2));
    // faccessat(2)
    private static final MethodHandle FACCESSAT = handle("faccessat",
            FunctionDescriptor.of(JAVA_INT, JAVA_INT, ADDRESS, JAVA_INT, JAVA_INT), CAPTURE);

    /** epoll_ctl(2) with {@code events} and a 64-bit user {@code data} (EPOLL_CTL_DEL ignores both). */
    public static int epollCtl(int epfd, int op, int fd, int events, long data) {
        try {
            MemorySegment st = state();
            MemorySegment ev = EPOLL_EVENTS.get(); // the first event slot serves as epoll_ctl's argument
            ev.set(JAVA_INT, 0, events);
            ev.set(ValueLayout.JAVA_LONG_UNALIGNED, EPOLL_DATA_OFFSET, data);
            return check((int) EPOLL_CTL.invokeExact(st, epfd, op, fd, ev), st);
        } catch (Throwable t) {
            throw fatal(t);
        }
    }

    /**
     * epoll_wait(2) for at most {@code min(dataOut.length, 64)} events: the number ready, each one's user data in
     * {@code dataOut[0..n)}, or -errno. Blocks up to {@code timeoutMillis} (-1: forever).
     */
    public static int epollWait(int epfd, long[] dataOut, int timeoutMillis) {
        try {
            MemorySegment st = state();
            MemorySegment events = EPOLL_EVENTS.get();
            int max = Math.min(dataOut.length, EPOLL_MAX_EVENTS);
            int n = check((int) EPOLL_WAIT.invokeExact(st, epfd, events, max, timeoutMillis), st);
            for (int i = 0; i < n; i++) {
                dataOut[i] = events.get(ValueLayout.JAVA_LONG_UNALIGNED, i * EPOLL_EVENT_SIZE + EPOLL_DATA_OFFSET);
            }
            return n;
        } catch (Throwable t) {
            throw fatal(t);
        }
    }

    /** ioctl(2) whose argument is an int the kernel fills in (FIONREAD): that int, or -errno. */
    public static int ioctlGetInt(int fd, long request) {
        try (Arena arena = Arena.ofConfined()) {
            MemorySegment st = state();
            MemorySegment value = arena.allocate(JAVA_INT);
            int r = check((int) IOCTL_PTR.invokeExact(st, fd, request, value), st);
            return r < 0 ? r : value.get(JAVA_INT, 0);
        } catch (Throwable t) {
            throw fatal(t);
        }
    }

    /** faccessat(2): 0 when {@code path} allows {@code mode} (X_OK...), else -errno. */
    public static int faccessat(int dirfd, String path, int mode, int flags) {
        try (Arena arena = Arena.ofConfined()) {
            MemorySegment st = state();
            return check((int) FACCESSAT.invokeExact(st, dirfd, arena.allocateFrom(path), mode, flags), st);
        } catch (Throwable t) {
            throw fatal(t);
        }
    }

    /** "EBADF" for 9; "errno 9" where the libc cannot name it. */
    static String errnoName(int errno) {
        return cString(STRERRORNAME, errno, "errno " + errno);
    }

    /** "Bad file descriptor" for 9. */
    static String errnoDescription(int errno) {
        return cString(STRERRORDESC, errno, "unknown error");
    }

    private static String cString(Optional<MethodHandle> fn, int errno, String fallback) {
        if (fn.isEmpty()) return fallback;
        try {
            MemorySegment p = (MemorySegment) fn.get().invokeExact(errno);
            if (p.equals(MemorySegment.NULL)) return fallback;
            return p.reinterpret(256).getString(0);
        } catch (Throwable t) {
            throw fatal(t);
        }
    }
}
