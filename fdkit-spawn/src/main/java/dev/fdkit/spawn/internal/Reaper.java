package dev.fdkit.spawn.internal;

import dev.fdkit.internal.Errno;
import dev.fdkit.internal.FdCalls;
import dev.fdkit.internal.HeldDescriptors;
import dev.fdkit.internal.NetCalls;

import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.locks.LockSupport;

/**
 * One daemon thread that waits on the pidfds of every running child with epoll and reaps each as it exits: no
 * thread per child. A pidfd becomes readable when its process exits; the child is then reaped by pid, which is
 * safe because only fdkit reaps fdkit's children (the JDK reaps only its own by pid).
 *
 * <p>A new child is handed over through a queue and an eventfd ({@link #adoptLater}): the reaper takes the JDK's
 * handle and adds the pidfd to its epoll set while the child runs, so the starting thread makes one system call
 * for it instead of an epoll_ctl, another to undo it when it waits itself, and the read of /proc/PID/stat behind
 * the handle.
 *
 * <p>The same epoll wakes virtual threads that wait for a child's pipe to become readable or writable
 * ({@link #awaitReady}), so such a wait parks the virtual thread instead of holding its carrier in read(2).
 */
final class Reaper {
    /**
     * Marks epoll data that is a pipe a virtual thread waits on. A pidfd's data is its number and, above it, the
     * child's pid (below 2^22), so that an event taken from epoll_wait after its child was reaped and its number
     * given to a new child's pidfd is told apart from the new child's own (the table is keyed by number).
     */
    private static final long PIPE_TAG = 1L << 62;
    /** The epoll data of {@link #wakeFd}. */
    private static final long WAKE_TAG = 1L << 61;

    private static volatile Reaper instance;

    private final int epfd;
    private final ConcurrentHashMap<Integer, FdProcess> watched = new ConcurrentHashMap<>();
    /** pipe descriptor -> the virtual thread parked until it is ready */
    private final ConcurrentHashMap<Integer, Thread> parked = new ConcurrentHashMap<>();
    /** Children started and not yet adopted. */
    private final ConcurrentLinkedQueue<FdProcess> toAdopt = new ConcurrentLinkedQueue<>();
    /**
     * Whether {@link #wakeFd} was signalled and the reaper has not yet drained it: of a burst of starts, only the
     * first makes the system call.
     */
    private final AtomicBoolean wakePending = new AtomicBoolean();
    /** An eventfd in the epoll set that tells the reaper of new children; -1 where it could not be made. */
    private final int wakeFd;

    private Reaper(int epfd) {
        this.epfd = epfd;
        this.wakeFd = wakeFdIn(epfd);
        startDaemon("fdkit-reaper", this::run);
    }

    /** A new eventfd, added to {@code epfd}; -1 if either step fails (children are then watched as they start). */
    private static int wakeFdIn(int epfd) {
        int fd = NetCalls.eventfd(0, NetCalls.EFD_CLOEXEC | NetCalls.EFD_NONBLOCK);
        if (fd >= 0 && NetCalls.epollCtl(epfd, NetCalls.EPOLL_CTL_ADD, fd, NetCalls.EPOLLIN, WAKE_TAG) != 0) {
            FdCalls.close(fd);
            return -1;
        }
        HeldDescriptors.add(fd);
        return fd;
    }

    /**
     * Starts a daemon thread like the JDK's process reaper: no context class loader (a thread that lives as long
     * as the JVM must not pin the class loader of whoever happened to start the first child) and no inherited
     * thread locals.
     */
    static void startDaemon(String name, Runnable body) {
        Thread t = Thread.ofPlatform().name(name).daemon(true).inheritInheritableThreadLocals(false).unstarted(body);
        t.setContextClassLoader(null);
        t.start();
    }

    /** The reaper, or null when epoll is unavailable (each child then gets a waiting thread). */
    static Reaper get() {
        Reaper r = instance;
        if (r == null) {
            synchronized (Reaper.class) {
                r = instance;
                if (r == null) {
                    int epfd = NetCalls.epollCreate1(NetCalls.EPOLL_CLOEXEC);
                    if (epfd < 0) return null;
                    HeldDescriptors.add(epfd);
                    instance = r = new Reaper(epfd);
                }
            }
        }
        return r;
    }

    /**
     * Hands child {@code p} to the reaper, which soon {@linkplain FdProcess#adopt adopts} it on its own thread.
     * False if it cannot (no eventfd): the caller then watches the child itself.
     */
    boolean adoptLater(FdProcess p) {
        if (wakeFd < 0) return false;
        toAdopt.add(p);
        // The queue before the flag: a start that finds the flag set is sure the reaper drains the queue after
        // that signal (see adoptStarted), so its child is not left behind.
        if (wakePending.compareAndSet(false, true) && NetCalls.eventfdSignal(wakeFd) < 0) {
            wakePending.set(false);
            return !toAdopt.remove(p); // still queued: the caller watches it; else the reaper has taken it already
        }
        return true;
    }

