package dev.fdkit.spawn.internal;

import dev.fdkit.spawn.FdProcessBuilder;
import dev.fdkit.spawn.SpawnMechanism;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.Test;

import java.io.IOException;
import java.nio.file.DirectoryStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.stream.Collectors;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * The reaper's table is keyed by pidfd number, and a number is reused as soon as a reaped child's pidfd is closed:
 * an event for the old child that the reaper took from epoll_wait before the reap must not touch the child that
 * got its number next. Children reach the reaper through a queue and a wake-up ({@code Reaper.adoptLater}), which
 * must neither lose one nor touch one already reaped.
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

    /**
     * Starts from several threads at once, none waited for: each child must be adopted and reaped by the reaper
     * alone, with its onExit completed, whichever start's wake-up the reaper drained it with. A child left in the
     * queue would never be reaped.
     */
    @Test
    void everyChildStartedFromManyThreadsIsReapedWithoutAWaiter() throws Exception {
        int threads = 4, perThread = 150;
        ConcurrentLinkedQueue<Process> started = new ConcurrentLinkedQueue<>();
        ConcurrentLinkedQueue<Throwable> failures = new ConcurrentLinkedQueue<>();
        CountDownLatch go = new CountDownLatch(1);
        List<Thread> starters = new ArrayList<>();
        for (int t = 0; t < threads; t++) {
            starters.add(Thread.ofPlatform().start(() -> {
                try {
                    go.await();
                    for (int i = 0; i < perThread; i++) started.add(new FdProcessBuilder("/bin/true").start());
                } catch (Throwable e) {
                    failures.add(e);
                }
            }));
        }
        go.countDown();
        for (Thread t : starters) t.join();
        assertTrue(failures.isEmpty(), () -> "a start failed: " + failures);
        assertEquals(threads * perThread, started.size());
        List<CompletableFuture<Process>> exits = started.stream().map(Process::onExit).toList();
        CompletableFuture.allOf(exits.toArray(CompletableFuture[]::new)).get(60, TimeUnit.SECONDS);
        for (Process p : started) {
            assertEquals(0, p.exitValue(), "/bin/true's status");
            assertEquals(p.pid(), p.toHandle().pid());
        }
        Set<Long> pids = started.stream().map(Process::pid).collect(Collectors.toSet());
        assertFalse(ProcessHandle.current().children().anyMatch(h -> pids.contains(h.pid())),
                "a reaped child, not even a zombie, is one of this JVM's children");
    }

    /**
     * A child reaped by its waiter before the reaper adopts it (the adoption comes late when the reaper is busy):
     * the adoption must leave it alone, neither watching its closed pidfd (a failed watch would start a waiting
     * thread for it) nor replacing its handle.
     */
    @Test
    void anAdoptionAfterTheReapLeavesTheChildAlone() throws Exception {
        Assumptions.assumeTrue(SpawnMechanism.CLONE.isAvailable(), "the clone mechanism gives pidfds");
        FdProcess p = (FdProcess) new FdProcessBuilder("/bin/true").mechanism(SpawnMechanism.CLONE).start();
        assertEquals(0, p.waitFor());
        ProcessHandle handle = p.toHandle();
        p.adopt(Reaper.get());
        assertSame(handle, p.toHandle(), "the handle taken before the reap stays");
        String waiter = "fdkit-wait-" + p.pid();
        assertFalse(Thread.getAllStackTraces().keySet().stream().anyMatch(t -> t.getName().equals(waiter)),
                "no thread may wait for a reaped child");
        assertEquals(-1, pidfdOf(p.pid()), "the reaped child's pidfd stays closed");
    }
}
