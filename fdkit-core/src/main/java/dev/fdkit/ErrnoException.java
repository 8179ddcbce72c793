package dev.fdkit;

import dev.fdkit.internal.Errno;
import dev.fdkit.internal.SyscallException;

import java.io.IOException;

/** A system call failed; the message names what was attempted and the errno, e.g. "close_range(3, MAX): EINVAL (...)". */
public class ErrnoException extends IOException {
    private static final long serialVersionUID = 1L;
    /** The errno value. */
    private final int errno;

    /**
     * A failure of {@code what} with {@code errno}; the message is "what: ENAME (description)".
     *
     * @param what  what was attempted, e.g. "close_range(3, ~0U, 0)"
     * @param errno the errno it failed with
     */
    public ErrnoException(String what, int errno) {
        super(SyscallException.message(what, errno));
        this.errno = errno;
    }

    /**
     * For subclasses whose messages must keep another format (the JDK's, where fdkit stands in for it):
     * {@code message} is used as it is and should name the errno itself.
     *
     * @param errno   the errno the call failed with
     * @param message the whole message
     */
    protected ErrnoException(int errno, String message) {
        super(message);
        this.errno = errno;
    }

    /** The public face of a failure inside fdkit: its message, errno and stack trace. */
    static ErrnoException of(SyscallException e) {
        ErrnoException x = new ErrnoException(e.errno(), e.getMessage());
        x.setStackTrace(e.getStackTrace());
        return x;
    }

    /**
     * The errno value, e.g. 9.
     *
     * @return the errno
     */
    public int errno() {
        return errno;
    }

    /**
     * The errno's symbolic name, e.g. "EBADF".
     *
     * @return the name, e.g. "EBADF"
     */
    public String errnoName() {
        return Errno.name(errno);
    }
}
