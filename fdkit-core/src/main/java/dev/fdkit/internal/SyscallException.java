package dev.fdkit.internal;

import java.io.IOException;

/**
 * A system call failed, or fdkit refused a call for a reason worded with an errno; the message names what was
 * attempted and the errno, e.g. "close_range(3, ~0U, 0): EINVAL (Invalid argument)". The internal layer's
 * failure: the public API reports it as {@code dev.fdkit.ErrnoException} with the same message and errno.
 */
public final class SyscallException extends IOException {
    private static final long serialVersionUID = 1L;
    private final String what;
    private final int errno;

    public SyscallException(String what, int errno) {
        super(message(what, errno));
        this.what = what;
        this.errno = errno;
    }

    /** The message of a failure of {@code what} with {@code errno}: "what: ENAME (description)". */
    public static String message(String what, int errno) {
        return what + ": " + Errno.describe(errno);
    }

    /** What was attempted, e.g. "open(/proc/thread-self/fd)". */
    public String what() {
        return what;
    }

    /** The errno value, e.g. 9. */
    public int errno() {
        return errno;
    }
}
