package dev.fdkit;

/**
 * One open descriptor, as procfs showed it at the moment of the listing.
 *
 * @param fd          the descriptor number
 * @param kind        what it refers to; sockets by family and protocol (tcp, udp6, unix...) when /proc/PID/net
 *                    describes them
 * @param target      the link target in /proc/PID/fd: a path (with " (deleted)" when unlinked), "socket:[ino]",
 *                    "pipe:[ino]", "anon_inode:[eventfd]"...
 * @param closeOnExec whether FD_CLOEXEC is set
 * @param access      the access mode (for a pipe: READ is its read end, WRITE its write end)
 * @param openFlags   the open file description's flags from fdinfo (O_APPEND, O_NONBLOCK...; -1 if not shown)
 * @param position    the file offset, or -1 if not shown
 * @param mountId     the mount id (see /proc/PID/mountinfo), or -1
 * @param inode       the inode number, or -1; both ends of a pipe, and every descriptor of one socket, share it
 * @param deleted     for files: the path was unlinked after opening
 * @param socket      for sockets: protocol, addresses and state from /proc/PID/net; null for other kinds and for
 *                    sockets no table there describes
 * @param detail      extra facts from fdinfo, or null: "pid 1234" for a pidfd, "3 fds" for an epoll instance,
 *                    "2 watches" for inotify, "protocol AF_VSOCK" for a socket procfs cannot resolve
 */
public record FdInfo(int fd, FdKind kind, String target, boolean closeOnExec, AccessMode access, int openFlags,
                     long position, int mountId, long inode, boolean deleted, SocketInfo socket, String detail) {

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
