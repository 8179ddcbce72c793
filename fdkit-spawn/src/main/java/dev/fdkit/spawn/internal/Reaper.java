package dev.fdkit.spawn.internal;

import dev.fdkit.internal.Errno;
import dev.fdkit.internal.NetCalls;

import java.util.concurrent.ConcurrentHashMap;

/**
 * One daemon thread that waits on the pidfds of every running child with epoll and reaps each as it exits: no
 * thread per child. A pidfd becomes readable when its process exits; the child is then reaped by pid, which is
 * safe because only fdkit reaps fdkit's children (the JDK reaps only its own by pid).
 */
final class Reaper {
    private static volatile Reaper instance;

    private final int epfd;
    private final ConcurrentHashMap<Integer, FdProcess> watched = new ConcurrentHashMap<>();

    private Reaper(int epfd) {
        this.epfd = epfd;
        Thread t = new Thread(this::run, "fdkit-reaper");
        t.setDaemon(true);
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
                    instance = r = new Reaper(epfd);
                }
            }
        }
        return r;
    }

    /** Watches {@code p}'s pidfd; false if it could not (the caller then waits another way). */
    boolean watch(FdProcess p, int pidfd) {
        watched.put(pidfd, p);
        if (NetCalls.epollCtl(epfd, NetCalls.EPOLL_CTL_ADD, pidfd, NetCalls.EPOLLIN, pidfd) == 0) return true;
        watched.remove(pidfd, p);
        return false;
    }

    /**
     * Stops watching {@code p}, under its lock: before it closes its pidfd (the number may be reused next), or while
     * a thread waits on the pidfd itself. The item is deleted explicitly: close alone leaves it in the epoll while
     * any other reference to the file lives (a table copy held by a concurrent fork or spawn), and a
     * level-triggered item of an exited child makes run() spin.
     */
    void unwatch(int pidfd, FdProcess p) {
        NetCalls.epollCtl(epfd, NetCalls.EPOLL_CTL_DEL, pidfd, 0, 0);
        watched.remove(pidfd, p);
    }

    private void run() {
        long[] ready = new long[64];
        while (true) {
            int n = NetCalls.epollWait(epfd, ready, -1);
            if (n < 0 && n != -Errno.EINTR) pause(); // the epoll descriptor was closed under us: do not spin
            for (int i = 0; i < n; i++) {
                FdProcess p = watched.get((int) ready[i]);
                if (p == null) continue; // reaped by a waiter meanwhile
                try {
                    p.tryReap();
                } catch (Throwable t) { // report, but never let one child stop the reaping of the others
                    Thread self = Thread.currentThread();
                    self.getUncaughtExceptionHandler().uncaughtException(self, t);
                }
            }
        }
    }

    private static void pause() {
        try {
            Thread.sleep(100);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }
}
