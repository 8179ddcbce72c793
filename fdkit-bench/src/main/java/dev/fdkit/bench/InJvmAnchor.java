package dev.fdkit.bench;

import java.io.IOException;
import java.lang.foreign.Arena;
import java.lang.foreign.FunctionDescriptor;
import java.lang.foreign.Linker;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.SymbolLookup;
import java.lang.invoke.MethodHandle;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;

import static java.lang.foreign.ValueLayout.ADDRESS;
import static java.lang.foreign.ValueLayout.JAVA_INT;

/**
 * The C anchor's spawn floors inside this JVM: anchor.c built a second time as a shared library (libfdkit-anchor.so,
 * shipped in this jar beside the program), loaded into the bench's JVM and called through one FFM downcall per spawn,
 * timed by the same Java loop as fdkit's rows. The same floor in the C anchor's own single-threaded process against
 * this one is what spawning from a JVM process costs (its threads, its address space, its descriptors, a JVM thread
 * as the parent); fdkit against this one is what fdkit's own Java and native work costs.
 */
final class InJvmAnchor {
    static final String LIBRARY = "libfdkit-anchor.so";
    /** How much of the library's per-thread message buffer is read (its size in anchor.c). */
    private static final long ERROR_BYTES = 256;

    /** The floors the bench times, by the method id {@code fdkit_anchor_spawn_once} takes. */
    enum Floor {
        /** clone(CLONE_VM | CLONE_VFORK | CLONE_FILES), close_range(3, ~0U, CLOSE_RANGE_UNSHARE), execve, waitpid. */
        FLOOR(0, "C floor in this JVM"),
        /** The same child made and waited for with fdkit's system calls (clone3 with a pidfd, epoll, poll, waitid). */
        FLOOR_PIDFD(1, "C floor + pidfd/epoll in this JVM"),
        /**
         * FLOOR_PIDFD with a reaper thread that the eventfd write wakes and that reads the child's /proc/PID/stat,
         * as fdkit's reaper does for the JDK's ProcessHandle: fdkit's design in C, so that fdkit against it in one
         * JVM is what fdkit's Java costs.
         */
        FLOOR_REAPER(3, "C floor + pidfd + reaper in this JVM");

        private final int id;
        private final String label;

        Floor(int id, String label) {
            this.id = id;
            this.label = label;
        }

        String label() {
            return label;
        }

        /** The method id of {@code fdkit_anchor_spawn_once}. */
        int id() {
            return id;
        }
    }

    /** (int method, const char *path) int: the exit status, or -1 with the message in {@link #error}. */
    private final MethodHandle spawnOnce;
    /** () const char *: the calling thread's last failure. */
    private final MethodHandle error;
    /** {@link SpawnMethod#PROGRAM} as a C string, made once. */
    private final MemorySegment program;

    private InJvmAnchor(MethodHandle spawnOnce, MethodHandle error, MemorySegment program) {
        this.spawnOnce = spawnOnce;
        this.error = error;
        this.program = program;
    }

    /** Whether this jar carries the library for this machine's architecture. */
    static boolean shipped() {
        return ShippedNative.shipped(LIBRARY);
    }

    /** Loaded on first use, once per JVM: every load of a new copy would map the library again, for good. */
    private static final class Loaded {
        static final InJvmAnchor ANCHOR;
        static final IOException FAILURE;

        static {
            InJvmAnchor anchor = null;
            IOException failure = null;
            try {
                anchor = load();
            } catch (IOException e) {
                failure = e;
            }
            ANCHOR = anchor;
            FAILURE = failure;
        }
    }

    /** The library, loaded into this JVM; IOException saying why where it does not load. */
    static InJvmAnchor get() throws IOException {
        if (Loaded.ANCHOR == null) throw new IOException(Loaded.FAILURE.getMessage(), Loaded.FAILURE);
        return Loaded.ANCHOR;
    }

