package dev.fdkit;

/**
 * One open descriptor, as procfs showed it at the moment of the listing.
 *
 * @param fd          the descriptor number
 * @param kind        what it refers to
 * @param target      the link target in /proc/PID/fd: a path (with " (deleted)" when unlinked), "socket:[ino]",
 *                    "pipe:[ino]", "anon_inode:[eventfd]"...
 * @param closeOnExec whether FD_CLOEXEC is set
 * @param access      the access mode
 * @param openFlags   the open file description's flags from fdinfo (O_APPEND, O_NONBLOCK...; -1 if not shown)
 * @param position    the file offset, or -1 if not shown
 * @param mountId     the mount id (see /proc/PID/mountinfo), or -1
 * @param inode       the inode number, or -1
 * @param deleted     for files: the path was unlinked after opening
 */
public record FdInfo(int fd, FdKind kind, String target, boolean closeOnExec, AccessMode access, int openFlags,
                     long position, int mountId, long inode, boolean deleted) {

    /** O_CLOEXEC as it appears in fdinfo's flags. */
    static final int O_CLOEXEC = 02000000;

    /** Whether two listings describe the same open file at this number (same target, inode and kind). */
    public boolean sameFileAs(FdInfo other) {
        return other != null && fd == other.fd && kind == other.kind && inode == other.inode
                && target.equals(other.target);
    }

    /** "fd 37: pipe pipe:[12345]". */
    @Override
    public String toString() {
        return "fd " + fd + ": " + kind.label() + " " + target;
    }
}
