package dev.fdkit;

/**
 * /proc is not mounted here (a chroot, a container or a mount namespace without procfs), or something other than
 * procfs is mounted on it: listing descriptors in detail needs it. {@link Fds#numbers()}, {@link Fds#isOpen},
 * {@link Fds#highestOpen()} and the close calls work without it.
 */
public final class ProcUnavailableException extends ErrnoException {
    private static final long serialVersionUID = 1L;

    /**
     * A failure to read {@code what} for want of procfs.
     *
     * @param what  what could not be read, e.g. "/proc/self/fd"
     * @param errno the errno that reading it failed with
     */
    public ProcUnavailableException(String what, int errno) {
        super(what + ": /proc is not mounted or not visible here (listing descriptors in detail reads "
                + "/proc/PID/fd and fdinfo); Fds.numbers(), Fds.isOpen(), Fds.highestOpen() and closing still work",
                errno);
    }
}
