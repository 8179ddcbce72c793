package dev.fdkit.internal;

/** errno names and texts from the C library, for messages that name the errno. */
public final class Errno {
    private Errno() {}

    /** "EBADF". */
    public static String name(int errno) {
        return Libc.errnoName(errno);
    }

    /** "EBADF (Bad file descriptor)". */
    public static String describe(int errno) {
        return Libc.errnoName(errno) + " (" + Libc.errnoDescription(errno) + ")";
    }
}
