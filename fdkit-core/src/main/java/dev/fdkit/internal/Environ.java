package dev.fdkit.internal;

import java.lang.foreign.FunctionDescriptor;
import java.lang.foreign.Linker;
import java.lang.foreign.MemorySegment;
import java.lang.invoke.MethodHandle;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;

import static java.lang.foreign.ValueLayout.ADDRESS;
import static java.lang.foreign.ValueLayout.JAVA_BYTE;
import static java.lang.foreign.ValueLayout.JAVA_LONG;

/**
 * The C library's {@code environ}, read as raw bytes: the JDK decodes the environment into Strings, which loses
 * bytes that are not valid in the platform encoding, and it snapshots it once, missing later setenv(3) calls.
 */
public final class Environ {
    private Environ() {}

    /** A bound on the entries read: environ is NUL-terminated, this only guards against a corrupt table. */
    private static final int MAX_ENTRIES = 1 << 20;

    private static final class Binding {
        /** The variable {@code char **environ} itself (its address, not its value). */
        static final MemorySegment ENVIRON = Linker.nativeLinker().defaultLookup().find("environ")
                .orElseThrow(() -> new UnsatisfiedLinkError("libc has no environ"))
                .reinterpret(ADDRESS.byteSize());
        // strlen(3)
        static final MethodHandle STRLEN = Ffm.plainDowncall("strlen", FunctionDescriptor.of(JAVA_LONG, ADDRESS));
    }

    /**
     * Each "NAME=value" entry of the process's environment right now, byte for byte, in environ's order. Racy
     * against a concurrent setenv(3) in native code exactly as reading environ in C is.
     */
    public static byte[][] current() {
        MemorySegment table = Binding.ENVIRON.get(ADDRESS, 0);
        if (table.equals(MemorySegment.NULL)) return new byte[0][];
        table = table.reinterpret(ADDRESS.byteSize() * (long) MAX_ENTRIES);
        int n = 0;
        while (n < MAX_ENTRIES && !table.getAtIndex(ADDRESS, n).equals(MemorySegment.NULL)) n++;
        byte[][] out = new byte[n][];
        try {
            for (int i = 0; i < n; i++) {
                MemorySegment s = table.getAtIndex(ADDRESS, i);
                long len = (long) Binding.STRLEN.invokeExact(s);
                out[i] = s.reinterpret(len).toArray(JAVA_BYTE);
            }
        } catch (Throwable t) {
            throw Ffm.unchecked(t);
        }
        return out;
    }

    /** {@link #current()} less the entries whose name (the bytes before the first '=') is one of {@code names}. */
    public static byte[][] currentWithout(Set<String> names) {
        byte[][] all = current();
        List<byte[]> out = new ArrayList<>(all.length);
        for (byte[] e : all) {
            int eq = 0;
            while (eq < e.length && e[eq] != '=') eq++;
            if (eq == e.length || !names.contains(new String(e, 0, eq, StandardCharsets.ISO_8859_1))) out.add(e);
        }
        return out.size() == all.length ? all : out.toArray(new byte[0][]);
    }
}
