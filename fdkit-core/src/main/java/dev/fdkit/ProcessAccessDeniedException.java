package dev.fdkit;

/** The process exists, but the caller may not inspect its descriptors (another user's, or not dumpable). */
public final class ProcessAccessDeniedException extends ErrnoException {
    private static final long serialVersionUID = 1L;

    public ProcessAccessDeniedException(long pid, int errno) {
        super("not permitted to inspect the descriptors of pid " + pid, errno);
    }
}
