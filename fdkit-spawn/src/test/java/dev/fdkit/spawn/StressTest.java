package dev.fdkit.spawn;

import dev.fdkit.internal.FdCalls;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicLong;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * 8 threads start children while 4 others open and close descriptors without O_CLOEXEC as fast as they can: no
 * child ever sees a descriptor it was not given, the parent's table returns to what it was, no zombie remains.
 *
 * <p>The stress run is meant for 10,000 children; {@code -Dfdkit.test.stress.children=N} sets the count (default 10,000,
 * which takes about 20 s on a 2-core machine).
 */
class StressTest {
    private static final int SPAWNERS = 8, CHURNERS = 4;

    @Test
    @Timeout(300)
    void manyChildrenWhileOtherThreadsOpenDescriptors() throws Exception {
        int total = Integer.getInteger("fdkit.test.stress.children", 10_000);
        new FdProcessBuilder("true").start().waitFor(); // helper, reaper and low numbers ready before the baseline
        new FdProcessBuilder("true").mechanism(SpawnMechanism.POSIX_SPAWN).start().waitFor();
        Set<Integer> baseline = TestSupport.openFds();

        AtomicBoolean stop = new AtomicBoolean();
        AtomicLong churned = new AtomicLong();
        List<Thread> churners = new ArrayList<>();
        for (int i = 0; i < CHURNERS; i++) {
            churners.add(Thread.ofPlatform().name("churn-" + i).start(() -> {
                while (!stop.get()) {
                    int fd = FdCalls.open("/dev/null", FdCalls.O_RDONLY, 0); // no O_CLOEXEC: inheritable
                    if (fd >= 0) FdCalls.close(fd);
                    churned.incrementAndGet();
                }
            }));
        }

        AtomicInteger next = new AtomicInteger();
        ConcurrentLinkedQueue<String> wrong = new ConcurrentLinkedQueue<>();
        ConcurrentLinkedQueue<Throwable> errors = new ConcurrentLinkedQueue<>();
        CountDownLatch done = new CountDownLatch(SPAWNERS);
        int[] passed = TestSupport.pipe();
        for (int t = 0; t < SPAWNERS; t++) {
            Thread.ofPlatform().name("spawn-" + t).start(() -> {
                try {
                    for (int i; (i = next.getAndIncrement()) < total; ) {
                        // Every fourth child goes through posix_spawn; every third also gets a passed descriptor.
                        FdProcessBuilder b = new FdProcessBuilder("ls", "/proc/self/fd")
                                .mechanism(i % 4 == 3 ? SpawnMechanism.POSIX_SPAWN : SpawnMechanism.CLONE);
                        boolean pass = i % 3 == 0;
                        if (pass) b.passFd(passed[1], 5);
                        Process p = b.start();
                        String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.US_ASCII);
                        int exit = p.waitFor();
                        // ls's own directory descriptor is 3: the lowest free number in either case
                        String want = pass ? "0 1 2 3 5" : "0 1 2 3";
                        String got = String.join(" ", out.trim().split("\n"));
                        if (exit != 0 || !got.equals(want)) wrong.add("child " + i + ": [" + got + "] exit " + exit);
                    }
                } catch (Throwable e) {
                    errors.add(e);
                } finally {
                    done.countDown();
                }
            });
        }
        done.await();
        stop.set(true);
        for (Thread c : churners) c.join();
        TestSupport.closeAll(passed);

        assertTrue(errors.isEmpty(), () -> "errors: " + errors);
        assertTrue(wrong.isEmpty(), () -> wrong.size() + " children saw other descriptors, e.g. "
                + wrong.stream().limit(5).toList());
        assertTrue(churned.get() > total, "the churners really ran: " + churned.get());
        assertEquals(baseline, TestSupport.openFds(), "the parent's table is back to its baseline");
        assertEquals(List.of(), TestSupport.zombieChildren(), "no zombie");
    }
}
