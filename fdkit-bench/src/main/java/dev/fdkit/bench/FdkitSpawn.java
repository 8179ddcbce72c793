package dev.fdkit.bench;

import dev.fdkit.internal.Settings;
import dev.fdkit.spawn.FdProcessBuilder;
import dev.fdkit.spawn.SpawnMechanism;

import java.io.IOException;
import java.util.ArrayList;
import java.util.List;

/** fdkit's spawn mechanisms as bench methods, each forced on its builder. */
final class FdkitSpawn {
    private FdkitSpawn() {}

    /** How every fdkit method's label begins. */
    private static final String LABEL_PREFIX = "fdkit ";

    /** Whether the bench method so labelled is one of fdkit's. */
    static boolean isFdkit(String label) {
        return label.startsWith(LABEL_PREFIX);
    }

    /** fdkit with no mechanism forced: what a program gets from FdProcessBuilder. */
    static final SpawnMethod DEFAULT = new SpawnMethod("default", LABEL_PREFIX + "default",
            () -> new FdProcessBuilder(SpawnMethod.PROGRAM).inheritIO().start().waitFor());

    /**
     * posix-spawn with the C library's posix_spawn bound through FFM, what runs where the helper library does not
     * load; beside {@code posix-spawn} (through the helper) it shows what the binding costs. fdkit reads
     * {@code fdkit.spawn.posixSpawnBinding} at each start: it is set for this one and put back after it.
     */
    static final SpawnMethod POSIX_SPAWN_FFM = new SpawnMethod("posix-spawn-ffm", LABEL_PREFIX + "posix-spawn (FFM)",
            FdkitSpawn::posixSpawnThroughFfm);

    private static int posixSpawnThroughFfm() throws IOException, InterruptedException {
        String old = System.setProperty(Settings.SPAWN_POSIX_SPAWN_BINDING, "ffm");
        try {
            return new FdProcessBuilder(SpawnMethod.PROGRAM).mechanism(SpawnMechanism.POSIX_SPAWN).inheritIO().start()
                    .waitFor();
        } finally {
            if (old == null) System.clearProperty(Settings.SPAWN_POSIX_SPAWN_BINDING);
            else System.setProperty(Settings.SPAWN_POSIX_SPAWN_BINDING, old);
        }
    }

    static SpawnMethod method(SpawnMechanism m) {
        return new SpawnMethod(m.propertyValue(), LABEL_PREFIX + m.propertyValue(),
                () -> new FdProcessBuilder(SpawnMethod.PROGRAM).mechanism(m).inheritIO().start().waitFor());
    }

    /** Every mechanism that works here; a note for each one that does not, with fdkit's reason. */
    static List<SpawnMethod> methods(List<String> notes) {
        List<SpawnMethod> out = new ArrayList<>();
        for (SpawnMechanism m : SpawnMechanism.values()) {
            if (!m.isAvailable()) {
                notes.add("fdkit's " + m.propertyValue() + " mechanism is not available here ("
                        + m.unavailableReason().orElse("no reason given") + "): fdkit " + m.propertyValue() + " skipped");
                continue;
            }
            addIfItStarts(method(m), out, notes);
            if (m == SpawnMechanism.POSIX_SPAWN) addIfItStarts(POSIX_SPAWN_FFM, out, notes);
        }
        return out;
    }

    /** Adds {@code method} to {@code out} if it starts the program now; else a note with the reason. */
    static void addIfItStarts(SpawnMethod method, List<SpawnMethod> out, List<String> notes) {
        try {
            method.run();
            out.add(method);
        } catch (IOException | RuntimeException e) {
            notes.add(method.label() + " failed to start " + SpawnMethod.PROGRAM + " (" + e.getMessage() + "): "
                    + method.label() + " skipped");
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException("interrupted", e);
        }
    }

    static SpawnMethod byId(String id) {
        for (SpawnMechanism m : SpawnMechanism.values()) if (m.propertyValue().equals(id)) return method(m);
        if (id.equals(POSIX_SPAWN_FFM.id())) return POSIX_SPAWN_FFM;
        throw new IllegalArgumentException("unknown spawn method '" + id + "': use clone, posix-spawn, posix-spawn-ffm, "
                + "ProcessBuilder or NuProcess");
    }
}
