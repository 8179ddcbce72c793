package dev.fdkit;

import java.util.AbstractMap;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Set;

/**
 * One open descriptor, as procfs showed it at the moment of the listing.
 *
 * @param fd          the descriptor number
 * @param kind        what it refers to; sockets by family and protocol (tcp, udp6, unix...) when /proc/PID/net
 *                    describes them
 * @param target      the link target in /proc/PID/fd, exactly: a path (the kernel appends " (deleted)" when the
 *                    file was unlinked), "socket:[ino]", "pipe:[ino]", "anon_inode:[eventfd]"...
 * @param closeOnExec whether FD_CLOEXEC is set
 * @param access      the access mode (for a pipe: READ is its read end, WRITE its write end)
 * @param openFlags   the open file description's flags from fdinfo (O_APPEND, O_NONBLOCK...; -1 if not shown)
 * @param position    the file offset, or -1 if not shown
 * @param mountId     the mount id (see /proc/PID/mountinfo), or -1
 * @param inode       the inode number, or -1; both ends of a pipe, and every descriptor of one socket, share it
 * @param deleted     the file has no link left (its link count, read through the descriptor, is 0): unlinked
 *                    after opening, or never linked (memfd, O_TMPFILE); never guessed from the name
 * @param socket      for sockets: protocol, addresses and state from sock_diag or /proc/PID/net; null for other kinds and for
 *                    sockets no table there describes
 * @param detail      extra facts from fdinfo, or null: "pid 1234" for a pidfd, "3 fds" for an epoll instance,
 *                    "2 watches" for inotify, "protocol AF_VSOCK" for a socket procfs cannot resolve
 * @param attributes  what the kernel shows for this kind of descriptor, keyed by lsfd's column name, in a fixed
 *                    order: "EVENTFD.ID", "EVENTPOLL.TFDS", "INOTIFY.INODES", "SIGNALFD.MASK", "TIMERFD.CLOCKID",
 *                    "TIMERFD.INTERVAL", "TIMERFD.REMAINING", "PIDFD.PID", "SOCK.STATE", "LOCKS", "NLINK",
 *                    "ENDPOINTS" (the last only when asked for); empty when there is nothing to add
 */
public record FdInfo(int fd, FdKind kind, String target, boolean closeOnExec, AccessMode access, int openFlags,
                     long position, int mountId, long inode, boolean deleted, SocketInfo socket, String detail,
                     Map<String, String> attributes) {

    /** Keeps an unmodifiable copy of {@code attributes}, in their order; null means none. */
    public FdInfo {
        if (attributes == null || attributes.isEmpty()) attributes = Map.of();
        else if (!(attributes instanceof Attributes)) attributes = new Attributes(new LinkedHashMap<>(attributes));
    }

    /**
     * An attribute map that no one can change: built once by this package, kept by every record given it without
     * another copy (thousands of sockets in a listing share a handful of them).
     */
    static final class Attributes extends AbstractMap<String, String> {
        private final Map<String, String> map;

        /** Takes {@code built}, which the caller must not change afterwards. */
        Attributes(LinkedHashMap<String, String> built) {
            map = Collections.unmodifiableMap(built);
        }

        @Override
        public Set<Entry<String, String>> entrySet() {
            return map.entrySet();
        }

        @Override
        public String get(Object key) {
            return map.get(key);
        }

        @Override
        public boolean containsKey(Object key) {
            return map.containsKey(key);
        }

        @Override
        public int size() {
            return map.size();
        }
    }

    /**
     * One of {@link #attributes()}.
     *
     * @param column lsfd's column name, e.g. "EVENTFD.ID"
     * @return its value, or null when this descriptor has none
     */
    public String attribute(String column) {
        return attributes.get(column);
    }

    /** This descriptor with {@code more} attributes added (replacing ones of the same name). */
    FdInfo withAttributes(Map<String, String> more) {
        LinkedHashMap<String, String> all = new LinkedHashMap<>(attributes);
        all.putAll(more);
        return new FdInfo(fd, kind, target, closeOnExec, access, openFlags, position, mountId, inode, deleted, socket,
                detail, new Attributes(all));
    }

    /**
     * The file's name: the link target without the " (deleted)" the kernel appends to an unlinked file's path, so
     * a file really named "x (deleted)" keeps its name.
     *
     * @return the path, or the target as it is for what is not a deleted file
     */
    public String path() {
        if (deleted && target.startsWith("/") && target.endsWith(DELETED_SUFFIX)) {
            return target.substring(0, target.length() - DELETED_SUFFIX.length());
        }
        return target;
    }

    static final String DELETED_SUFFIX = " (deleted)";

    /** O_CLOEXEC as it appears in fdinfo's flags. */
    static final int O_CLOEXEC = 02000000;

    /**
     * Whether two listings describe the same open file at this number (same target, inode and kind).
     *
     * @param other the entry of another listing, or null
     * @return true when it is the same file at the same number
     */
    public boolean sameFileAs(FdInfo other) {
        return other != null && fd == other.fd && kind == other.kind && inode == other.inode
                && target.equals(other.target);
    }

    /**
     * What the descriptor refers to, in one line: the path for files, "127.0.0.1:51234 -> 127.0.0.1:8080
     * ESTABLISHED" or "/run/app.sock stream LISTEN" for sockets, the target with any detail otherwise
     * ("anon_inode:[pidfd] (pid 1234)").
     *
     * @return the one-line description
     */
    public String name() {
        if (socket != null) return socket.describe();
        return detail == null ? target : target + " (" + detail + ")";
    }

    /** "fd 37: tcp6 127.0.0.1:51234 -> 127.0.0.1:8080 ESTABLISHED", "fd 5: pipe pipe:[12345]". */
    @Override
    public String toString() {
        return "fd " + fd + ": " + kind.label() + " " + name();
    }
}