    /** The wake-up for {@link #adoptLater}: every child queued before the signal is adopted. */
    private void adoptStarted() {
        NetCalls.eventfdDrain(wakeFd);
        // After the drain: a start that sets the flag from here on signals again, and wakes this thread again.
        wakePending.set(false);
        for (FdProcess p; (p = toAdopt.poll()) != null; ) {
            try {
                p.adopt(this);
            } catch (Throwable t) { // report, but never let one child stop the adoption of the others
                reportUncaught(t);
            }
        }
    }

    /**
     * Watches {@code p}'s pidfd, once: the item is one-shot, so the exit's event disarms it and the reaper can close
     * the pidfd without deleting the item first (close alone leaves an item in the epoll while any other reference
     * to the file lives, such as a table copy held by a concurrent fork or spawn; a disarmed one never fires, and the
     * kernel drops it with the last reference). False if it could not (the caller then waits another way).
     */
    boolean watch(FdProcess p, int pidfd) {
        watched.put(pidfd, p);
        if (NetCalls.epollCtl(epfd, NetCalls.EPOLL_CTL_ADD, pidfd, NetCalls.EPOLLIN | NetCalls.EPOLLONESHOT,
                pidfdEventData(p.pid(), pidfd)) == 0) {
            return true;
        }
        watched.remove(pidfd, p);
        return false;
    }

    /** Arms {@code pidfd}'s item again after its event found the child not yet reapable; false if it could not. */
    boolean rearm(FdProcess p, int pidfd) {
        return NetCalls.epollCtl(epfd, NetCalls.EPOLL_CTL_MOD, pidfd, NetCalls.EPOLLIN | NetCalls.EPOLLONESHOT,
                pidfdEventData(p.pid(), pidfd)) == 0;
    }

    /** The epoll data of child {@code pid}'s pidfd {@code pidfd}. */
    static long pidfdEventData(long pid, int pidfd) {
        return pid << 32 | pidfd;
    }

    /**
     * Stops watching {@code p}, under its lock, while its item may still be armed: before it closes its pidfd (the
     * number may be reused next) after a reap the reaper's event did not start, or while a thread waits on the
     * pidfd itself.
     */
    void unwatch(int pidfd, FdProcess p) {
        NetCalls.epollCtl(epfd, NetCalls.EPOLL_CTL_DEL, pidfd, 0, 0);
        forget(pidfd, p);
    }

    /** Drops {@code p} from the table, its item having fired (disarmed) or been deleted. */
    void forget(int pidfd, FdProcess p) {
        watched.remove(pidfd, p);
    }

    /**
     * On a virtual thread, before a read ({@code forWrite} false) or write of a pipe descriptor that the caller
     * holds under its stream's lock: returns once the descriptor is ready (or hung up), having parked the virtual
     * thread meanwhile. Not interruptible, like a blocking read of a pipe. Returns at once, leaving the read to
     * block, where the descriptor cannot be watched.
     */
    static void awaitReady(int fd, boolean forWrite) {
        if (!Thread.currentThread().isVirtual()) return;
        if (FdCalls.pollOne(fd, forWrite ? FdCalls.POLLOUT : FdCalls.POLLIN, 0) != 0) return;
        Reaper r = get();
        if (r != null) r.park(fd, forWrite ? NetCalls.EPOLLOUT : NetCalls.EPOLLIN);
    }

    private void park(int fd, int events) {
        Thread self = Thread.currentThread();
        parked.put(fd, self);
        if (NetCalls.epollCtl(epfd, NetCalls.EPOLL_CTL_ADD, fd, events | NetCalls.EPOLLONESHOT, PIPE_TAG | fd) != 0) {
            parked.remove(fd, self);
            return;
        }
        boolean interrupted = false;
        while (parked.get(fd) == self) {
            LockSupport.park(this);
            if (Thread.interrupted()) interrupted = true; // parking again would return at once
        }
        NetCalls.epollCtl(epfd, NetCalls.EPOLL_CTL_DEL, fd, 0, 0);
        if (interrupted) self.interrupt();
    }

    private void run() {
        long[] ready = new long[64];
        while (true) {
            int n = NetCalls.epollWait(epfd, ready, -1);
            if (n < 0 && n != -Errno.EINTR) pause(); // the epoll descriptor was closed under us: do not spin
            for (int i = 0; i < n; i++) dispatch(ready[i]);
        }
    }

    /** One event epoll_wait returned, with its data; a stale one (its child reaped meanwhile) does nothing. */
    void dispatch(long data) {
        if (data == WAKE_TAG) {
            adoptStarted();
            return;
        }
        if ((data & PIPE_TAG) != 0) {
            Thread t = parked.remove((int) data);
            if (t != null) LockSupport.unpark(t);
            return;
        }
        FdProcess p = watched.get((int) data);
        if (p == null || p.pid() != data >>> 32) return; // reaped by a waiter meanwhile, its number maybe reused
        try {
            p.exitEvent(this);
        } catch (Throwable t) { // report, but never let one child stop the reaping of the others
            reportUncaught(t);
        }
    }

    private static void reportUncaught(Throwable t) {
        Thread self = Thread.currentThread();
        self.getUncaughtExceptionHandler().uncaughtException(self, t);
    }

    private static void pause() {
        try {
            Thread.sleep(100);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }
}
