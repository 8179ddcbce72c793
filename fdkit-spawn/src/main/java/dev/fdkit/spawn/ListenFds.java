package dev.fdkit.spawn;

import dev.fdkit.ErrnoException;
import dev.fdkit.Fds;
import dev.fdkit.internal.Errno;
import dev.fdkit.internal.FdCalls;
import dev.fdkit.internal.NetCalls;
import dev.fdkit.internal.ProcessCalls;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.AbstractList;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Objects;

/**
 * The receiving side of systemd socket activation: the sockets a JVM was started with by systemd,
 * systemd-socket-activate, or {@link FdProcessBuilder#listenFd}.
 *
 * <p>{@link #inherited()} reads LISTEN_PID, LISTEN_FDS and LISTEN_FDNAMES as sd_listen_fds_with_names(3) does and
 * checks each descriptor as sd_is_socket(3) does, so that variables which do not describe this process's
 * descriptors (left in the environment by a parent that did not pass the sockets on) are refused instead of
 * handing out whatever file took the number, such as the JVM's own runtime image. The descriptors are raw numbers:
 * hand one to a library that accepts those, for example Netty's epoll transport. The sockets come as systemd
 * made them, in blocking mode: an event loop needs them non-blocking (its accept loop runs until EAGAIN).
 *
 * <pre>{@code
 * for (ListenFds.Fd fd : ListenFds.inherited()) {
 *     if (fd.name().equals("http")) {
 *         // first: fcntl(fd.fd(), F_SETFL, flags | O_NONBLOCK)
 *         ServerBootstrap b = new ServerBootstrap()
 *                 .group(new EpollEventLoopGroup())
 *                 .channelFactory(() -> new EpollServerSocketChannel(fd.fd())) // adopts the bound socket
 *                 .childHandler(...);
 *         b.register().sync();                                              // no bind(): systemd did it
 *     }
 * }
 * }</pre>
 *
 * The JDK's own {@link System#inheritedChannel()} looks at descriptor 0 only: {@code dup2} the socket there
 * before its first call to serve it with plain NIO.
 */
public final class ListenFds {
    private ListenFds() {}

    /** SD_LISTEN_FDS_START: the first passed descriptor is always 3. */
    public static final int FIRST = 3;

    /**
     * One inherited socket.
     *
     * @param fd        the descriptor number (3, 4, ...)
     * @param name      its name from LISTEN_FDNAMES, "unknown" when none was given
     * @param family    the address family: "unix", "inet", "inet6", "netlink", "vsock", "packet", or "af" and
     *                  the number for another
     * @param type      the socket type: "stream", "dgram", "seqpacket", "raw", or "type" and the number
     * @param listening whether it is a listening socket (SO_ACCEPTCONN): accept connections on it; otherwise it
     *                  is a connected or datagram socket to read and write
     */
    public record Fd(int fd, String name, String family, String type, boolean listening) {}

    /** A descriptor the variables advertise, before it is checked. */
    record Advertised(int fd, String name) {}

    private static List<Fd> inherited;

    /**
     * The sockets this process was given, as {@code inherited(false)}.
     *
     * @return the sockets, in order (empty when the variables are absent or meant for another process)
     * @throws IllegalStateException if the variables are malformed or stale: see {@link #inherited(boolean)}
     */
    public static List<Fd> inherited() {
        return inherited(false);
    }

    /**
     * The sockets this process was given: empty unless LISTEN_PID is this process's pid (variables inherited from
     * a parent that was activated are meant for that parent, as with sd_listen_fds(3)). The first call checks each
     * advertised descriptor (open, and a socket: its family and type are reported) and marks it close-on-exec, so
     * it does not leak into children; the answer is kept for later calls.
     *
     * @param unsetEnvironment also remove LISTEN_PID, LISTEN_FDS and LISTEN_FDNAMES from the C environment, as
     *                         sd_listen_fds(1) does, so that native code and children started from it do not see
     *                         them ({@link System#getenv()} is the JDK's copy, made at start-up: it keeps them)
     * @return the sockets, in order (empty when the variables are absent or meant for another process)
     * @throws IllegalStateException if the variables are malformed, or stale: LISTEN_PID names this process but an
     *                               advertised descriptor is not open or not a socket (the message names the
     *                               descriptor, what it is, and the variables)
     */
    public static synchronized List<Fd> inherited(boolean unsetEnvironment) {
        if (inherited == null) inherited = claim(System.getenv(), ProcessCalls.getpid());
        if (unsetEnvironment) {
            for (String name : List.of("LISTEN_PID", "LISTEN_FDS", "LISTEN_FDNAMES")) {
                int r = ProcessCalls.unsetenv(name);
                if (r < 0) throw new IllegalStateException("unsetenv(" + name + "): " + Errno.describe(-r));
            }
        }
        return inherited;
    }

