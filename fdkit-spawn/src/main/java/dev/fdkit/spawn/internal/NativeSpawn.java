package dev.fdkit.spawn.internal;

import java.io.IOException;
import java.io.InputStream;
import java.lang.foreign.Arena;
import java.lang.foreign.FunctionDescriptor;
import java.lang.foreign.Linker;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.SymbolLookup;
import java.lang.invoke.MethodHandle;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.Optional;

import static java.lang.foreign.ValueLayout.ADDRESS;
import static java.lang.foreign.ValueLayout.JAVA_BYTE;
import static java.lang.foreign.ValueLayout.JAVA_INT;
import static java.lang.foreign.ValueLayout.JAVA_LONG;

/**
 * The binding to fdkit's C spawn helper (src/main/c/fdkit_spawn.c): loads it from the jar and turns Java values
 * into the native memory the child reads. The only class of this module that deals with memory layouts.
 *
 * <p>The library is copied once to a private temporary file (owner-only permissions), loaded, and the file is
 * deleted right after loading: the mapping stays valid, nothing is left behind.
 */
public final class NativeSpawn {
    private NativeSpawn() {}

    /** Result slots and failure steps: the same numbers as the C file's enums. */
    static final int OUT_PID = 0, OUT_PIDFD = 1, OUT_ERRNO = 2, OUT_STEP = 3, OUT_ARG = 4, OUT_LEN = 5;

    public static final int STEP_NONE = 0, STEP_STACK = 1, STEP_CLONE = 2, STEP_UNSHARE = 3, STEP_MOVE = 4,
            STEP_PLACE = 5, STEP_DEVNULL = 6, STEP_CHDIR = 7, STEP_RLIMIT = 8, STEP_EXEC = 9, STEP_THREAD = 10,
            STEP_FILE_ACTIONS = 11, STEP_UNSHARE_FS = 12;
    /** A plan source meaning "open /dev/null in the child". */
    public static final int SRC_DEVNULL = -1;
    public static final int MAP_MOVE_FIRST = 1, MAP_OPTIONAL = 2;
    static final int SPAWN_SET_NOFILE = 2;

    /** Room for the child's pid in "LISTEN_PID=": 10 digits and a NUL, rounded up. */
    private static final int PID_DIGITS = 12;
    private static final byte[] LISTEN_PID_PREFIX = "LISTEN_PID=".getBytes(java.nio.charset.StandardCharsets.US_ASCII);
    private static final byte[] BIN_SH = "/bin/sh".getBytes(java.nio.charset.StandardCharsets.US_ASCII);

    /**
     * What the child runs: every string already encoded, without NUL bytes.
     *
     * @param envp null: the process's {@code environ} as it is at the moment of the spawn (read by the helper, so
     *             variables native code set with setenv(3) are included); not allowed with {@code listenPid}
     */
    public record Command(byte[][] paths, byte[][] argv, byte[][] envp, byte[] dir, boolean listenPid) {
        public Command {
            if (envp == null && listenPid) throw new IllegalArgumentException("LISTEN_PID needs an explicit envp");
        }
    }

    /** What happened: pid and pidfd on success; errno, the failing step and its argument otherwise. */
    public record Outcome(int pid, int pidfd, int errno, int step, int arg) {
        public boolean started() {
            return step == STEP_NONE;
        }
    }

    private static final class Lib {
        static final MethodHandle SPAWN, EXEC_IN_PLACE, PROBE, POSIX_SPAWN, USES_CLONE3;
        static final Throwable ERROR;

        static {
            MethodHandle spawn = null, exec = null, probe = null, posix = null, clone3 = null;
            Throwable error = null;
            try {
                SymbolLookup lib = load();
                Linker linker = Linker.nativeLinker();
                FunctionDescriptor plan = FunctionDescriptor.of(JAVA_INT,
                        ADDRESS, JAVA_INT, ADDRESS, ADDRESS, ADDRESS, ADDRESS, ADDRESS, JAVA_INT, ADDRESS, ADDRESS,
                        JAVA_INT, JAVA_INT, JAVA_INT, ADDRESS, JAVA_INT, ADDRESS, ADDRESS);
                spawn = linker.downcallHandle(lib.findOrThrow("fdkit_spawn"), plan);
                exec = linker.downcallHandle(lib.findOrThrow("fdkit_exec_in_place"), plan);
                probe = linker.downcallHandle(lib.findOrThrow("fdkit_probe_clone"),
                        FunctionDescriptor.of(JAVA_INT, ADDRESS, JAVA_INT));
                clone3 = linker.downcallHandle(lib.findOrThrow("fdkit_uses_clone3"), FunctionDescriptor.of(JAVA_INT));
                posix = linker.downcallHandle(lib.findOrThrow("fdkit_posix_spawn"), FunctionDescriptor.of(JAVA_INT,
                        ADDRESS, JAVA_INT, ADDRESS, ADDRESS, ADDRESS, ADDRESS, JAVA_INT, ADDRESS, JAVA_INT, JAVA_INT,
                        ADDRESS, ADDRESS, ADDRESS));
            } catch (Throwable t) {
                error = t;
            }
            SPAWN = spawn;
            EXEC_IN_PLACE = exec;
            PROBE = probe;
            POSIX_SPAWN = posix;
            USES_CLONE3 = clone3;
            ERROR = error;
        }
    }

