package dev.fdkit.spawn.internal;

import dev.fdkit.spawn.FdProcessBuilder;
import dev.fdkit.spawn.SpawnMechanism;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.Test;

import java.io.IOException;
import java.nio.file.DirectoryStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.concurrent.TimeUnit;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * The reaper's table is keyed by pidfd number, and a number is reused as soon as a reaped child's pidfd is closed:
 * an event for the old child that the reaper took from epoll_wait before the reap must not touch the child that
 * got its number next.
 */
class ReaperTest {
    @Test
    void aStaleEventForAReusedPidfdNumberLeavesTheNewChildAlone() throws Exception {
        Assumptions.assumeTrue(SpawnMechanism.CLONE.isAvailable(), "the clone mechanism gives pidfds");
        Process old = sleeper();
        int oldFd = pidfdOf(old.pid());
        old.destroyForcibly();
        assertEquals(128 + 9, old.waitFor());
        assertEquals(-1, pidfdOf(old.pid()), "the reaped child's pidfd is closed");

        Process next = sleeper();
        try {
            Assumptions.assumeTrue(pidfdOf(next.pid()) == oldFd, "the next pidfd got another number");
            // What the reaper does with an event epoll_wait returned for the old child, taken before its reap.
            Reaper.get().dispatch(Reaper.pidfdEventData(old.pid(), oldFd));
            assertTrue(next.isAlive());
            assertFalse(next.onExit().isDone(), "the new child's exit must not be reported");
            assertEquals(oldFd, pidfdOf(next.pid()), "the new child's pidfd must stay open");
            // Its own event still reaches it, with its own status.
            next.destroy();
            assertEquals(128 + 15, next.onExit().get(30, TimeUnit.SECONDS).exitValue());
            assertEquals(-1, pidfdOf(next.pid()));
        } finally {
            next.destroyForcibly();
            next.waitFor();
        }
    }

    private static Process sleeper() throws IOException {
        return new FdProcessBuilder("sleep", "60").mechanism(SpawnMechanism.CLONE).start();
    }

    /** The number of this JVM's pidfd for {@code pid} (its fdinfo says "Pid: PID"), or -1. */
    private static int pidfdOf(long pid) throws IOException {
        try (DirectoryStream<Path> fds = Files.newDirectoryStream(Path.of("/proc/self/fdinfo"))) {
            for (Path info : fds) {
                String text;
                try {
                    text = Files.readString(info);
                } catch (IOException gone) { // the stream's own descriptor, or one closed meanwhile
                    continue;
                }
                if (text.lines().anyMatch(l -> l.equals("Pid:\t" + pid))) {
                    return Integer.parseInt(info.getFileName().toString());
                }
            }
        }
        return -1;
    }
}