    /** Checks the descriptors the variables advertise to process {@code pid} and marks them close-on-exec. */
    static List<Fd> claim(Map<String, String> env, long pid) {
        List<Advertised> advertised = parse(env, pid);
        if (advertised.isEmpty()) return List.of();
        String variables = "LISTEN_PID=" + env.get("LISTEN_PID") + " LISTEN_FDS=" + env.get("LISTEN_FDS");
        requireOpen(advertised.size(), variables);
        List<Fd> fds = new ArrayList<>(advertised.size());
        for (Advertised a : advertised) fds.add(socket(a, variables));
        for (Fd f : fds) {
            int flags = FdCalls.fcntl(f.fd(), FdCalls.F_GETFD, 0);
            if (flags >= 0 && (flags & FdCalls.FD_CLOEXEC) == 0) {
                int r = FdCalls.fcntl(f.fd(), FdCalls.F_SETFD, flags | FdCalls.FD_CLOEXEC);
                if (r < 0) flags = r;
            }
            if (flags < 0) {
                throw new IllegalStateException(variables + " names descriptor " + f.fd() + " (" + f.name()
                        + "), which cannot be used: " + Errno.describe(-flags));
            }
        }
        return List.copyOf(fds);
    }

    /**
     * Every advertised descriptor, 3 to 3 + n - 1, is open: checked against the table (one scan, bounded by its
     * size) before anything is allocated per descriptor, so that LISTEN_FDS=2147483600 is refused, not an
     * OutOfMemoryError.
     */
    private static void requireOpen(int n, String variables) {
        int last = FIRST + n - 1;
        int[] open;
        try {
            open = Fds.numbers(FIRST, last);
        } catch (ErrnoException e) {
            throw new IllegalStateException(variables + ": cannot list this process's descriptors: " + e.getMessage(), e);
        }
        int missing = FIRST;
        for (int fd : open) {
            if (fd != missing) break;
            missing++;
        }
        if (missing <= last) {
            throw new IllegalStateException(variables + " advertise descriptors " + FIRST + " to " + last
                    + ", but descriptor " + missing + " is not open (" + open.length + " of them are): the "
                    + "variables are stale, left by a process that did not pass its sockets on");
        }
    }

    /** What sd_is_socket(3) checks: a socket, with its family, type and whether it listens. */
    private static Fd socket(Advertised a, String variables) {
        int family = NetCalls.getsockoptInt(a.fd(), NetCalls.SOL_SOCKET, NetCalls.SO_DOMAIN);
        if (family < 0) {
            String what = -family == NetCalls.ENOTSOCK ? "is not a socket but " + target(a.fd())
                    : "cannot be inspected: " + Errno.describe(-family);
            throw new IllegalStateException(variables + " names descriptor " + a.fd() + " (" + a.name() + "), which "
                    + what + ": the variables are stale, left by a process that did not pass its sockets on");
        }
        int type = NetCalls.getsockoptInt(a.fd(), NetCalls.SOL_SOCKET, NetCalls.SO_TYPE);
        int accepting = NetCalls.getsockoptInt(a.fd(), NetCalls.SOL_SOCKET, NetCalls.SO_ACCEPTCONN);
        return new Fd(a.fd(), a.name(), familyName(family), typeName(type), accepting > 0);
    }

    private static String target(int fd) {
        try {
            return Files.readSymbolicLink(Path.of("/proc/self/fd/" + fd)).toString();
        } catch (IOException | UnsupportedOperationException e) {
            return "a file that is no socket";
        }
    }

    static String familyName(int family) {
        return switch (family) {
            case NetCalls.AF_UNIX -> "unix";
            case NetCalls.AF_INET -> "inet";
            case NetCalls.AF_INET6 -> "inet6";
            case NetCalls.AF_NETLINK -> "netlink";
            case NetCalls.AF_PACKET -> "packet";
            case NetCalls.AF_VSOCK -> "vsock";
            default -> "af" + family;
        };
    }

    static String typeName(int type) {
        return switch (type) {
            case NetCalls.SOCK_STREAM -> "stream";
            case NetCalls.SOCK_DGRAM -> "dgram";
            case NetCalls.SOCK_SEQPACKET -> "seqpacket";
            case NetCalls.SOCK_RAW -> "raw";
            default -> "type" + type;
        };
    }

    /** LISTEN_* of {@code env} as seen by process {@code pid}; touches no descriptor and allocates nothing per fd. */
    static List<Advertised> parse(Map<String, String> env, long pid) {
        String listenPid = env.get("LISTEN_PID"), listenFds = env.get("LISTEN_FDS");
        if (listenPid == null || listenFds == null) return List.of();
        long forPid;
        int n;
        try {
            forPid = Long.parseLong(listenPid.trim());
            n = Integer.parseInt(listenFds.trim());
        } catch (NumberFormatException e) {
            throw new IllegalStateException("malformed LISTEN_PID=" + listenPid + " or LISTEN_FDS=" + listenFds, e);
        }
        if (forPid != pid) return List.of(); // meant for another process
        if (n < 0 || n > Integer.MAX_VALUE - FIRST + 1) {
            throw new IllegalStateException("malformed LISTEN_FDS=" + listenFds + ": not a descriptor count");
        }
        if (n == 0) return List.of();
        String[] names = null;
        String namesVar = env.get("LISTEN_FDNAMES");
        if (namesVar != null) {
            names = namesVar.split(":", -1);
            if (names.length != n) {
                throw new IllegalStateException("LISTEN_FDNAMES has " + names.length + " names for LISTEN_FDS=" + n);
            }
        }
        String[] finalNames = names;
        // A view, not a copy: n may be huge until claim() has checked it against the table.
        return new AbstractList<>() {
            @Override
            public Advertised get(int i) {
                Objects.checkIndex(i, n);
                return new Advertised(FIRST + i, finalNames == null ? "unknown" : finalNames[i]);
            }

            @Override
            public int size() {
                return n;
            }
        };
    }
}