    private static SymbolLookup load() throws IOException {
        String arch = System.getProperty("os.arch");
        String resource = "/dev/fdkit/spawn/native/linux-" + arch + "/libfdkitspawn.so";
        if (!System.getProperty("os.name", "").startsWith("Linux")) {
            throw new IOException("fdkit-spawn's helper is built for Linux only, not " + System.getProperty("os.name"));
        }
        try (InputStream in = NativeSpawn.class.getResourceAsStream(resource)) {
            if (in == null) throw new IOException("no spawn helper for linux-" + arch + " in the jar (" + resource + ")");
            String dirProp = System.getProperty("fdkit.spawn.libdir", System.getProperty("java.io.tmpdir"));
            Path file = Files.createTempFile(Path.of(dirProp), "fdkitspawn-", ".so",
                    PosixFilePermissions.asFileAttribute(PosixFilePermissions.fromString("rwx------")));
            try {
                Files.copy(in, file, StandardCopyOption.REPLACE_EXISTING);
                return SymbolLookup.libraryLookup(file, Arena.global());
            } catch (IllegalArgumentException e) { // dlopen failed: e.g. a noexec temporary directory
                throw new IOException("cannot load the spawn helper from " + file + " (" + e.getMessage()
                        + "); point -Dfdkit.spawn.libdir at a directory that allows executable mappings", e);
            } finally {
                Files.deleteIfExists(file); // the mapping outlives the name
            }
        }
    }

    /** Why the helper library cannot be used here, if it cannot. */
    public static Optional<Throwable> loadError() {
        return Optional.ofNullable(Lib.ERROR);
    }

    private static void requireLoaded() {
        if (Lib.ERROR != null) throw new IllegalStateException("fdkit-spawn helper unavailable: " + Lib.ERROR, Lib.ERROR);
    }

    /**
     * 0 when a child can be cloned as spawn does and can unshare with close_range; else -errno. Also decides, once,
     * between clone3 (tried first unless {@code fdkit.spawn.clone3=false}) and clone.
     */
    public static int probeClone() {
        requireLoaded();
        int tryClone3 = Boolean.parseBoolean(System.getProperty("fdkit.spawn.clone3", "true")) ? 1 : 0;
        try (Arena arena = Arena.ofConfined()) {
            return (int) Lib.PROBE.invokeExact(arena.allocate(JAVA_INT, OUT_LEN), tryClone3);
        } catch (Throwable t) {
            throw rethrow(t);
        }
    }

    /**
     * Whether the clone mechanism uses clone3 with CLONE_CLEAR_SIGHAND (the kernel resets caught signals at clone
     * time) rather than clone (the child resets every signal, 62 system calls). Decided by {@link #probeClone()}.
     */
    public static boolean usesClone3() {
        requireLoaded();
        try {
            return (int) Lib.USES_CLONE3.invokeExact() != 0;
        } catch (Throwable t) {
            throw rethrow(t);
        }
    }

    /** The clone mechanism: starts the child by the plan (see the C file). */
    public static Outcome spawn(Command c, int[] map, int[] keep, int first, int hi, long[] nofile) {
        return runPlan(Lib.SPAWN, c, map, keep, first, hi, nofile);
    }

    /** Replaces this process's image; returns only on failure, with the outcome saying why. */
    public static Outcome execInPlace(Command c, int[] map, int[] keep, int first, int hi, long[] nofile) {
        return runPlan(Lib.EXEC_IN_PLACE, c, map, keep, first, hi, nofile);
    }

