package dev.fdkit;

/** The process asked about does not exist (any more). */
public final class ProcessNotFoundException extends ErrnoException {
    private static final long serialVersionUID = 1L;

    /**
     * The failure for process {@code pid}: no process with this pid exists.
     *
     * @param pid   the process asked about
     * @param errno the errno that said so
     */
    public ProcessNotFoundException(long pid, int errno) {
        super("no process with pid " + pid, errno);
    }
}
