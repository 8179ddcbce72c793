package dev.fdkit;

/** The process asked about does not exist (any more). */
public final class ProcessNotFoundException extends ErrnoException {
    private static final long serialVersionUID = 1L;

    public ProcessNotFoundException(long pid, int errno) {
        super("no process with pid " + pid, errno);
    }
}
