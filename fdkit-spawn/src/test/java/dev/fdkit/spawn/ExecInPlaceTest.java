package dev.fdkit.spawn;

import org.junit.jupiter.api.Test;

import java.nio.file.Path;
import java.util.Arrays;
import java.util.Set;
import java.util.TreeSet;
import java.util.stream.Collectors;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** execInPlace in a JVM of its own: the pid stays, the status is the program's, the JVM's descriptors are gone. */
class ExecInPlaceTest {

    @Test
    void replacesTheJvmKeepingThePid() throws Exception {
        TestSupport.JvmResult r = TestSupport.runJvm(ExecInPlaceMain.class, "exec");
        assertEquals(7, r.exit(), "the program's exit status is the process's: " + r.out() + r.err());
        String pid = String.valueOf(r.pid());
        assertEquals(pid, r.value("jvm-pid"));
        assertEquals(pid, r.value("sh-pid"), "same pid before and after exec");
        assertEquals(pid, r.value("listen-pid"));
        assertEquals("1", r.value("listen-fds"));
        assertEquals("/tmp", r.value("cwd"));
        assertTrue(!r.out().contains("unreachable"));
        // ls is sh's child: it lists what sh had (0-2, listen fd 3, passed 6) and its own directory fd.
        String listing = r.lines().stream().filter(l -> l.matches("[0-9 ]+")).findFirst().orElseThrow(
                () -> new AssertionError(r.out() + r.err()));
        Set<Integer> fds = Arrays.stream(listing.trim().split(" +")).map(Integer::valueOf)
                .collect(Collectors.toCollection(TreeSet::new));
        TestSupport.assertExactly(Set.of(0, 1, 2, 3, 6), fds, r.out());
    }

    @Test
    void missingProgramLeavesTheJvmRunning() throws Exception {
        TestSupport.JvmResult r = TestSupport.runJvm(ExecInPlaceMain.class, "missing");
        assertEquals(0, r.exit(), r.out() + r.err());
        assertTrue(r.value("failed").contains("/nonexistent/fdkit/prog") && r.value("failed").contains("ENOENT"),
                r.out());
        assertEquals("spawned exit=0", r.value("child"));
    }

    /** The exec fails after the exec thread rearranged its own table and directory: the JVM's are untouched. */
    @Test
    void lateExecFailureLeavesTheJvmWhole() throws Exception {
        TestSupport.JvmResult r = TestSupport.runJvm(ExecInPlaceMain.class, "late-failure");
        assertEquals(0, r.exit(), r.out() + r.err());
        assertTrue(r.value("failed").contains("ENOENT"), r.out());
        assertEquals(Path.of("").toAbsolutePath().toString(), r.value("cwd"), "the JVM's cwd did not move to /");
        assertEquals("Phaser", r.value("loaded"));
        assertEquals("spawned exit=0", r.value("child"));
    }
}
