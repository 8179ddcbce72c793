package dev.fdkit.spawn.internal;

import dev.fdkit.internal.Ffm;
import dev.fdkit.internal.RawSyscalls;

import java.lang.foreign.Arena;
import java.lang.foreign.FunctionDescriptor;
import java.lang.foreign.Linker;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.SymbolLookup;
import java.lang.invoke.MethodHandle;
import java.util.Optional;

import static java.lang.foreign.ValueLayout.ADDRESS;
import static java.lang.foreign.ValueLayout.JAVA_BYTE;
import static java.lang.foreign.ValueLayout.JAVA_INT;
import static java.lang.foreign.ValueLayout.JAVA_LONG;
import static java.lang.foreign.ValueLayout.JAVA_SHORT;

/**
 * The C library's posix_spawn(3) and its file-action and attribute objects, bound through FFM: the posix-spawn
 * mechanism where fdkit's helper library does not load. The only class of that path that deals with memory.
 *
 * <p>These functions return an error number instead of setting errno, so no call state is captured; the one
 * system call here (rt_sigaction) goes through {@link RawSyscalls}, which captures errno. Handles are made on
 * first use, one holder per concern; the non-portable file actions (closefrom, chdir) are optional symbols.
 */
final class PosixSpawnCalls {
    private PosixSpawnCalls() {}

    // <spawn.h>: the same values in glibc and musl
    static final short POSIX_SPAWN_SETSIGDEF = 0x04, POSIX_SPAWN_SETSIGMASK = 0x08;

    /**
     * Room for posix_spawn_file_actions_t (80 bytes in glibc and musl), posix_spawnattr_t (336 in both) and
     * sigset_t (128): the C library's sizes are not visible from Java, so each gets more than any C library uses.
     */
    private static final long ACTIONS_SIZE = 512, ATTRIBUTES_SIZE = 1024, SIGSET_SIZE = 256;

    // Symbols looked up without linking them (which ones exist; environ). The posix_spawn* functions return an
    // error number instead of setting errno, so their handles are Ffm's plain ones.
    private static final SymbolLookup LIBC = Linker.nativeLinker().defaultLookup();

    /** posix_spawn_file_actions_*: the portable ones, and glibc's _np extensions where the C library has them. */
    private static final class FileActions {
        static final FunctionDescriptor OBJECT = FunctionDescriptor.of(JAVA_INT, ADDRESS);
        static final MethodHandle INIT = Ffm.plainDowncall("posix_spawn_file_actions_init", OBJECT);
        static final MethodHandle DESTROY = Ffm.plainDowncall("posix_spawn_file_actions_destroy", OBJECT);
        static final MethodHandle ADDDUP2 = Ffm.plainDowncall("posix_spawn_file_actions_adddup2",
                FunctionDescriptor.of(JAVA_INT, ADDRESS, JAVA_INT, JAVA_INT));
        static final MethodHandle ADDCLOSE = Ffm.plainDowncall("posix_spawn_file_actions_addclose",
                FunctionDescriptor.of(JAVA_INT, ADDRESS, JAVA_INT));
        static final MethodHandle ADDOPEN = Ffm.plainDowncall("posix_spawn_file_actions_addopen",
                FunctionDescriptor.of(JAVA_INT, ADDRESS, JAVA_INT, ADDRESS, JAVA_INT, JAVA_INT));
    }

    /**
     * The non-portable file actions, looked up once for both bindings: the helper library gets their addresses
     * ({@link #addCloseFromAddress()}), the FFM binding links them on first use. closefrom: glibc 2.34+, missing in
     * musl and older glibc; chdir: glibc 2.29+, musl 1.1.24+.
     */
    private static final class NonPortable {
        static final String ADDCLOSEFROM_NAME = "posix_spawn_file_actions_addclosefrom_np";
        static final String ADDCHDIR_NAME = "posix_spawn_file_actions_addchdir_np";
        static final Optional<MemorySegment> ADDCLOSEFROM = LIBC.find(ADDCLOSEFROM_NAME);
        static final Optional<MemorySegment> ADDCHDIR = LIBC.find(ADDCHDIR_NAME);
    }

    /** Linked only where {@link #hasCloseFrom()}. */
    private static final class CloseFrom {
        static final MethodHandle ADDCLOSEFROM = Ffm.plainDowncall(NonPortable.ADDCLOSEFROM_NAME,
                FunctionDescriptor.of(JAVA_INT, ADDRESS, JAVA_INT));
    }

    /** Linked only where {@link #hasChdir()}. */
    private static final class Chdir {
        static final MethodHandle ADDCHDIR = Ffm.plainDowncall(NonPortable.ADDCHDIR_NAME,
                FunctionDescriptor.of(JAVA_INT, ADDRESS, ADDRESS));
    }

