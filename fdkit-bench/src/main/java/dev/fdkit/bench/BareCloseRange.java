package dev.fdkit.bench;

import java.lang.foreign.FunctionDescriptor;
import java.lang.foreign.Linker;
import java.lang.invoke.MethodHandle;
import java.util.Optional;

import static java.lang.foreign.ValueLayout.JAVA_INT;

/**
 * close_range(2) through a downcall handle of the bench's own, with nothing of fdkit around it: no errno capture,
 * no argument checks, no mechanism choice. It is the in-JVM anchor, so the table can tell what fdkit's calls cost
 * above the FFM API itself.
 */
final class BareCloseRange {
    private BareCloseRange() {}

    /** glibc's close_range wrapper (2.34 and later), made on first use; empty when this libc lacks it. */
    private static final class Handle {
        static final Optional<MethodHandle> CLOSE_RANGE = Linker.nativeLinker().defaultLookup().find("close_range")
                .map(symbol -> Linker.nativeLinker().downcallHandle(symbol,
                        FunctionDescriptor.of(JAVA_INT, JAVA_INT, JAVA_INT, JAVA_INT)));
    }

    static boolean available() {
        return Handle.CLOSE_RANGE.isPresent();
    }

    /** close_range(first, ~0U, flags); fails unless the call returned 0. */
    static void closeFrom(int first, int flags) {
        int r;
        try {
            r = (int) Handle.CLOSE_RANGE.orElseThrow().invokeExact(first, -1, flags);
        } catch (Throwable t) {
            throw new IllegalStateException("close_range downcall failed", t);
        }
        if (r != 0) throw new IllegalStateException("close_range(" + first + ", ~0U, " + flags + ") returned " + r);
    }
}
