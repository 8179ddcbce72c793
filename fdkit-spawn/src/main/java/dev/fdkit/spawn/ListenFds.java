package dev.fdkit.spawn;

import dev.fdkit.internal.Errno;
import dev.fdkit.internal.FdCalls;
import dev.fdkit.internal.ProcessCalls;

import java.util.ArrayList;
import java.util.List;
import java.util.Map;

/**
 * The receiving side of systemd socket activation: the descriptors a JVM was started with by systemd,
 * systemd-socket-activate, or {@link FdProcessBuilder#listenFd}.
 *
 * <p>The JDK offers {@link System#inheritedChannel()} for a single inetd-style socket on stdin; this reads
 * LISTEN_PID, LISTEN_FDS and LISTEN_FDNAMES as sd_listen_fds_with_names(3) does. The descriptors are raw numbers:
 * hand one to a library that accepts those, for example Netty's epoll transport:
 *
 * <pre>{@code
 * for (ListenFds.Fd fd : ListenFds.inherited()) {
 *     if (fd.name().equals("http")) {
 *         ServerBootstrap b = new ServerBootstrap()
 *                 .group(new EpollEventLoopGroup())
 *                 .channelFactory(() -> new EpollServerSocketChannel(fd.fd())) // adopts the bound socket
 *                 .childHandler(...);
 *         b.register().sync();                                              // no bind(): systemd did it
 *     }
 * }
 * }</pre>
 */
public final class ListenFds {
    private ListenFds() {}

    /** SD_LISTEN_FDS_START: the first passed descriptor is always 3. */
    public static final int FIRST = 3;

    /** One inherited descriptor and its name from LISTEN_FDNAMES ("unknown" when none was given). */
    public record Fd(int fd, String name) {}

    private static List<Fd> inherited;

    /**
     * The descriptors this process was given: empty unless LISTEN_PID is this process's pid (so a variable
     * inherited by mistake from a parent is ignored). The first call marks them close-on-exec, so they do not leak
     * into children, and the answer is kept for later calls.
     *
     * @throws IllegalStateException if the variables are malformed, or a listed descriptor is not open (the
     *                               message names it and the errno)
     */
    public static synchronized List<Fd> inherited() {
        if (inherited == null) inherited = claim(System.getenv(), ProcessCalls.getpid());
        return inherited;
    }

    /** Parses the variables for process {@code pid} and marks the descriptors close-on-exec. */
    static List<Fd> claim(Map<String, String> env, long pid) {
        List<Fd> fds = parse(env, pid);
        for (Fd f : fds) {
            int flags = FdCalls.fcntl(f.fd(), FdCalls.F_GETFD, 0);
            if (flags >= 0 && (flags & FdCalls.FD_CLOEXEC) == 0) {
                int r = FdCalls.fcntl(f.fd(), FdCalls.F_SETFD, flags | FdCalls.FD_CLOEXEC);
                if (r < 0) flags = r;
            }
            if (flags < 0) {
                throw new IllegalStateException("LISTEN_FDS names descriptor " + f.fd() + " (" + f.name()
                        + "), which cannot be used: " + Errno.describe(-flags));
            }
        }
        return fds;
    }

    /** LISTEN_* of {@code env} as seen by process {@code pid}; touches no descriptor. */
    static List<Fd> parse(Map<String, String> env, long pid) {
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
        if (n < 0 || n > Integer.MAX_VALUE - FIRST) throw new IllegalStateException("malformed LISTEN_FDS=" + listenFds);
        String[] names = null;
        String namesVar = env.get("LISTEN_FDNAMES");
        if (namesVar != null && n > 0) {
            names = namesVar.split(":", -1);
            if (names.length != n) {
                throw new IllegalStateException("LISTEN_FDNAMES has " + names.length + " names for LISTEN_FDS=" + n);
            }
        }
        List<Fd> out = new ArrayList<>(n);
        for (int i = 0; i < n; i++) out.add(new Fd(FIRST + i, names == null ? "unknown" : names[i]));
        return List.copyOf(out);
    }
}
