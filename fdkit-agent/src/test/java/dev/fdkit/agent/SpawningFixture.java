package dev.fdkit.agent;

import dev.fdkit.junit.LeakCheck;
import dev.fdkit.spawn.FdProcessBuilder;
import org.junit.jupiter.api.Test;

import static org.junit.jupiter.api.Assertions.assertEquals;

/**
 * Run by {@link SpawnUnderLeakCheckMain} only (its name keeps the build from running it): a test that starts and
 * waits for the JVM's first fdkit child, and so leaves nothing open of its own.
 */
@LeakCheck
class SpawningFixture {
    @Test
    void startsTheFirstChild() throws Exception {
        assertEquals(0, new FdProcessBuilder("/bin/true").start().waitFor());
    }
}
