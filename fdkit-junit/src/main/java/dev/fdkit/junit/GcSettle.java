package dev.fdkit.junit;

import dev.fdkit.ErrnoException;
import dev.fdkit.FdInfo;
import dev.fdkit.internal.IdentitySnapshot;

import java.lang.ref.PhantomReference;
import java.lang.ref.ReferenceQueue;
import java.util.ArrayList;
import java.util.List;

/**
 * Collects garbage until what unreachable objects close has been closed, so the leak check's verdict does not
 * depend on when the collector or the cleaner threads happen to run. One round is:
 * <ol>
 *   <li>{@code System.gc()}, then wait until a phantom reference made unreachable just before it is enqueued:
 *       the collection has finished and the Reference Handler has passed its references on;</li>
 *   <li>wait until every cleaner thread (the JDK's "Common-Cleaner", which closes dropped streams, channels and
 *       sockets, and each {@code Cleaner.create()} thread, "Cleaner-N") is blocked on its empty queue;</li>
 *   <li>look which candidates are still open.</li>
 * </ol>
 * Rounds repeat (one cleaning may make more objects unreachable) until every candidate is closed, or none has closed
 * for {@link #STABLE_MILLIS} (longer than the 3 s after which the JDK's HttpClient notices its client is gone and
 * closes its connections and selector), or {@link #MAX_MILLIS} have passed.
 */
final class GcSettle {
    private GcSettle() {}

    /** The set must stay the same this long to count as stable. */
    static final long STABLE_MILLIS = 3_500;
    /** The whole settling never takes longer than this. */
    static final long MAX_MILLIS = 10_000;
    /** Pause between rounds: a collection per round, not a busy loop. */
    private static final long ROUND_PAUSE_MILLIS = 50;

    /** Which of {@code candidates} are still open once collection has settled. */
    static List<FdInfo> stillOpen(List<FdInfo> candidates) throws ErrnoException, InterruptedException {
        long start = System.nanoTime(), deadline = start + MAX_MILLIS * 1_000_000;
        long lastChange = start;
        List<FdInfo> left = candidates;
        while (!left.isEmpty()) {
            collect(deadline);
            awaitIdleCleaners(deadline);
            List<FdInfo> still = open(left);
            long now = System.nanoTime();
            if (still.size() != left.size()) lastChange = now;
            left = still;
            if (now - lastChange >= STABLE_MILLIS * 1_000_000 || now >= deadline) break;
            Thread.sleep(ROUND_PAUSE_MILLIS);
        }
        return left;
    }

    /** System.gc(), and wait (until {@code deadline}) for a reference it cleared to be enqueued. */
    private static void collect(long deadline) throws InterruptedException {
        ReferenceQueue<Object> queue = new ReferenceQueue<>();
        PhantomReference<Object> sentinel = new PhantomReference<>(new Object(), queue);
        System.gc();
        long left = (deadline - System.nanoTime()) / 1_000_000;
        if (left > 0) queue.remove(left);
        java.lang.ref.Reference.reachabilityFence(sentinel);
    }

    /**
     * Waits (until {@code deadline}) until no cleaner thread is running a cleaning action: an idle one waits on its
     * queue. (The Reference Handler is not watched: it waits in native code, RUNNABLE; the sentinel showed it ran.)
     */
    private static void awaitIdleCleaners(long deadline) throws InterruptedException {
        while (System.nanoTime() < deadline) {
            boolean busy = false;
            for (Thread t : Thread.getAllStackTraces().keySet()) {
                String n = t.getName();
                if (!n.equals("Common-Cleaner") && !n.startsWith("Cleaner-")) continue;
                Thread.State s = t.getState();
                if (s != Thread.State.WAITING && s != Thread.State.TIMED_WAITING && s != Thread.State.TERMINATED) {
                    busy = true;
                    break;
                }
            }
            if (!busy) return;
            Thread.sleep(1);
        }
    }

    private static List<FdInfo> open(List<FdInfo> candidates) throws ErrnoException {
        IdentitySnapshot now = LeakCheckExtension.identities();
        List<FdInfo> still = new ArrayList<>();
        for (FdInfo f : candidates) if (now.holds(f.fd(), f.inode(), f.mountId())) still.add(f);
        return still;
    }
}
