package dev.fdkit.faults;

import java.lang.foreign.Arena;
import java.lang.foreign.FunctionDescriptor;
import java.lang.foreign.Linker;
import java.lang.foreign.MemorySegment;
import java.lang.invoke.MethodHandle;

import static java.lang.foreign.ValueLayout.ADDRESS;
import static java.lang.foreign.ValueLayout.JAVA_INT;
import static java.lang.foreign.ValueLayout.JAVA_LONG;

/** setrlimit(RLIMIT_NOFILE) for scenarios that lower the limit inside a running JVM; fdkit itself never sets it. */
final class Rlimits {
    private Rlimits() {}

    private static final int RLIMIT_NOFILE = 7;
    @SuppressWarnings("restricted")
    private static final MethodHandle SETRLIMIT = Linker.nativeLinker().downcallHandle(
            Linker.nativeLinker().defaultLookup().find("setrlimit").orElseThrow(),
            FunctionDescriptor.of(JAVA_INT, JAVA_INT, ADDRESS));

    /** Sets {soft, hard}; throws when the kernel refuses. */
    static void setNofile(long soft, long hard) {
        try (Arena arena = Arena.ofConfined()) {
            MemorySegment rl = arena.allocate(16, 8);
            rl.set(JAVA_LONG, 0, soft);
            rl.set(JAVA_LONG, 8, hard);
            int r = (int) SETRLIMIT.invokeExact(RLIMIT_NOFILE, rl);
            if (r != 0) throw new IllegalStateException("setrlimit(RLIMIT_NOFILE, " + soft + ", " + hard + ") failed");
        } catch (RuntimeException | Error e) {
            throw e;
        } catch (Throwable t) {
            throw new IllegalStateException(t);
        }
    }
}
