package dev.fdkit.internal;

import java.lang.foreign.Arena;
import java.lang.foreign.FunctionDescriptor;
import java.lang.foreign.MemoryLayout;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.StructLayout;
import java.lang.invoke.MethodHandle;
import java.lang.invoke.VarHandle;

import static java.lang.foreign.MemoryLayout.PathElement.groupElement;
import static java.lang.foreign.ValueLayout.ADDRESS;
import static java.lang.foreign.ValueLayout.JAVA_INT;
import static java.lang.foreign.ValueLayout.JAVA_LONG;
import static java.lang.foreign.ValueLayout.JAVA_LONG_UNALIGNED;

/**
 * Bindings for sockets and readiness: socket, socketpair, getsockopt, epoll and eventfd. Each returns the result or -errno (see {@link Ffm});
 * handles are linked on first use.
 */
public final class NetCalls {
    private NetCalls() {}

    public static final int AF_UNIX = 1, SOCK_STREAM = 1, SOCK_DGRAM = 2, SOCK_CLOEXEC = FdCalls.O_CLOEXEC;
    public static final int AF_INET = 2, AF_INET6 = 10, AF_NETLINK = 16, AF_PACKET = 17, AF_VSOCK = 40;
    public static final int SOCK_RAW = 3, SOCK_SEQPACKET = 5;
    public static final int SOL_SOCKET = 1, SO_TYPE = 3, SO_ACCEPTCONN = 30, SO_DOMAIN = 39;
    public static final int ENOTSOCK = 88;
    public static final int EPOLLIN = 0x1, EPOLLOUT = 0x4, EPOLLONESHOT = 1 << 30;
    public static final int EPOLL_CTL_ADD = 1, EPOLL_CTL_DEL = 2, EPOLL_CTL_MOD = 3, EPOLL_CLOEXEC = FdCalls.O_CLOEXEC;
    public static final int EFD_CLOEXEC = FdCalls.O_CLOEXEC, EFD_NONBLOCK = FdCalls.O_NONBLOCK;

    /**
     * struct epoll_event and its accessors, made on the first epoll call: the var handles cost tens of milliseconds,
     * which a caller of socket() alone should not pay.
     */
    private static final class EpollEvent {
        /** Packed on x86_64 only (12 bytes, data at 4); elsewhere 16 bytes, data at 8. */
        static final StructLayout LAYOUT = switch (System.getProperty("os.arch")) {
            case "amd64", "x86_64" -> MemoryLayout.structLayout(
                    JAVA_INT.withName("events"), JAVA_LONG_UNALIGNED.withName("data"));
            default -> MemoryLayout.structLayout(
                    JAVA_INT.withName("events"), MemoryLayout.paddingLayout(4), JAVA_LONG.withName("data"));
        };
        static final VarHandle EVENTS = LAYOUT.arrayElementVarHandle(groupElement("events"));
        static final VarHandle DATA = LAYOUT.arrayElementVarHandle(groupElement("data"));
        static final int MAX = 64;
        /** Per-thread events array; its first slot also serves as epoll_ctl's argument. */
        static final ThreadLocal<MemorySegment> PER_THREAD = ThreadLocal.withInitial(
                () -> Arena.ofAuto().allocate(LAYOUT, MAX));
    }

    /** The eight bytes an eventfd signal writes: the counter's increment, one. Only ever read by write(2). */
    private static final class EventfdOne {
        static final MemorySegment VALUE = one();

        private static MemorySegment one() {
            MemorySegment s = Arena.global().allocate(JAVA_LONG);
            s.set(JAVA_LONG, 0, 1L);
            return s;
        }
    }

    private static final class Socketpair {
        static final MethodHandle HANDLE = Ffm.downcall("socketpair",
                FunctionDescriptor.of(JAVA_INT, JAVA_INT, JAVA_INT, JAVA_INT, ADDRESS));
    }

    private static final class Getsockopt {
        static final MethodHandle HANDLE = Ffm.downcall("getsockopt",
                FunctionDescriptor.of(JAVA_INT, JAVA_INT, JAVA_INT, JAVA_INT, ADDRESS, ADDRESS));
    }

    private static final class EpollCreate1 {
        static final MethodHandle HANDLE = Ffm.downcall("epoll_create1", FunctionDescriptor.of(JAVA_INT, JAVA_INT));
    }

    private static final class EpollCtl {
        static final MethodHandle HANDLE = Ffm.downcall("epoll_ctl",
                FunctionDescriptor.of(JAVA_INT, JAVA_INT, JAVA_INT, JAVA_INT, ADDRESS));
    }

    private static final class EpollWait {
        static final MethodHandle HANDLE = Ffm.downcall("epoll_wait",
                FunctionDescriptor.of(JAVA_INT, JAVA_INT, ADDRESS, JAVA_INT, JAVA_INT));
    }