    private static Outcome runPlan(MethodHandle fn, Command c, int[] map, int[] keep, int first, int hi,
                                   long[] nofile) {
        requireLoaded();
        // Everything goes into one per-thread block: no allocation per string, nothing to free.
        Block b = Block.forThread(c, map, keep);
        long paths = b.pointers(c.paths(), 0);
        long argv = b.pointers(c.argv(), 0);
        long listenPid = 0;
        long envp;
        if (c.listenPid()) {
            long entry = b.string(LISTEN_PID_PREFIX, PID_DIGITS);
            listenPid = entry + LISTEN_PID_PREFIX.length;
            envp = b.pointers(c.envp(), entry);
        } else {
            envp = c.envp() == null ? 0 : b.pointers(c.envp(), 0);
        }
        // {"/bin/sh", <candidate, filled by the child>, argv[1..], NULL} for a script without #!
        long shArgv = b.words(c.argv().length + 2);
        b.putWord(shArgv, 0, b.base + b.string(BIN_SH, 0));
        b.putWord(shArgv, 1, 0);
        for (int i = 1; i < c.argv().length; i++) b.putWord(shArgv, i + 1, b.getWord(argv, i));
        b.putWord(shArgv, c.argv().length + 1, 0);
        long dir = c.dir() == null ? 0 : b.string(c.dir(), 0);
        long mapAt = b.ints(map);
        long scratch = b.ints(new int[Math.max(1, map.length / 3)]);
        long keepAt = b.ints(keep);
        long nofileAt = 0;
        int flags = 0;
        if (nofile != null) {
            nofileAt = b.words(2);
            b.putWord(nofileAt, 0, nofile[0]);
            b.putWord(nofileAt, 1, nofile[1]);
            flags |= SPAWN_SET_NOFILE;
        }
        long out = b.ints(new int[OUT_LEN]);
        try {
            int unused = (int) fn.invokeExact(b.at(paths), c.paths().length, b.at(argv), b.at(envp), b.at(shArgv),
                    b.at(dir), b.at(mapAt), map.length / 3, b.at(scratch), b.at(keepAt), keep.length, first, hi,
                    b.at(listenPid), flags, b.at(nofileAt), b.at(out));
        } catch (Throwable t) {
            throw rethrow(t);
        }
        return outcome(b.at(out));
    }

    /**
     * A bump allocator over a per-thread native block, reused by each spawn of that thread: strings, pointer
     * arrays and int arrays laid out one after the other. Offsets are relative to the block; 0 means NULL.
     */
    private static final class Block {
        private static final ThreadLocal<MemorySegment[]> BLOCKS = ThreadLocal.withInitial(() -> new MemorySegment[1]);
        private final MemorySegment seg;
        private final long base;
        private long next = 8; // offset 0 stays unused so that 0 can mean NULL

        private Block(MemorySegment seg) {
            this.seg = seg;
            this.base = seg.address();
        }

        static Block forThread(Command c, int[] map, int[] keep) {
            long size = 512 + LISTEN_PID_PREFIX.length + PID_DIGITS + 4L * (map.length + map.length / 3 + keep.length);
            for (byte[][] strings : new byte[][][] {c.paths(), c.argv(), c.envp()}) {
                if (strings == null) continue;
                size += 8L * (strings.length + 3);
                for (byte[] s : strings) size += s.length + 1;
            }
            size += 8L * (c.argv().length + 2) + (c.dir() == null ? 0 : c.dir().length + 1);
            MemorySegment[] holder = BLOCKS.get();
            if (holder[0] == null || holder[0].byteSize() < size) {
                holder[0] = Arena.ofAuto().allocate(Math.max(size * 2, 16384), 16);
            }
            return new Block(holder[0]);
        }

        private long take(long size, long align) {
            next = (next + align - 1) & -align;
            long at = next;
            next += size;
            return at;
        }

        /** A NUL-terminated copy of {@code s} followed by {@code room} zero bytes. */
        long string(byte[] s, int room) {
            long at = take(s.length + 1L + room, 1);
            MemorySegment.copy(s, 0, seg, JAVA_BYTE, at, s.length);
            seg.asSlice(at + s.length, 1L + room).fill((byte) 0);
            return at;
        }

        long words(int n) {
            return take(8L * n, 8);
        }

        void putWord(long array, int i, long value) {
            seg.set(JAVA_LONG, array + 8L * i, value);
        }

        long getWord(long array, int i) {
            return seg.get(JAVA_LONG, array + 8L * i);
        }

        /** A NULL-terminated array of C strings, with the string at {@code extra} (if not 0) before the NULL. */
        long pointers(byte[][] strings, long extra) {
            int n = strings.length + (extra == 0 ? 0 : 1);
            long array = words(n + 1);
            for (int i = 0; i < strings.length; i++) putWord(array, i, base + string(strings[i], 0));
            if (extra != 0) putWord(array, strings.length, base + extra);
            putWord(array, n, 0);
            return array;
        }

