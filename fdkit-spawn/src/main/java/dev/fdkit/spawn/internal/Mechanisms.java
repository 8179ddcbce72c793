package dev.fdkit.spawn.internal;

import dev.fdkit.internal.Errno;
import dev.fdkit.internal.Ffm;
import dev.fdkit.internal.Settings;

import java.lang.foreign.MemorySegment;
import java.io.IOException;
import java.util.Optional;

/** Which spawn mechanisms work here, found out once per JVM. */
public final class Mechanisms {
    private Mechanisms() {}

    private static volatile Mechanism selected;

    // One holder each: asking about posix-spawn must not run the clone probe (a clone, a reap, 64 sigactions).
    private static final class CloneProbe {
        static final String PROBLEM = cloneProblem();
    }

    /** posix-spawn through the helper library. */
    private static final class HelperPosixProbe {
        static final String PROBLEM = helperPosixProblem();
    }

    /** posix-spawn bound through FFM. */
    private static final class FfmPosixProbe {
        static final String PROBLEM = LibcPosixSpawn.problem().orElse(null);
    }

    /** Without closefrom in the file actions a child could get descriptors nobody named: refused. */
    static final String NO_CLOSEFROM = "this C library has no posix_spawn_file_actions_addclosefrom_np (glibc >= "
            + "2.34): without it descriptors opened by other threads could reach the child";

    private static String cloneProblem() {
        if (NativeSpawn.loadError().isPresent()) return "the helper library does not load: " + NativeSpawn.loadError().get();
        int r = NativeSpawn.probeClone();
        if (r == 0) return null;
        return "a child cloned with CLONE_VM|CLONE_VFORK|CLONE_FILES|CLONE_PIDFD (Linux >= 5.2) could not be started "
                + "or could not get a table of its own (close_range(CLOSE_RANGE_UNSHARE), else unshare(CLONE_FILES)): "
                + Errno.describe(-r);
    }

    private static String posixProblem() {
        return posixSpawnBinding() == PosixSpawnBinding.FFM ? FfmPosixProbe.PROBLEM : HelperPosixProbe.PROBLEM;
    }

    private static String helperPosixProblem() {
        if (NativeSpawn.loadError().isPresent()) return "the helper library does not load: " + NativeSpawn.loadError().get();
        return PosixSpawnCalls.hasCloseFrom() ? null : NO_CLOSEFROM;
    }

    /** Set once {@link #checkBeforeProbing()} has passed: later starts read no setting for it. */
    private static volatile boolean checked;

    /**
     * What the first spawn needs, checked before any probe runs so that a failure says plainly what is wrong (and
     * is not a failed class initialization inside a probe): native access for this module, and the spawn settings
     * (a bad value is an IllegalArgumentException naming it, also where a builder names its mechanism). Once it
     * has passed, a start checks nothing here: the settings it covers are read once per JVM.
     */
    private static void checkBeforeProbing() {
        if (checked) return;
        // The helper library is this module's own native code: fail first, and plainly, where that is denied.
        Module self = Mechanisms.class.getModule();
        if (!self.isNativeAccessEnabled()) Ffm.requireNativeAccess(self, () -> MemorySegment.NULL.reinterpret(0));
        configured();
        configuredPosixSpawnBinding();
        Settings.flag(Settings.SPAWN_CLONE3, true);
        Settings.text(Settings.SPAWN_LIBDIR, "");
        checked = true;
    }

    /** The mechanism {@code fdkit.spawn.mechanism} names; empty for auto. */
    private static Optional<Mechanism> configured() {
        return Settings.mechanism(Settings.SPAWN_MECHANISM, Mechanism.values(), Mechanism::settingValue);
    }

    /** The binding {@code fdkit.spawn.posixSpawnBinding} names; empty for auto. */
    private static Optional<PosixSpawnBinding> configuredPosixSpawnBinding() {
        return Settings.mechanism(Settings.SPAWN_POSIX_SPAWN_BINDING, PosixSpawnBinding.values(),
                Settings::spelling);
    }

    /**
     * How posix-spawn reaches the C library: {@code fdkit.spawn.posixSpawnBinding}, read at each call as
     * {@code fdkit.spawn.failAt} is (so that one JVM can compare both bindings), else the helper library where it
     * loads, else posix_spawn bound through FFM, said in one log line (the only sign of it: a program sees no
     * difference, but the clone mechanism is gone with the helper); that choice is made once.
     */
    public static PosixSpawnBinding posixSpawnBinding() {
        return configuredPosixSpawnBinding().orElseGet(() -> AutoBinding.BINDING);
    }

    /**
     * Decided once, in a holder's class initialization: that makes the log line appear once, and takes no lock on
     * Mechanisms, which {@link #selected()} holds while the posix-spawn probe asks for the binding.
     */
    private static final class AutoBinding {
        static final PosixSpawnBinding BINDING = bindingHere();
    }

    private static PosixSpawnBinding bindingHere() {
        Throwable notLoaded = NativeSpawn.loadError().orElse(null);
        if (notLoaded == null) return PosixSpawnBinding.HELPER;
        String why = notLoaded.getMessage() != null ? notLoaded.getMessage() : notLoaded.toString();
        // Said only where the FFM binding works: elsewhere start() fails with both reasons.
        if (LibcPosixSpawn.problem().isEmpty()) {
            System.getLogger("dev.fdkit.spawn").log(System.Logger.Level.WARNING, "fdkit-spawn's helper library does "
                    + "not load (" + why + "): children are started with the C library's "
                    + "posix_spawn bound through FFM instead (the posix-spawn mechanism; clone is not available)");
        }
        return PosixSpawnBinding.FFM;
    }

    /** Why {@code m} cannot be used here, or empty when it can. */
    public static Optional<String> problem(Mechanism m) {
        checkBeforeProbing();
        return Optional.ofNullable(m == Mechanism.CLONE ? CloneProbe.PROBLEM : posixProblem());
    }

    /** {@code fdkit.spawn.mechanism}, else the first mechanism that works here; cached. */
    public static Mechanism selected() {
        Mechanism m = selected;
        if (m == null) {
            synchronized (Mechanisms.class) {
                m = selected;
                if (m == null) {
                    checkBeforeProbing();
                    m = configured().orElseGet(Mechanisms::detect);
                    selected = m;
                }
            }
        }
        return m;
    }

    /** {@link #selected()} for a start: no mechanism working here is an IOException, as a failed start is. */
    public static Mechanism selectedForStart() throws IOException {
        try {
            return selected();
        } catch (UnsupportedOperationException e) {
            throw new IOException(e.getMessage(), e);
        }
    }

    private static Mechanism detect() {
        for (Mechanism m : Mechanism.values()) if (problem(m).isEmpty()) return m;
        throw new UnsupportedOperationException("no spawn mechanism works here: clone: " + CloneProbe.PROBLEM
                + "; posix-spawn: " + posixProblem());
    }
}
