package dev.fdkit.spawn.internal;

import dev.fdkit.internal.Settings;

import java.lang.foreign.Arena;
import java.lang.foreign.FunctionDescriptor;
import java.lang.foreign.Linker;
import java.lang.foreign.MemoryLayout;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.SymbolLookup;
import java.lang.invoke.MethodHandle;
import java.nio.charset.StandardCharsets;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Optional;

import static java.lang.foreign.ValueLayout.ADDRESS;
import static java.lang.foreign.ValueLayout.JAVA_BYTE;
import static java.lang.foreign.ValueLayout.JAVA_INT;
import static java.lang.foreign.ValueLayout.JAVA_LONG;

/**
 * The binding to fdkit's C spawn helper (src/main/c, its ABI in fdkit_spawn.h and {@link SpawnAbi}): loads it from
 * the jar and turns Java values into the one {@code struct fdkit_plan} each entry point takes. With SpawnAbi, the
 * only classes of this module that deal with memory layouts.
 *
 * <p>{@link HelperLibrary} maps the library once, leaving no file behind.
 */
public final class NativeSpawn {
    private NativeSpawn() {}

    /** A plan source meaning "open /dev/null in the child". */
    public static final int SRC_DEVNULL = SpawnAbi.FROM_DEVNULL;

    /** Room for the child's pid in "LISTEN_PID=": 10 digits and a NUL, rounded up. */
    private static final int PID_DIGITS = 12;
    private static final byte[] LISTEN_PID_PREFIX = "LISTEN_PID=".getBytes(StandardCharsets.US_ASCII);

    /**
     * What the child runs: every string already encoded, without NUL bytes.
     *
     * @param paths the files to exec in execvp order; for posix-spawn the one program as given
     * @param envp  null: the process's {@code environ} as it is at the moment of the spawn (read by the helper, so
     *              variables native code set with setenv(3) are included), less its socket-activation variables
     *              (LISTEN_PID, LISTEN_FDS, LISTEN_FDNAMES), which describe this process's descriptors, not the
     *              child's; not allowed with {@code listenPid}
     */
    public record Command(byte[][] paths, byte[][] argv, byte[][] envp, byte[] dir, boolean listenPid) {
        public Command {
            if (envp == null && listenPid) throw new IllegalArgumentException("LISTEN_PID needs an explicit envp");
        }
    }

    /** What happened: pid and pidfd on success; errno, the failing step ({@code SpawnAbi.STEP_*}) and its
     * argument (fdkit_spawn.h says what it means for each step) otherwise. */
    public record Outcome(int pid, int pidfd, int errno, int step, int arg) {
        public boolean started() {
            return step == SpawnAbi.STEP_NONE;
        }
    }

    private static final class Lib {
        static final MethodHandle SPAWN, EXEC_IN_PLACE, POSIX_SPAWN, PROBE, USES_CLONE3, ABI_LAYOUT, ABI_CONSTANTS;
        static final Throwable ERROR;