    /** posix_spawnattr_*: the signal policy of the child. */
    private static final class Attributes {
        static final MethodHandle INIT = Ffm.plainDowncall("posix_spawnattr_init", FileActions.OBJECT);
        static final MethodHandle DESTROY = Ffm.plainDowncall("posix_spawnattr_destroy", FileActions.OBJECT);
        static final MethodHandle SETFLAGS = Ffm.plainDowncall("posix_spawnattr_setflags",
                FunctionDescriptor.of(JAVA_INT, ADDRESS, JAVA_SHORT));
        static final MethodHandle SETSIGMASK = Ffm.plainDowncall("posix_spawnattr_setsigmask",
                FunctionDescriptor.of(JAVA_INT, ADDRESS, ADDRESS));
        static final MethodHandle SETSIGDEFAULT = Ffm.plainDowncall("posix_spawnattr_setsigdefault",
                FunctionDescriptor.of(JAVA_INT, ADDRESS, ADDRESS));
    }

    /** posix_spawn and posix_spawnp (the latter searches PATH as execvp does). */
    private static final class Spawn {
        static final FunctionDescriptor SPAWN = FunctionDescriptor.of(JAVA_INT, ADDRESS, ADDRESS, ADDRESS, ADDRESS,
                ADDRESS, ADDRESS);
        static final MethodHandle POSIX_SPAWN = Ffm.plainDowncall("posix_spawn", SPAWN);
        static final MethodHandle POSIX_SPAWNP = Ffm.plainDowncall("posix_spawnp", SPAWN);
    }

    /** rt_sigaction(2) without a new action, to read a disposition the C library's sigaction refuses to report. */
    private static final class Signals {
        /** struct k_sigaction with the handler first (every architecture fdkit knows); more than its size. */
        static final long KERNEL_SIGACTION_SIZE = 64;
        static final long KERNEL_SIGSET_SIZE = 8;
        static final long SIG_IGN = 1;
    }

    /** Why this C library cannot run the posix-spawn mechanism through FFM; empty when it can. */
    static Optional<String> missing() {
        for (String name : new String[] {"posix_spawn", "posix_spawnp", "posix_spawn_file_actions_adddup2",
                "posix_spawnattr_setsigdefault"}) {
            if (LIBC.find(name).isEmpty()) return Optional.of("the C library has no " + name);
        }
        return Optional.empty();
    }

    /** Whether posix_spawn_file_actions_addclosefrom_np is there (glibc 2.34+). */
    static boolean hasCloseFrom() {
        return NonPortable.ADDCLOSEFROM.isPresent();
    }

    /** Whether posix_spawn_file_actions_addchdir_np is there (glibc 2.29+, musl 1.1.24+). */
    static boolean hasChdir() {
        return NonPortable.ADDCHDIR.isPresent();
    }

    /** The address of posix_spawn_file_actions_addclosefrom_np for the helper library; 0 where it is missing. */
    static long addCloseFromAddress() {
        return NonPortable.ADDCLOSEFROM.map(MemorySegment::address).orElse(0L);
    }

    /** The address of posix_spawn_file_actions_addchdir_np for the helper library; 0 where it is missing. */
    static long addChdirAddress() {
        return NonPortable.ADDCHDIR.map(MemorySegment::address).orElse(0L);
    }

    /**
     * Whether this process ignores {@code sig} (SIG_IGN), asked of the kernel; false where that cannot be asked
     * (an architecture whose numbers fdkit does not know: the call is then ENOSYS).
     */
    static boolean ignored(int sig) {
        try (Arena arena = Arena.ofConfined()) {
            MemorySegment old = arena.allocate(Signals.KERNEL_SIGACTION_SIZE, 8);
            long r = RawSyscalls.call(RawSyscalls.Syscall.RT_SIGACTION, sig, 0, old.address(), Signals.KERNEL_SIGSET_SIZE);
            return r == 0 && old.get(JAVA_LONG, 0) == Signals.SIG_IGN;
        }
    }

    /**
     * One spawn's native objects: file actions, attributes, and the C strings they point to, all freed by
     * {@link #close()}. Each method returns 0 or the error number the C library answered.
     */
    static final class Request implements AutoCloseable {
        private final Arena arena = Arena.ofConfined();
        private final MemorySegment actions = arena.allocate(ACTIONS_SIZE, 16);
        private final MemorySegment attributes = arena.allocate(ATTRIBUTES_SIZE, 16);
        private boolean actionsMade, attributesMade;

        /** posix_spawn_file_actions_init and posix_spawnattr_init. */
        int init() {
            try {
                int r = (int) FileActions.INIT.invokeExact(actions);
                actionsMade = r == 0;
                if (r == 0) r = (int) Attributes.INIT.invokeExact(attributes);
                attributesMade = actionsMade && r == 0;
                return r;
            } catch (Throwable t) {
                throw Ffm.unchecked(t);
            }
        }

