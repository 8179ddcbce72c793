package dev.fdkit.internal;

import java.lang.foreign.Arena;
import java.lang.foreign.FunctionDescriptor;
import java.lang.foreign.Linker;
import java.lang.foreign.MemoryLayout;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.StructLayout;
import java.lang.invoke.MethodHandle;
import java.lang.invoke.VarHandle;
import java.lang.ref.Reference;
import java.util.Optional;

import dev.fdkit.internal.RawSyscalls.Syscall;

import static java.lang.foreign.MemoryLayout.PathElement.groupElement;
import static java.lang.foreign.ValueLayout.ADDRESS;
import static java.lang.foreign.ValueLayout.JAVA_INT;
import static java.lang.foreign.ValueLayout.JAVA_LONG;
import static java.lang.foreign.ValueLayout.JAVA_SHORT;

/**
 * Bindings for descriptors themselves: open, close, close_range, fcntl, dup, read, write, pipes, poll, ioctl.
 * Each returns the result or -errno (see {@link Ffm}); handles are linked on first use.
 */
public final class FdCalls {
    private FdCalls() {}

    // Constants of the Linux ABI (identical on x86_64 and aarch64).
    public static final int O_RDONLY = 0, O_WRONLY = 1, O_RDWR = 2, O_ACCMODE = 3;
    public static final int O_CREAT = 0100, O_EXCL = 0200, O_TRUNC = 01000, O_APPEND = 02000, O_NONBLOCK = 04000;
    public static final int O_DIRECTORY = 0200000, O_NOFOLLOW = 0400000, O_CLOEXEC = 02000000, O_PATH = 010000000;
    public static final int F_DUPFD = 0, F_GETFD = 1, F_SETFD = 2, F_GETFL = 3, F_SETFL = 4, F_DUPFD_CLOEXEC = 1030;
    public static final int FD_CLOEXEC = 1;
    public static final int SEEK_SET = 0, SEEK_CUR = 1;
    public static final int CLOSE_RANGE_UNSHARE = 1 << 1, CLOSE_RANGE_CLOEXEC = 1 << 2;
    public static final short POLLIN = 0x1, POLLPRI = 0x2, POLLOUT = 0x4, POLLERR = 0x8, POLLHUP = 0x10, POLLNVAL = 0x20;
    /** FIONREAD: bytes ready to read in a pipe or socket. */
    public static final long FIONREAD = 0x541B;

    /** struct pollfd. */
    public static final StructLayout POLLFD = MemoryLayout.structLayout(
            JAVA_INT.withName("fd"), JAVA_SHORT.withName("events"), JAVA_SHORT.withName("revents"));
    /** A pollfd array read as shorts: shorts per entry, and the index of revents within an entry. */
    public static final int POLLFD_SHORTS = (int) (POLLFD.byteSize() / JAVA_SHORT.byteSize()),
            POLLFD_REVENTS_SHORT = (int) (POLLFD.byteOffset(groupElement("revents")) / JAVA_SHORT.byteSize());

    /** pollfd's field handles, made on first use: each costs milliseconds at start-up, and few commands poll. */
    private static final class PollfdFields {
        static final VarHandle FD = POLLFD.arrayElementVarHandle(groupElement("fd"));
        static final VarHandle EVENTS = POLLFD.arrayElementVarHandle(groupElement("events"));
        static final VarHandle REVENTS = POLLFD.arrayElementVarHandle(groupElement("revents"));
    }

    /**
     * close_range a second time, beside {@link #closeRange} (by number through the shared shape), for the success
     * path of {@link Closer}: glibc's wrapper linked without errno capture, so that a close that succeeds is the
     * bare downcall CloseFloorBenchmark measures as fdkit's floor, with no capture buffer to look up per thread and
     * fill. A failure, which has changed nothing, is made again through {@link #closeRange} for its errno.
     */
    private static final class CloseRangeWithoutErrno {
        static final Optional<MethodHandle> HANDLE = Ffm.optionalPlainDowncall("close_range",
                FunctionDescriptor.of(JAVA_INT, JAVA_INT, JAVA_INT, JAVA_INT));
    }

