package dev.fdkit.agent;

import org.junit.jupiter.api.Test;

import java.util.List;

import static org.junit.jupiter.api.Assertions.assertEquals;

/**
 * The descriptors fdkit keeps open for the JVM's life once it has started a child (its reaper's epoll set and
 * wake-up eventfd) are fdkit's, not the test's: a @LeakCheck test that starts the JVM's first child passes.
 */
class SpawnUnderLeakCheckTest {
    @Test
    void theFirstChildOfAJvmLeavesNoLeakForTheTestThatStartedIt() throws Exception {
        ChildJvm.Result r = ChildJvm.run(List.of("--enable-native-access=ALL-UNNAMED"), SpawnUnderLeakCheckMain.class);
        assertEquals(0, r.exit(), r.err());
        assertEquals(List.of("passed 1"), r.lines(), r.out());
    }
}