        static {
            MethodHandle spawn = null, exec = null, posix = null, probe = null, clone3 = null, layout = null,
                    constants = null;
            Throwable error = null;
            try {
                SymbolLookup lib = HelperLibrary.load();
                Linker linker = Linker.nativeLinker();
                FunctionDescriptor onePlan = FunctionDescriptor.of(JAVA_INT, ADDRESS);
                spawn = linker.downcallHandle(lib.findOrThrow("fdkit_spawn"), onePlan);
                exec = linker.downcallHandle(lib.findOrThrow("fdkit_exec_in_place"), onePlan);
                posix = linker.downcallHandle(lib.findOrThrow("fdkit_posix_spawn"), onePlan);
                probe = linker.downcallHandle(lib.findOrThrow("fdkit_probe_clone"),
                        FunctionDescriptor.of(JAVA_INT, JAVA_INT));
                clone3 = linker.downcallHandle(lib.findOrThrow("fdkit_uses_clone3"), FunctionDescriptor.of(JAVA_INT));
                FunctionDescriptor table = FunctionDescriptor.of(ADDRESS, ADDRESS);
                layout = linker.downcallHandle(lib.findOrThrow("fdkit_abi_layout"), table);
                constants = linker.downcallHandle(lib.findOrThrow("fdkit_abi_constants"), table);
            } catch (Throwable t) {
                error = t;
            }
            SPAWN = spawn;
            EXEC_IN_PLACE = exec;
            POSIX_SPAWN = posix;
            PROBE = probe;
            USES_CLONE3 = clone3;
            ABI_LAYOUT = layout;
            ABI_CONSTANTS = constants;
            ERROR = error;
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
     * 0 when a child can be cloned as spawn does (with a pidfd) and given a private table; else -errno. Also
     * decides, once, between clone3 (tried first unless {@code fdkit.spawn.clone3=false}) and clone.
     */
    public static int probeClone() {
        requireLoaded();
        int tryClone3 = Settings.flag(Settings.SPAWN_CLONE3, true) ? 1 : 0;
        try {
            return (int) Lib.PROBE.invokeExact(tryClone3);
        } catch (Throwable t) {
            throw rethrow(t);
        }
    }

    /**
     * Whether the clone mechanism uses clone3 with CLONE_CLEAR_SIGHAND (the kernel resets caught signals at clone
     * time) rather than clone (the child asks for each signal's disposition and resets the caught ones). Decided
     * by {@link #probeClone()}.
     */
    public static boolean usesClone3() {
        requireLoaded();
        try {
            return (int) Lib.USES_CLONE3.invokeExact() != 0;
        } catch (Throwable t) {
            throw rethrow(t);
        }
    }

    /** The clone mechanism: starts the child by the plan. {@code nofile}: the child's {soft, hard} RLIMIT_NOFILE,
     * or null to leave it as the JVM's. */
    public static Outcome spawn(Command c, Plan plan, long[] nofile) {
        return run(Lib.SPAWN, c, plan, nofile, 0);
    }

    /** Replaces this process's image; returns only on failure, with the outcome saying why. */
    public static Outcome execInPlace(Command c, Plan plan, long[] nofile) {
        return run(Lib.EXEC_IN_PLACE, c, plan, nofile, 0);
    }

    /**
     * The posix-spawn mechanism: {@code c.paths()} holds the one program; {@code search}: a bare name the C
     * library looks up in PATH. glibc's _np file actions are looked up here (absent before glibc 2.34 and 2.29
     * and elsewhere): the helper refuses to spawn without closefrom rather than leak. Where the helper does not
     * load (or {@code fdkit.spawn.posixSpawnBinding=ffm}), the C library's posix_spawn is called through FFM
     * instead ({@link LibcPosixSpawn}), with the same file actions.
     */
    public static Outcome posixSpawn(Command c, boolean search, Plan plan) {
        if (Mechanisms.posixSpawnBinding() == PosixSpawnBinding.FFM) return LibcPosixSpawn.spawn(c, search, plan);
        return run(Lib.POSIX_SPAWN, c, plan, null, search ? SpawnAbi.PLAN_PATH_SEARCH : 0);
    }

    private static Outcome run(MethodHandle fn, Command c, Plan plan, long[] nofile, int flags) {
        requireLoaded();
        if (!SpawnAbi.POINTER_IS_LONG) throw new IllegalStateException("fdkit-spawn's helper needs a 64-bit JVM");
        InjectedFailure fail = InjectedFailure.current();
        // Everything goes into one per-thread block: no allocation per string, nothing to free.
        Block b = Block.forThread(c, plan);
        MemorySegment s = b.seg;
        long at = b.take(SpawnAbi.PLAN.byteSize(), SpawnAbi.PLAN.byteAlignment());
        b.setPointer(at + SpawnAbi.PATHS, b.pointers(c.paths(), 0));
        b.setPointer(at + SpawnAbi.ARGV, b.pointers(c.argv(), 0));
        long listenPid = 0;
        if (c.listenPid()) {
            long entry = b.string(LISTEN_PID_PREFIX, PID_DIGITS);
            listenPid = entry + LISTEN_PID_PREFIX.length;
            b.setPointer(at + SpawnAbi.ENVP, b.pointers(c.envp(), entry));
        } else {
            b.setPointer(at + SpawnAbi.ENVP, c.envp() == null ? 0 : b.pointers(c.envp(), 0));
        }
        b.setPointer(at + SpawnAbi.LISTEN_PID, listenPid);
        b.setPointer(at + SpawnAbi.DIR, c.dir() == null ? 0 : b.string(c.dir(), 0));
        int n = plan.mappings.size();
        long maps = b.take(SpawnAbi.MAP.byteSize() * Math.max(1, n), SpawnAbi.MAP.byteAlignment());
        for (int i = 0; i < n; i++) {
            long m = maps + i * SpawnAbi.MAP.byteSize();
            s.set(JAVA_INT, m + SpawnAbi.MAP_FROM, plan.mappings.get(i).src());
            s.set(JAVA_INT, m + SpawnAbi.MAP_TO, plan.mappings.get(i).dst());
            s.set(JAVA_INT, m + SpawnAbi.MAP_FLAGS, plan.flags[i]);
        }
        b.setPointer(at + SpawnAbi.MAPS, maps);
        b.setPointer(at + SpawnAbi.KEEP, b.ints(plan.keep));
        s.set(JAVA_LONG, at + SpawnAbi.ADDCLOSEFROM_NP, PosixSpawnCalls.addCloseFromAddress());
        s.set(JAVA_LONG, at + SpawnAbi.ADDCHDIR_NP, PosixSpawnCalls.addChdirAddress());
        s.set(JAVA_LONG, at + SpawnAbi.SIG_DEFAULT, 0L); // caught signals to SIG_DFL, ignored ones stay ignored: as exec does
        s.set(JAVA_LONG, at + SpawnAbi.SIG_MASK, 0L); // the program starts with no signal blocked
        s.set(JAVA_LONG, at + SpawnAbi.NOFILE_SOFT, nofile == null ? 0L : nofile[0]);
        s.set(JAVA_LONG, at + SpawnAbi.NOFILE_HARD, nofile == null ? 0L : nofile[1]);
        s.set(JAVA_INT, at + SpawnAbi.NPATHS, c.paths().length);
        s.set(JAVA_INT, at + SpawnAbi.NMAPS, n);
        s.set(JAVA_INT, at + SpawnAbi.NKEEP, plan.keep.length);
        s.set(JAVA_INT, at + SpawnAbi.FIRST, plan.first);
        s.set(JAVA_INT, at + SpawnAbi.HI, plan.hi);
        s.set(JAVA_INT, at + SpawnAbi.FLAGS, flags | (nofile == null ? 0 : SpawnAbi.PLAN_SET_NOFILE)
                | (c.envp() == null ? SpawnAbi.PLAN_ENVIRON_NO_LISTEN : 0));
        s.set(JAVA_INT, at + SpawnAbi.FAIL_STEP, fail == null ? SpawnAbi.STEP_NONE : fail.step());
        s.set(JAVA_INT, at + SpawnAbi.FAIL_ERROR, fail == null ? 0 : fail.errno());
        try {
            int unused = (int) fn.invokeExact(b.at(at));
        } catch (Throwable t) {
            throw rethrow(t);
        }
        return new Outcome(s.get(JAVA_INT, at + SpawnAbi.RESULT_PID), s.get(JAVA_INT, at + SpawnAbi.RESULT_PIDFD),
                s.get(JAVA_INT, at + SpawnAbi.RESULT_ERROR), s.get(JAVA_INT, at + SpawnAbi.RESULT_STEP),
                s.get(JAVA_INT, at + SpawnAbi.RESULT_ARG));
    }

    /**
     * A bump allocator over a per-thread native block, reused by each spawn of that thread: the plan, strings,
     * pointer arrays and int arrays laid out one after the other. Offsets are relative to the block; 0 means NULL.
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

        static Block forThread(Command c, Plan plan) {
            long size = 512 + SpawnAbi.PLAN.byteSize() + LISTEN_PID_PREFIX.length + PID_DIGITS
                    + SpawnAbi.MAP.byteSize() * plan.mappings.size() + JAVA_INT.byteSize() * plan.keep.length;
            for (byte[][] strings : new byte[][][] {c.paths(), c.argv(), c.envp()}) {
                if (strings == null) continue;
                size += ADDRESS.byteSize() * (strings.length + 3);
                for (byte[] s : strings) size += s.length + 1;
            }
            size += c.dir() == null ? 0 : c.dir().length + 1;
            MemorySegment[] holder = BLOCKS.get();
            if (holder[0] == null || holder[0].byteSize() < size) {
                holder[0] = Arena.ofAuto().allocate(Math.max(size * 2, 16384), 16);
            }
            return new Block(holder[0]);
        }

        long take(long size, long align) {
            next = (next + align - 1) & -align;
            long at = next;
            next += size;
            return at;
        }

        /** Sets the pointer at block offset {@code slot} to the block's {@code offset} (0: NULL). */
        void setPointer(long slot, long offset) {
            seg.set(JAVA_LONG, slot, pointer(offset));
        }

        private long pointer(long offset) {
            return offset == 0 ? 0L : base + offset;
        }

        /** A NUL-terminated copy of {@code s} followed by {@code room} zero bytes. */
        long string(byte[] s, int room) {
            long at = take(s.length + 1L + room, 1);
            MemorySegment.copy(s, 0, seg, JAVA_BYTE, at, s.length);
            for (long i = 0; i <= room; i++) seg.set(JAVA_BYTE, at + s.length + i, (byte) 0);
            return at;
        }

        /** A NULL-terminated array of C strings, with the string at {@code extra} (if not 0) before the NULL. */
        long pointers(byte[][] strings, long extra) {
            int n = strings.length + (extra == 0 ? 0 : 1);
            long array = take(ADDRESS.byteSize() * (n + 1), ADDRESS.byteAlignment());
            for (int i = 0; i < strings.length; i++) setPointer(array + ADDRESS.byteSize() * i, string(strings[i], 0));
            setPointer(array + ADDRESS.byteSize() * strings.length, extra); // NULL when there is none
            setPointer(array + ADDRESS.byteSize() * n, 0);
            return array;
        }

        long ints(int[] values) {
            long at = take(JAVA_INT.byteSize() * Math.max(1, values.length), JAVA_INT.byteAlignment());
            MemorySegment.copy(values, 0, seg, JAVA_INT, at, values.length);
            return at;
        }

        /** The block at {@code offset} as a pointer argument. */
        MemorySegment at(long offset) {
            return seg.asSlice(offset);
        }
    }

