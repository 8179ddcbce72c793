package dev.fdkit.spawn.conformance;

import dev.fdkit.spawn.SpawnMechanism;
import dev.fdkit.spawn.conformance.Differential.Run;
import dev.fdkit.spawn.conformance.Differential.Scenario;
import dev.fdkit.spawn.conformance.Differential.Side;
import org.junit.jupiter.api.DynamicContainer;
import org.junit.jupiter.api.DynamicNode;
import org.junit.jupiter.api.DynamicTest;
import org.junit.jupiter.api.TestFactory;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Set;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.fail;

/**
 * Every scenario of {@link Scenarios} runs with the JDK's ProcessBuilder and with FdProcessBuilder under each
 * spawn mechanism; what a program observes must be the same. A scenario that fails on the JDK too tested nothing
 * and fails here.
 */
class DifferentialTest {
    @TempDir
    static Path root;

    @TestFactory
    List<DynamicNode> fdProcessBuilderBehavesAsTheJdks() {
        List<Scenario> all = Scenarios.all();
        Set<String> ids = new HashSet<>();
        for (Scenario s : all) {
            if (!ids.add(s.id())) throw new IllegalStateException("duplicate scenario id " + s.id());
        }
        List<DynamicNode> out = new ArrayList<>();
        for (Scenario s : all) {
            Run[] jdk = new Run[1];
            List<DynamicNode> sides = new ArrayList<>();
            for (SpawnMechanism m : SpawnMechanism.values()) {
                Side side = new Side("fdkit-" + m.propertyValue(), m);
                sides.add(DynamicTest.dynamicTest(side.name(), () -> {
                    if (jdk[0] == null) jdk[0] = Differential.run(s, Side.JDK, root);
                    compare(s, jdk[0], Differential.run(s, side, root));
                }));
            }
            out.add(DynamicContainer.dynamicContainer(s.id() + " " + s.what(), sides));
        }
        return out;
    }

    private static void compare(Scenario s, Run jdk, Run fd) {
        if (jdk.failure() != null) {
            AssertionError e = new AssertionError(s.id() + " fails with the JDK's ProcessBuilder too, so it tests "
                    + "nothing: " + jdk.failure() + "\ntranscript: " + jdk.log(), jdk.failure());
            throw e;
        }
        if (fd.failure() != null) {
            throw new AssertionError(s.id() + " failed with fdkit: " + fd.failure() + "\njdk:   " + jdk.log()
                    + "\nfdkit: " + fd.log(), fd.failure());
        }
        if (jdk.log().isEmpty()) fail(s.id() + " observed nothing");
        String diff = Differential.difference(jdk.log(), fd.log());
        if (diff != null) fail(s.id() + ": " + diff + "\njdk:   " + jdk.log() + "\nfdkit: " + fd.log());
        assertEquals(jdk.log().size(), fd.log().size());
    }
}