    private static final class Dup2 {
        static final MethodHandle HANDLE = Ffm.downcall("dup2", FunctionDescriptor.of(JAVA_INT, JAVA_INT, JAVA_INT));
    }

    private static final class Dup3 {
        static final MethodHandle HANDLE =
                Ffm.downcall("dup3", FunctionDescriptor.of(JAVA_INT, JAVA_INT, JAVA_INT, JAVA_INT));
    }

    private static final class Pipe2 {
        static final MethodHandle HANDLE = Ffm.downcall("pipe2", FunctionDescriptor.of(JAVA_INT, ADDRESS, JAVA_INT));
    }

    private static final class Poll {
        static final MethodHandle HANDLE =
                Ffm.downcall("poll", FunctionDescriptor.of(JAVA_INT, ADDRESS, JAVA_LONG, JAVA_INT));
    }

    private static final class IoctlPointer {
        // with one pointer argument
        static final MethodHandle HANDLE = Ffm.downcall("ioctl",
                FunctionDescriptor.of(JAVA_INT, JAVA_INT, JAVA_LONG, ADDRESS), Linker.Option.firstVariadicArg(2));
    }

    /** One pollfd per thread for {@link #pollOne}: waiting on a child's exit is a hot path. */
    private static final ThreadLocal<MemorySegment> POLL_ONE =
            ThreadLocal.withInitial(() -> Arena.ofAuto().allocate(POLLFD));

    public static int close(int fd) {
        return (int) RawSyscalls.call(Syscall.CLOSE, fd);
    }

    /** close_range(2), by its number (glibc's wrapper is newer than some supported libcs). */
    public static int closeRange(int first, int last, int flags) {
        return (int) RawSyscalls.call(Syscall.CLOSE_RANGE,
                Integer.toUnsignedLong(first), Integer.toUnsignedLong(last), flags);
    }

    /**
     * close_range(2) without errno: 0, or -1 when it failed or this libc has no wrapper. For callers that then
     * ask {@link #closeRange} why, which is sound only because a failed close_range has changed nothing.
     */
    public static int closeRangeOrMinusOne(int first, int last, int flags) {
        if (CloseRangeWithoutErrno.HANDLE.isEmpty()) return -1;
        try {
            return (int) CloseRangeWithoutErrno.HANDLE.get().invokeExact(first, last, flags);
        } catch (Throwable t) {
            throw Ffm.unchecked(t);
        }
    }

    /** open(2), as openat(2) from the working directory: aarch64 has no open system call (glibc's does the same). */
    public static int open(String path, int flags, int mode) {
        return openat(FileCalls.AT_FDCWD, path, flags, mode);
    }

    public static int openat(int dirfd, String path, int flags, int mode) {
        try (Arena arena = Arena.ofConfined()) {
            return FileCalls.openat(dirfd, arena.allocateFrom(path), flags, mode);
        }
    }

    /** fcntl(2) with an int argument (the commands that take a pointer are not bound). */
    public static int fcntl(int fd, int cmd, int arg) {
        return (int) RawSyscalls.call(Syscall.FCNTL, fd, cmd, arg);
    }

    public static int dup2(int oldfd, int newfd) {
        try {
            MemorySegment st = Ffm.state();
            return Ffm.result((int) Dup2.HANDLE.invokeExact(st, oldfd, newfd), st);
        } catch (Throwable t) {
            throw Ffm.unchecked(t);
        }
    }

    public static int dup3(int oldfd, int newfd, int flags) {
        try {
            MemorySegment st = Ffm.state();
            return Ffm.result((int) Dup3.HANDLE.invokeExact(st, oldfd, newfd, flags), st);
        } catch (Throwable t) {
            throw Ffm.unchecked(t);
        }
    }

    public static long lseek(int fd, long offset, int whence) {
        return RawSyscalls.call(Syscall.LSEEK, fd, offset, whence);
    }