        long ints(int[] values) {
            long at = take(4L * Math.max(1, values.length), 8);
            MemorySegment.copy(values, 0, seg, JAVA_INT, at, values.length);
            return at;
        }

        /** The block at {@code offset} as a pointer argument; NULL for 0. */
        MemorySegment at(long offset) {
            return offset == 0 ? MemorySegment.NULL : seg.asSlice(offset);
        }
    }

    /**
     * The posix_spawn mechanism. {@code addclosefrom} and {@code addchdir} are glibc's _np functions (null when
     * this libc lacks them): the helper refuses to spawn without closefrom rather than leak. {@code envp} null: the
     * process's current environ, as for {@link Command}.
     */
    public static Outcome posixSpawn(byte[] path, boolean search, byte[][] argv, byte[][] envp, byte[] dir, int[] map,
                                     int[] keep, int hi) {
        requireLoaded();
        try (Arena arena = Arena.ofConfined()) {
            MemorySegment out = arena.allocate(JAVA_INT, OUT_LEN);
            // Locals, not expressions: invokeExact takes each argument's static type as the call's type.
            MemorySegment dirSeg = dir == null ? MemorySegment.NULL : cString(arena, dir);
            MemorySegment envpSeg = envp == null ? MemorySegment.NULL : pointers(arena, envp, null); // null: environ
            MemorySegment closefrom = GlibcSpawnActions.ADDCLOSEFROM.orElse(MemorySegment.NULL);
            MemorySegment chdir = GlibcSpawnActions.ADDCHDIR.orElse(MemorySegment.NULL);
            int unused = (int) Lib.POSIX_SPAWN.invokeExact(cString(arena, path), search ? 1 : 0,
                    pointers(arena, argv, null), envpSeg, dirSeg, ints(arena, map),
                    map.length / 3, ints(arena, keep), keep.length, hi, closefrom, chdir, out);
            return outcome(out);
        } catch (Throwable t) {
            throw rethrow(t);
        }
    }

    /** glibc's non-portable spawn file actions, looked up at run time: present from 2.34 and 2.29. */
    public static final class GlibcSpawnActions {
        private GlibcSpawnActions() {}

        public static final Optional<MemorySegment> ADDCLOSEFROM =
                Linker.nativeLinker().defaultLookup().find("posix_spawn_file_actions_addclosefrom_np");
        public static final Optional<MemorySegment> ADDCHDIR =
                Linker.nativeLinker().defaultLookup().find("posix_spawn_file_actions_addchdir_np");
    }

    private static Outcome outcome(MemorySegment out) {
        return new Outcome(out.getAtIndex(JAVA_INT, OUT_PID), out.getAtIndex(JAVA_INT, OUT_PIDFD),
                out.getAtIndex(JAVA_INT, OUT_ERRNO), out.getAtIndex(JAVA_INT, OUT_STEP),
                out.getAtIndex(JAVA_INT, OUT_ARG));
    }

    private static MemorySegment cString(Arena arena, byte[] s) {
        MemorySegment seg = arena.allocate(s.length + 1L); // zeroed: the NUL is already there
        MemorySegment.copy(s, 0, seg, JAVA_BYTE, 0, s.length);
        return seg;
    }

    /** A NULL-terminated array of C strings, with {@code extra} (already a C string) before the NULL. */
    private static MemorySegment pointers(Arena arena, byte[][] strings, MemorySegment extra) {
        int n = strings.length + (extra == null ? 0 : 1);
        MemorySegment array = arena.allocate(ADDRESS, n + 1L);
        for (int i = 0; i < strings.length; i++) array.setAtIndex(ADDRESS, i, cString(arena, strings[i]));
        if (extra != null) array.setAtIndex(ADDRESS, strings.length, extra);
        array.setAtIndex(ADDRESS, n, MemorySegment.NULL);
        return array;
    }

    private static MemorySegment ints(Arena arena, int[] values) {
        MemorySegment seg = arena.allocate(JAVA_INT, Math.max(1, values.length));
        MemorySegment.copy(values, 0, seg, JAVA_INT, 0, values.length);
        return seg;
    }

    private static RuntimeException rethrow(Throwable t) {
        if (t instanceof RuntimeException re) return re;
        if (t instanceof Error e) throw e;
        return new IllegalStateException(t);
    }
}
