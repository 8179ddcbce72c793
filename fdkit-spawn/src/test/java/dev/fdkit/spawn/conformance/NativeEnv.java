package dev.fdkit.spawn.conformance;

import java.lang.foreign.Arena;
import java.lang.foreign.FunctionDescriptor;
import java.lang.foreign.Linker;
import java.lang.foreign.MemorySegment;
import java.lang.invoke.MethodHandle;

import static java.lang.foreign.ValueLayout.ADDRESS;
import static java.lang.foreign.ValueLayout.JAVA_INT;

/** setenv(3) and unsetenv(3), as native code in the JVM would call them: the C environ changes, System.getenv not. */
final class NativeEnv {
    private NativeEnv() {}

    private static final Linker LINKER = Linker.nativeLinker();
    private static final MethodHandle SETENV = LINKER.downcallHandle(LINKER.defaultLookup().findOrThrow("setenv"),
            FunctionDescriptor.of(JAVA_INT, ADDRESS, ADDRESS, JAVA_INT));
    private static final MethodHandle UNSETENV = LINKER.downcallHandle(LINKER.defaultLookup().findOrThrow("unsetenv"),
            FunctionDescriptor.of(JAVA_INT, ADDRESS));

    static void setenv(String name, String value) {
        try (Arena a = Arena.ofConfined()) {
            int r = (int) SETENV.invokeExact(a.allocateFrom(name), a.allocateFrom(value), 1);
            if (r != 0) throw new IllegalStateException("setenv(" + name + ") failed");
        } catch (Throwable t) {
            throw t instanceof RuntimeException re ? re : new IllegalStateException(t);
        }
    }

    static void unsetenv(String name) {
        try (Arena a = Arena.ofConfined()) {
            int unused = (int) UNSETENV.invokeExact(a.allocateFrom(name));
        } catch (Throwable t) {
            throw t instanceof RuntimeException re ? re : new IllegalStateException(t);
        }
    }
}
