package dev.fdkit.spawn;

import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;

import java.io.File;
import java.lang.ProcessBuilder.Redirect;
import java.nio.file.Files;
import java.util.Map;
import java.util.Set;

import static dev.fdkit.spawn.TestSupport.assertExactly;
import static dev.fdkit.spawn.TestSupport.childFdTargets;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * The child holds exactly 0-2 and what was passed, while this JVM holds thousands of other descriptors (opened
 * here without close-on-exec, the case a spawner that relies on FD_CLOEXEC gets wrong), for every mechanism.
 */
class ExactnessTest {
    private static final int EXTRA = 3000;
    private int[] extra;

    @BeforeEach
    void openMany() {
        extra = TestSupport.openDevNull(EXTRA);
    }

    @AfterEach
    void closeThem() {
        TestSupport.closeAll(extra);
    }

    @ParameterizedTest
    @EnumSource(SpawnMechanism.class)
    void onlyStdioWhenNothingIsPassed(SpawnMechanism m) throws Exception {
        assertTrue(TestSupport.openFds().size() > EXTRA, "the JVM holds the extra descriptors");
        Map<Integer, String> seen = childFdTargets(new FdProcessBuilder().mechanism(m));
        assertExactly(Set.of(0, 1, 2), seen.keySet(), m + ": " + seen);
        assertTrue(seen.get(1).startsWith("pipe:"), "stdout is the pipe to the parent: " + seen);
    }

    @ParameterizedTest
    @EnumSource(SpawnMechanism.class)
    void passedDescriptorsAndNothingElse(SpawnMechanism m) throws Exception {
        int high = extra[EXTRA - 1];
        int[] pipe = TestSupport.pipe();
        try {
            Map<Integer, String> seen = childFdTargets(new FdProcessBuilder().mechanism(m)
                    .passFd(high)                 // same number, far above the rest
                    .passFd(pipe[1], 9)           // a close-on-exec pipe at a new number
                    .passFd(extra[7], 40));
            assertExactly(Set.of(0, 1, 2, 9, 40, high), seen.keySet(), m + ": " + seen);
            assertEquals(TestSupport.target(pipe[1]), seen.get(9), "fd 9 is our pipe");
            assertEquals("/dev/null", seen.get(high));
        } finally {
            TestSupport.closeAll(pipe);
        }
    }

    @ParameterizedTest
    @EnumSource(SpawnMechanism.class)
    void fileAndDiscardRedirectsAddNothing(SpawnMechanism m) throws Exception {
        File out = Files.createTempFile("fdkit-exact", ".txt").toFile();
        try {
            Process p = new FdProcessBuilder("ls", "-l", "/proc/self/fd").mechanism(m)
                    .redirectInput(Redirect.from(new File("/dev/null")))
                    .redirectOutput(out)
                    .redirectError(Redirect.DISCARD)
                    .start();
            assertEquals(0, p.waitFor());
            Map<Integer, String> seen = TestSupport.parseLsLong(Files.readString(out.toPath()));
            assertExactly(Set.of(0, 1, 2), seen.keySet(), m + ": " + seen);
            assertEquals(out.getCanonicalPath(), seen.get(1));
            assertEquals("/dev/null", seen.get(2));
        } finally {
            out.delete();
        }
    }
}
