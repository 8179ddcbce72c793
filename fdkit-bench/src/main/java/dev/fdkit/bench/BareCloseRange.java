package dev.fdkit.bench;

import java.lang.foreign.FunctionDescriptor;
import java.lang.foreign.Linker;
import java.lang.foreign.MemorySegment;
import java.lang.invoke.MethodHandle;
import java.util.Optional;

import static java.lang.foreign.ValueLayout.JAVA_INT;

/**
 * close_range(2) through a downcall handle of the bench's own, with nothing of fdkit around it: no errno capture,
 * no argument checks, no mechanism choice. It is the in-JVM anchor, so the table can tell what fdkit's calls cost
 * above the FFM API itself. The JMH floor benchmarks call the same handles directly.
 */
final class BareCloseRange {
    private BareCloseRange() {}

    /** close_range's {@code last} for "to the end of the table": ~0U. */
    static final int TO_THE_END = ~0;

    /** glibc's close_range wrapper (2.34 and later), linked on first use; empty when this libc lacks it. */
    private static final class Handles {
        static final FunctionDescriptor CLOSE_RANGE = FunctionDescriptor.of(JAVA_INT, JAVA_INT, JAVA_INT, JAVA_INT);
        static final Optional<MemorySegment> SYMBOL = Linker.nativeLinker().defaultLookup().find("close_range");
        static final Optional<MethodHandle> BARE =
                SYMBOL.map(symbol -> Linker.nativeLinker().downcallHandle(symbol, CLOSE_RANGE));
    }

    static boolean available() {
        return Handles.BARE.isPresent();
    }

    /** The bare handle: (int first, int last, int flags) int. */
    static MethodHandle bare() {
        return Handles.BARE.orElseThrow(BareCloseRange::missing);
    }

    /**
     * The same call capturing errno, (MemorySegment state, int, int, int) int: beside {@link #bare()} it shows
     * what the capture fdkit's bindings make costs.
     */
    static MethodHandle capturingErrno() {
        return Linker.nativeLinker().downcallHandle(Handles.SYMBOL.orElseThrow(BareCloseRange::missing),
                Handles.CLOSE_RANGE, Linker.Option.captureCallState("errno"));
    }

    private static UnsupportedOperationException missing() {
        return new UnsupportedOperationException("this libc has no close_range (glibc 2.34+)");
    }

    /** close_range(first, ~0U, flags); fails unless the call returned 0. */
    static void closeFrom(int first, int flags) {
        int r;
        try {
            r = (int) bare().invokeExact(first, TO_THE_END, flags);
        } catch (Throwable t) {
            throw new IllegalStateException("close_range downcall failed", t);
        }
        if (r != 0) throw new IllegalStateException("close_range(" + first + ", ~0U, " + flags + ") returned " + r);
    }
}