        int dup2(int from, int to) {
            try {
                return (int) FileActions.ADDDUP2.invokeExact(actions, from, to);
            } catch (Throwable t) {
                throw Ffm.unchecked(t);
            }
        }

        int close(int fd) {
            try {
                return (int) FileActions.ADDCLOSE.invokeExact(actions, fd);
            } catch (Throwable t) {
                throw Ffm.unchecked(t);
            }
        }

        /** An open of {@code path} onto {@code fd} in the child. */
        int open(int fd, byte[] path, int flags, int mode) {
            try {
                return (int) FileActions.ADDOPEN.invokeExact(actions, fd, string(path), flags, mode);
            } catch (Throwable t) {
                throw Ffm.unchecked(t);
            }
        }

        /** Every descriptor from {@code fd} up closed in the child; needs {@link #hasCloseFrom()}. */
        int closeFrom(int fd) {
            try {
                return (int) CloseFrom.ADDCLOSEFROM.invokeExact(actions, fd);
            } catch (Throwable t) {
                throw Ffm.unchecked(t);
            }
        }

        /** A chdir to {@code dir} in the child; needs {@link #hasChdir()}. */
        int chdir(byte[] dir) {
            try {
                return (int) Chdir.ADDCHDIR.invokeExact(actions, string(dir));
            } catch (Throwable t) {
                throw Ffm.unchecked(t);
            }
        }

        /**
         * The child's signals: {@code toDefault} (bit sig-1) set to SIG_DFL, {@code mask} (bit sig-1) its mask.
         * The bits are written as the kernel lays a set out (the first word holds signals 1 to 64), not with
         * sigaddset, which refuses the C library's internal signals.
         */
        int signals(long toDefault, long mask) {
            MemorySegment dfl = arena.allocate(SIGSET_SIZE, 8), blocked = arena.allocate(SIGSET_SIZE, 8);
            dfl.set(JAVA_LONG, 0, toDefault);
            blocked.set(JAVA_LONG, 0, mask);
            try {
                int r = (int) Attributes.SETSIGMASK.invokeExact(attributes, blocked);
                if (r == 0) r = (int) Attributes.SETSIGDEFAULT.invokeExact(attributes, dfl);
                if (r == 0) {
                    r = (int) Attributes.SETFLAGS.invokeExact(attributes,
                            (short) (POSIX_SPAWN_SETSIGMASK | POSIX_SPAWN_SETSIGDEF));
                }
                return r;
            } catch (Throwable t) {
                throw Ffm.unchecked(t);
            }
        }

        /** posix_spawn (or posix_spawnp with {@code search}) of {@code path}: the child's pid, or -error. */
        int spawn(byte[] path, boolean search, byte[][] argv, byte[][] envp) {
            MemorySegment pid = arena.allocate(JAVA_INT);
            MemorySegment env = pointers(envp);
            try {
                int r = search
                        ? (int) Spawn.POSIX_SPAWNP.invokeExact(pid, string(path), actions, attributes, pointers(argv), env)
                        : (int) Spawn.POSIX_SPAWN.invokeExact(pid, string(path), actions, attributes, pointers(argv), env);
                return r == 0 ? pid.get(JAVA_INT, 0) : -r;
            } catch (Throwable t) {
                throw Ffm.unchecked(t);
            }
        }

        private MemorySegment string(byte[] s) {
            MemorySegment out = arena.allocate(s.length + 1L);
            MemorySegment.copy(s, 0, out, JAVA_BYTE, 0, s.length);
            out.set(JAVA_BYTE, s.length, (byte) 0);
            return out;
        }

        /** A NULL-terminated array of C strings, the strings in one block after it. */
        private MemorySegment pointers(byte[][] strings) {
            long bytes = 0;
            for (byte[] s : strings) bytes += s.length + 1L;
            MemorySegment array = arena.allocate(ADDRESS.byteSize() * (strings.length + 1L), ADDRESS.byteAlignment());
            MemorySegment block = arena.allocate(Math.max(1, bytes));
            long at = 0;
            for (int i = 0; i < strings.length; i++) {
                MemorySegment.copy(strings[i], 0, block, JAVA_BYTE, at, strings[i].length);
                block.set(JAVA_BYTE, at + strings[i].length, (byte) 0);
                array.setAtIndex(ADDRESS, i, block.asSlice(at));
                at += strings[i].length + 1L;
            }
            array.setAtIndex(ADDRESS, strings.length, MemorySegment.NULL);
            return array;
        }

        @Override
        public void close() {
            try {
                if (actionsMade) {
                    int unused = (int) FileActions.DESTROY.invokeExact(actions);
                }
                if (attributesMade) {
                    int unused = (int) Attributes.DESTROY.invokeExact(attributes);
                }
            } catch (Throwable t) {
                throw Ffm.unchecked(t);
            } finally {
                arena.close();
            }
        }
    }

}