    /**
     * Copies the library out of the jar into a private temporary file, loads it for the life of the JVM
     * ({@link Arena#global()}) and deletes the file again: the mapping keeps the image.
     */
    private static InJvmAnchor load() throws IOException {
        Path file = ShippedNative.copyOut(LIBRARY);
        try {
            SymbolLookup lookup = SymbolLookup.libraryLookup(file, Arena.global());
            Linker linker = Linker.nativeLinker();
            MethodHandle spawnOnce = linker.downcallHandle(symbol(lookup, "fdkit_anchor_spawn_once"),
                    FunctionDescriptor.of(JAVA_INT, JAVA_INT, ADDRESS));
            MethodHandle error = linker.downcallHandle(symbol(lookup, "fdkit_anchor_error"), FunctionDescriptor.of(ADDRESS));
            return new InJvmAnchor(spawnOnce, error, Arena.global().allocateFrom(SpawnMethod.PROGRAM));
        } catch (IllegalArgumentException | IllegalCallerException e) { // not loadable here, or native access refused
            throw new IOException(LIBRARY + " did not load: " + e.getMessage(), e);
        } finally {
            Files.deleteIfExists(file);
        }
    }

    private static MemorySegment symbol(SymbolLookup lookup, String name) throws IOException {
        return lookup.find(name).orElseThrow(() -> new IOException(LIBRARY + " has no symbol " + name));
    }

    /** Starts {@link SpawnMethod#PROGRAM} by {@code floor} from the calling thread and waits: its exit status. */
    int spawnAndWait(Floor floor) throws IOException {
        return call(floor.id, program);
    }

    /**
     * Starts {@code path} (argv: the path alone) by the library's method {@code method} (0 floor, 1 floor-pidfd,
     * 2 posix_spawn+closefrom_np, 3 floor-reaper) and waits: its exit status, 127 where exec failed. IOException
     * with the library's message where it failed, an unknown method among them.
     */
    int spawnAndWait(int method, String path) throws IOException {
        try (Arena arena = Arena.ofConfined()) {
            return call(method, arena.allocateFrom(path));
        }
    }

    private int call(int method, MemorySegment path) throws IOException {
        int status;
        try {
            status = (int) spawnOnce.invokeExact(method, path);
        } catch (Throwable t) {
            throw new IllegalStateException("fdkit_anchor_spawn_once downcall failed", t);
        }
        if (status >= 0) return status;
        // The message is the calling thread's: a platform thread stays on its OS thread between the two calls.
        throw new IOException("the in-JVM C anchor, method " + method + ": " + lastError());
    }

    private String lastError() {
        try {
            return ((MemorySegment) error.invokeExact()).reinterpret(ERROR_BYTES).getString(0);
        } catch (Throwable t) {
            throw new IllegalStateException("fdkit_anchor_error downcall failed", t);
        }
    }

    /** {@code floor} as a bench method. */
    SpawnMethod method(Floor floor) {
        return new SpawnMethod(floor.name().toLowerCase(Locale.ROOT).replace('_', '-') + "-in-jvm", floor.label(),
                () -> spawnAndWait(floor));
    }

    /** The floors that start here; for each one that does not, a note saying why. */
    static List<SpawnMethod> available(List<String> notes) {
        List<SpawnMethod> out = new ArrayList<>();
        String missing = null;
        InJvmAnchor anchor = null;
        if (!shipped()) {
            missing = "this jar has no " + LIBRARY + " for " + System.getProperty("os.arch");
        } else {
            try {
                anchor = get();
            } catch (IOException e) {
                missing = "the in-JVM C anchor did not load (" + e.getMessage() + ")";
            }
        }
        for (Floor f : Floor.values()) {
            if (anchor == null) notes.add(missing + ": " + f.label() + " skipped");
            else FdkitSpawn.addIfItStarts(anchor.method(f), out, notes);
        }
        return out;
    }
}