    /** The library's own account of its ABI (fdkit_abi_layout): "struct" or "struct.member" -> {offset, size}. */
    static Map<String, long[]> abiLayout() {
        Map<String, long[]> out = new LinkedHashMap<>();
        MemorySegment rows = table(Lib.ABI_LAYOUT, SpawnAbi.ABI_FIELD);
        for (long at = 0; at < rows.byteSize(); at += SpawnAbi.ABI_FIELD.byteSize()) {
            out.put(name((MemorySegment) SpawnAbi.ABI_FIELD_NAME.get(rows, at)), new long[] {
                    (long) SpawnAbi.ABI_FIELD_OFFSET.get(rows, at), (long) SpawnAbi.ABI_FIELD_SIZE.get(rows, at)});
        }
        return out;
    }

    /** The library's own account of its constants (fdkit_abi_constants): C name -> value. */
    static Map<String, Long> abiConstants() {
        Map<String, Long> out = new LinkedHashMap<>();
        MemorySegment rows = table(Lib.ABI_CONSTANTS, SpawnAbi.ABI_CONSTANT);
        for (long at = 0; at < rows.byteSize(); at += SpawnAbi.ABI_CONSTANT.byteSize()) {
            out.put(name((MemorySegment) SpawnAbi.ABI_CONSTANT_NAME.get(rows, at)),
                    (long) SpawnAbi.ABI_CONSTANT_VALUE.get(rows, at));
        }
        return out;
    }

    /** The static array a table function returns, sized by the count it reports. */
    private static MemorySegment table(MethodHandle fn, MemoryLayout row) {
        requireLoaded();
        try (Arena arena = Arena.ofConfined()) {
            MemorySegment count = arena.allocate(JAVA_INT);
            MemorySegment table = (MemorySegment) fn.invokeExact(count);
            return table.reinterpret(row.byteSize() * count.get(JAVA_INT, 0));
        } catch (Throwable t) {
            throw rethrow(t);
        }
    }

    private static String name(MemorySegment cString) {
        return cString.reinterpret(Long.MAX_VALUE).getString(0, StandardCharsets.US_ASCII);
    }

    private static RuntimeException rethrow(Throwable t) {
        if (t instanceof RuntimeException re) return re;
        if (t instanceof Error e) throw e;
        return new IllegalStateException(t);
    }
}