    public static long read(int fd, MemorySegment buf, long count) {
        long r = RawSyscalls.call(Syscall.READ, fd, RawSyscalls.address(buf), count);
        Reference.reachabilityFence(buf);
        return r;
    }

    public static long write(int fd, MemorySegment buf, long count) {
        long r = RawSyscalls.call(Syscall.WRITE, fd, RawSyscalls.address(buf), count);
        Reference.reachabilityFence(buf);
        return r;
    }

    /** pipe2(2): {read end, write end}, or null with the errno in {@code errOut[0]}. */
    public static int[] pipe2(int flags, int[] errOut) {
        try (Arena arena = Arena.ofConfined()) {
            MemorySegment st = Ffm.state();
            MemorySegment fds = arena.allocate(JAVA_INT, 2);
            int r = Ffm.result((int) Pipe2.HANDLE.invokeExact(st, fds, flags), st);
            return pairOrNull(r, fds, errOut);
        } catch (Throwable t) {
            throw Ffm.unchecked(t);
        }
    }

    /** The two descriptors a pipe2 or socketpair wrote to {@code fds}, or null with the errno in errOut[0]. */
    static int[] pairOrNull(int result, MemorySegment fds, int[] errOut) {
        if (result < 0) {
            if (errOut != null) errOut[0] = -result;
            return null;
        }
        return new int[] {fds.getAtIndex(JAVA_INT, 0), fds.getAtIndex(JAVA_INT, 1)};
    }

    /** poll(2) over {@code nfds} pollfds (an array of {@link #POLLFD}). */
    public static int poll(MemorySegment fds, long nfds, int timeoutMillis) {
        try {
            MemorySegment st = Ffm.state();
            return Ffm.result((int) Poll.HANDLE.invokeExact(st, fds, nfds, timeoutMillis), st);
        } catch (Throwable t) {
            throw Ffm.unchecked(t);
        }
    }

    /** Sets entry {@code index} of a pollfd array to ask about {@code fd} with {@code events}. */
    public static void setPollfd(MemorySegment fds, long index, int fd, short events) {
        PollfdFields.FD.set(fds, 0L, index, fd);
        PollfdFields.EVENTS.set(fds, 0L, index, events);
        PollfdFields.REVENTS.set(fds, 0L, index, (short) 0);
    }

    /**
     * Sets entries [0, n) of a pollfd array to ask about descriptors {@code firstFd}, {@code firstFd + 1}, ...
     * with no events, in one bulk copy: a scan of a large table sets up a million of them.
     */
    public static void fillPollfds(MemorySegment fds, int firstFd, int n) {
        int perEntry = (int) (POLLFD.byteSize() / JAVA_INT.byteSize()); // fd, then events and revents, both 0
        int[] raw = new int[n * perEntry];
        for (int i = 0; i < n; i++) raw[i * perEntry] = firstFd + i;
        MemorySegment.copy(raw, 0, fds, JAVA_INT, 0, raw.length);
    }

    /** poll(2) on one descriptor; returns revents, 0 on timeout, or -errno. */
    public static int pollOne(int fd, short events, int timeoutMillis) {
        MemorySegment p = POLL_ONE.get();
        setPollfd(p, 0, fd, events);
        int r = poll(p, 1, timeoutMillis);
        return r <= 0 ? r : (short) PollfdFields.REVENTS.get(p, 0L, 0L) & 0xffff;
    }

    /** ioctl(2) whose argument is an int the kernel fills in (FIONREAD): that int, or -errno. */
    public static int ioctlGetInt(int fd, long request) {
        try (Arena arena = Arena.ofConfined()) {
            MemorySegment st = Ffm.state();
            MemorySegment value = arena.allocate(JAVA_INT);
            int r = Ffm.result((int) IoctlPointer.HANDLE.invokeExact(st, fd, request, value), st);
            return r < 0 ? r : value.get(JAVA_INT, 0);
        } catch (Throwable t) {
            throw Ffm.unchecked(t);
        }
    }
}
