package dev.fdkit.spawn;

import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * A temporary directory mounted noexec (a tmpfs mounted so in a private mount namespace, as root): the helper is
 * loaded another way, with one log line; where no way works, posix-spawn calls the C library's posix_spawn through
 * FFM, with one log line, and start() with the clone mechanism fails with an IOException saying why.
 */
class NoexecTest {
    private static Path dir;

    @BeforeAll
    static void noexecDirectory() throws Exception {
        dir = Files.createDirectories(Path.of("target", "noexec-tmp").toAbsolutePath());
        Process p = new ProcessBuilder("unshare", "-m", "sh", "-c", "mount -t tmpfs -o noexec fdkit-noexec \"$0\"",
                dir.toString()).redirectErrorStream(true).start();
        String out = new String(p.getInputStream().readAllBytes());
        boolean done = p.waitFor(30, TimeUnit.SECONDS);
        Assumptions.assumeTrue(done && p.exitValue() == 0,
                "skipped: cannot mount a noexec tmpfs in a private mount namespace here (needs root and unshare -m): " + out);
    }

    /**
     * NoexecMain with java.io.tmpdir on the noexec mount; {@code before}: what runs the JVM (env, a launcher);
     * {@code jvmArgs}: system properties.
     */
    private static TestSupport.JvmResult run(List<String> before, String... jvmArgs) throws Exception {
        List<String> cmd = new ArrayList<>(List.of("unshare", "-m", "sh", "-c",
                "mount -t tmpfs -o noexec fdkit-noexec \"$0\" && exec \"$@\"", dir.toString()));
        cmd.addAll(before);
        List<String> java = new ArrayList<>(TestSupport.jvmCommand());
        java.add(1, "-Djava.io.tmpdir=" + dir);
        java.addAll(1, List.of(jvmArgs));
        cmd.addAll(java);
        cmd.add(NoexecMain.class.getName());
        TestSupport.JvmResult r = TestSupport.runCommand(cmd);
        assertEquals(0, r.exit(), r.out() + r.err());
        return r;
    }

    @Test
    void loadsFromAMemoryFile() throws Exception {
        TestSupport.JvmResult r = run(List.of());
        assertEquals("hi", r.value("child"), r.out() + r.err());
        assertEquals(1, r.err().split("fdkit-spawn loaded its helper library from an anonymous memory file", -1).length - 1,
                "one log line: " + r.err());
        assertTrue(r.err().contains(dir.toString()) && r.err().contains("noexec"), "the log says why: " + r.err());
    }

    /** The helper's three ways all refused: memfd_create too, and the cache directory on the noexec mount. */
    private static List<String> noWayToMap() throws Exception {
        return List.of("env", "XDG_CACHE_HOME=" + dir.resolve("cache"), FaultLauncher.path().toString(), "--deny",
                "memfd_create:EPERM", "--");
    }

    @Test
    void noWayToMapTheHelperStartsByPosixSpawnThroughFfm() throws Exception {
        TestSupport.JvmResult r = run(noWayToMap());
        assertEquals("hi", r.value("child"), r.out() + r.err());
        assertEquals("0", r.value("exit"), r.out() + r.err());
        assertEquals(1, r.err().split("posix_spawn bound through FFM instead", -1).length - 1, "one log line: " + r.err());
        assertTrue(r.err().contains("memfd_create: EPERM") && r.err().contains(dir.resolve("cache").toString()),
                "the log says why: " + r.err());
    }

    @Test
    void noWayToMapTheHelperIsAnIOExceptionFromStartForClone() throws Exception {
        TestSupport.JvmResult r = run(noWayToMap(), "-Dfdkit.spawn.mechanism=clone");
        String e = r.value("exception");
        assertTrue(e.startsWith("java.io.IOException: ") && e.contains("cannot load fdkit-spawn's helper library")
                && e.contains("memfd_create: EPERM") && e.contains(dir.resolve("cache").toString()), e);
    }
}
