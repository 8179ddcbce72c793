package dev.fdkit.bench;

import dev.fdkit.spawn.FdProcessBuilder;
import dev.fdkit.spawn.SpawnMechanism;

import java.io.IOException;
import java.util.ArrayList;
import java.util.List;

/** fdkit's spawn mechanisms as bench methods, each forced on its builder. */
final class FdkitSpawn {
    private FdkitSpawn() {}

    /** fdkit with no mechanism forced: what a program gets from FdProcessBuilder. */
    static final SpawnMethod DEFAULT = new SpawnMethod("default", "fdkit default",
            () -> new FdProcessBuilder(SpawnMethod.PROGRAM).inheritIO().start().waitFor());

    static SpawnMethod method(SpawnMechanism m) {
        return new SpawnMethod(m.propertyValue(), "fdkit " + m.propertyValue(),
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
            SpawnMethod method = method(m);
            try {
                method.run();
                out.add(method);
            } catch (IOException | RuntimeException e) {
                notes.add("fdkit's " + m.propertyValue() + " mechanism failed to start " + SpawnMethod.PROGRAM + " ("
                        + e.getMessage() + "): " + method.label() + " skipped");
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                throw new IllegalStateException("interrupted", e);
            }
        }
        return out;
    }

    static SpawnMethod byId(String id) {
        for (SpawnMechanism m : SpawnMechanism.values()) if (m.propertyValue().equals(id)) return method(m);
        throw new IllegalArgumentException("unknown spawn method '" + id + "': use clone, posix-spawn, ProcessBuilder "
                + "or NuProcess");
    }
}
