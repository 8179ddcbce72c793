package dev.fdkit;

/** The process exists, but the caller may not inspect its descriptors (another user's, or not dumpable). */
public final class ProcessAccessDeniedException extends ErrnoException {
    private static final long serialVersionUID = 1L;

    /**
     * The failure for process {@code pid}: this process may not read that process's descriptors.
     *
     * @param pid   the process asked about
     * @param errno the errno that said so
     */
    public ProcessAccessDeniedException(long pid, int errno) {
        super("not permitted to inspect the descriptors of pid " + pid, errno);
    }
}