    /** socketpair(2): two connected sockets, or null with the errno in {@code errOut[0]}. */
    public static int[] socketpair(int domain, int type, int protocol, int[] errOut) {
        try (Arena arena = Arena.ofConfined()) {
            MemorySegment st = Ffm.state();
            MemorySegment fds = arena.allocate(JAVA_INT, 2);
            int r = Ffm.result((int) Socketpair.HANDLE.invokeExact(st, domain, type, protocol, fds), st);
            return FdCalls.pairOrNull(r, fds, errOut);
        } catch (Throwable t) {
            throw Ffm.unchecked(t);
        }
    }

    /**
     * socket(2): the new descriptor, or -errno. By number ({@link RawSyscalls}): a downcall shape of its own would
     * cost a listing of sockets a link of tens of milliseconds for its one sock_diag socket.
     */
    public static int socket(int domain, int type, int protocol) {
        return (int) RawSyscalls.call(RawSyscalls.Syscall.SOCKET, domain, type, protocol);
    }

    /** getsockopt(2) of an int-valued option: its value, or -errno (-ENOTSOCK for a descriptor that is no socket). */
    public static int getsockoptInt(int fd, int level, int option) {
        try (Arena arena = Arena.ofConfined()) {
            MemorySegment st = Ffm.state();
            MemorySegment value = arena.allocate(JAVA_INT);
            MemorySegment length = arena.allocate(JAVA_INT);
            length.set(JAVA_INT, 0, (int) JAVA_INT.byteSize());
            int r = Ffm.result((int) Getsockopt.HANDLE.invokeExact(st, fd, level, option, value, length), st);
            return r < 0 ? r : value.get(JAVA_INT, 0);
        } catch (Throwable t) {
            throw Ffm.unchecked(t);
        }
    }

    public static int epollCreate1(int flags) {
        try {
            MemorySegment st = Ffm.state();
            return Ffm.result((int) EpollCreate1.HANDLE.invokeExact(st, flags), st);
        } catch (Throwable t) {
            throw Ffm.unchecked(t);
        }
    }

    /** epoll_ctl(2) with {@code events} and a 64-bit user {@code data} (EPOLL_CTL_DEL ignores both). */
    public static int epollCtl(int epfd, int op, int fd, int events, long data) {
        try {
            MemorySegment st = Ffm.state();
            MemorySegment ev = EpollEvent.PER_THREAD.get();
            EpollEvent.EVENTS.set(ev, 0L, 0L, events);
            EpollEvent.DATA.set(ev, 0L, 0L, data);
            return Ffm.result((int) EpollCtl.HANDLE.invokeExact(st, epfd, op, fd, ev), st);
        } catch (Throwable t) {
            throw Ffm.unchecked(t);
        }
    }

    /**
     * epoll_wait(2) for at most {@code min(dataOut.length, 64)} events: the number ready, each one's user data in
     * {@code dataOut[0..n)}, or -errno. Blocks up to {@code timeoutMillis} (-1: forever).
     */
    public static int epollWait(int epfd, long[] dataOut, int timeoutMillis) {
        try {
            MemorySegment st = Ffm.state();
            MemorySegment events = EpollEvent.PER_THREAD.get();
            int max = Math.min(dataOut.length, EpollEvent.MAX);
            int n = Ffm.result((int) EpollWait.HANDLE.invokeExact(st, epfd, events, max, timeoutMillis), st);
            for (int i = 0; i < n; i++) dataOut[i] = (long) EpollEvent.DATA.get(events, 0L, (long) i);
            return n;
        } catch (Throwable t) {
            throw Ffm.unchecked(t);
        }
    }

    /**
     * eventfd2(2): a counter descriptor, readable while the counter is not zero; or -errno. By number: it needs no
     * downcall shape of its own.
     */
    public static int eventfd(int initialValue, int flags) {
        return (int) RawSyscalls.call(RawSyscalls.Syscall.EVENTFD2, initialValue, flags);
    }

    /** Adds one to eventfd {@code fd}'s counter, which makes it readable: 0, or -errno. */
    public static int eventfdSignal(int fd) {
        long r = FdCalls.write(fd, EventfdOne.VALUE, JAVA_LONG.byteSize());
        return r < 0 ? (int) r : 0;
    }

    /**
     * Reads non-blocking eventfd {@code fd}'s counter, which sets it to zero: the count, or -errno (-EAGAIN when it
     * was zero already).
     */
    public static long eventfdDrain(int fd) {
        try (Arena arena = Arena.ofConfined()) {
            MemorySegment count = arena.allocate(JAVA_LONG);
            long r = FdCalls.read(fd, count, JAVA_LONG.byteSize());
            return r < 0 ? r : count.get(JAVA_LONG, 0);
        }
    }
}
