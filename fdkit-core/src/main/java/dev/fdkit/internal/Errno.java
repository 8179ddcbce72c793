package dev.fdkit.internal;

import java.lang.foreign.FunctionDescriptor;
import java.lang.foreign.MemorySegment;
import java.lang.invoke.MethodHandle;
import java.util.Optional;

import static java.lang.foreign.ValueLayout.ADDRESS;
import static java.lang.foreign.ValueLayout.JAVA_INT;

/** errno values, and their names and texts from the C library for messages that name the errno. */
public final class Errno {
    private Errno() {}

    // The generic values, identical on x86_64 and aarch64.
    public static final int EPERM = 1, ENOENT = 2, ESRCH = 3, EINTR = 4, EBADF = 9, ECHILD = 10, EAGAIN = 11,
            ENOMEM = 12, EACCES = 13, ENOTDIR = 20, EINVAL = 22, ENFILE = 23, EMFILE = 24, ENOSYS = 38;

    private static final class StrerrornameNp {
        // strerrorname_np(3): glibc >= 2.32
        static final Optional<MethodHandle> HANDLE =
                Ffm.optionalPlainDowncall("strerrorname_np", FunctionDescriptor.of(ADDRESS, JAVA_INT));
    }

    private static final class StrerrordescNp {
        // strerrordesc_np(3): glibc >= 2.32
        static final Optional<MethodHandle> HANDLE =
                Ffm.optionalPlainDowncall("strerrordesc_np", FunctionDescriptor.of(ADDRESS, JAVA_INT));
    }

    /** "EBADF" for 9; "errno 9" where the libc cannot name it. */
    public static String name(int errno) {
        return cString(StrerrornameNp.HANDLE, errno, "errno " + errno);
    }

    /** "Bad file descriptor": the C library's text, as strerror(3) gives it. */
    public static String description(int errno) {
        return cString(StrerrordescNp.HANDLE, errno, "unknown error");
    }

    /** "EBADF (Bad file descriptor)". */
    public static String describe(int errno) {
        return name(errno) + " (" + description(errno) + ")";
    }

    private static String cString(Optional<MethodHandle> fn, int errno, String fallback) {
        if (fn.isEmpty()) return fallback;
        try {
            MemorySegment p = (MemorySegment) fn.get().invokeExact(errno);
            if (p.equals(MemorySegment.NULL)) return fallback;
            return p.reinterpret(256).getString(0);
        } catch (Throwable t) {
            throw Ffm.unchecked(t);
        }
    }
}
