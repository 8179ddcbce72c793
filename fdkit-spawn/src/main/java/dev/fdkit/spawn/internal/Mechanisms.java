package dev.fdkit.spawn.internal;

import dev.fdkit.internal.Errno;
import dev.fdkit.spawn.SpawnMechanism;

import java.io.IOException;
import java.util.Optional;

/** Which spawn mechanisms work here, found out once per JVM. */
public final class Mechanisms {
    private Mechanisms() {}

    public static final String PROPERTY = "fdkit.spawn.mechanism";

    private static volatile SpawnMechanism selected;

    // One holder each: asking about posix-spawn must not run the clone probe (a clone, a reap, 64 sigactions).
    private static final class CloneProbe {
        static final String PROBLEM = cloneProblem();
    }

    private static final class PosixProbe {
        static final String PROBLEM = posixProblem();
    }

    private static String cloneProblem() {
        if (NativeSpawn.loadError().isPresent()) return "the helper library does not load: " + NativeSpawn.loadError().get();
        int r = NativeSpawn.probeClone();
        if (r == 0) return null;
        return "a child cloned with CLONE_VM|CLONE_VFORK|CLONE_FILES|CLONE_PIDFD (Linux >= 5.2) could not be started "
                + "or could not get a table of its own (close_range(CLOSE_RANGE_UNSHARE), else unshare(CLONE_FILES)): "
                + Errno.describe(-r);
    }

    private static String posixProblem() {
        if (NativeSpawn.loadError().isPresent()) return "the helper library does not load: " + NativeSpawn.loadError().get();
        if (NativeSpawn.GlibcSpawnActions.ADDCLOSEFROM.isEmpty()) {
            return "this C library has no posix_spawn_file_actions_addclosefrom_np (glibc >= 2.34): without it "
                    + "descriptors opened by other threads could reach the child";
        }
        return null;
    }

    /** Why {@code m} cannot be used here, or empty when it can. */
    public static Optional<String> problem(SpawnMechanism m) {
        return Optional.ofNullable(m == SpawnMechanism.CLONE ? CloneProbe.PROBLEM : PosixProbe.PROBLEM);
    }

    /** {@code fdkit.spawn.mechanism}, else the first mechanism that works here; cached. */
    public static SpawnMechanism selected() {
        SpawnMechanism m = selected;
        if (m == null) {
            synchronized (Mechanisms.class) {
                m = selected;
                if (m == null) {
                    m = SpawnMechanism.fromProperty(System.getProperty(PROPERTY));
                    if (m == null) m = detect();
                    LowSlots.get(); // reserve low descriptor numbers as early as the application lets us
                    selected = m;
                }
            }
        }
        return m;
    }

    /** {@link #selected()} for a start: no mechanism working here is an IOException, as a failed start is. */
    public static SpawnMechanism selectedForStart() throws IOException {
        try {
            return selected();
        } catch (UnsupportedOperationException e) {
            throw new IOException(e.getMessage(), e);
        }
    }

    private static SpawnMechanism detect() {
        for (SpawnMechanism m : SpawnMechanism.values()) if (problem(m).isEmpty()) return m;
        throw new UnsupportedOperationException("no spawn mechanism works here: clone: " + CloneProbe.PROBLEM
                + "; posix-spawn: " + PosixProbe.PROBLEM);
    }
}
