package dev.fdkit.spawn.internal;

import dev.fdkit.internal.Errno;
import dev.fdkit.internal.FdCalls;
import dev.fdkit.internal.ProcessCalls;

import java.io.BufferedInputStream;
import java.io.BufferedOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;

/**
 * A child started by fdkit, as a {@link Process}. Its exit is noticed through its pidfd by the shared
 * {@link Reaper} (or by a thread of its own where epoll or pidfds are missing) and reported like the JDK: the exit
 * status, or 128 + the signal number for a child a signal ended.
 */
public final class FdProcess extends Process {
    private final int pid;
    private final PipeOutputStream stdinPipe;
    private final PipeInputStream stdoutPipe, stderrPipe;
    /** What the caller gets, buffered as the JDK's are; destroy() closes these, not the pipes under them. */
    private final OutputStream stdin;
    private final InputStream stdout, stderr;

    // Guarded by this.
    private int pidfd;
    private boolean reaped;
    /** Whether the reaper's epoll holds the pidfd; threads in {@link #waitFor()} take it out while they poll. */
    private boolean watched;
    private int pollingWaiters;
    private int exitCode;
    private CompletableFuture<Process> exitFuture;
    /** Threads in {@link Object#wait()} for the reap: only they need a notifyAll, which inflates the monitor. */
    private int monitorWaiters;
    /**
     * The JDK's own handle (see {@link #toHandle()}); null until taken, always while the child is unreaped. The
     * reaper takes it soon after the start, on its own thread ({@link #adopt}), unless it is asked for first or
     * the child is reaped first (it is then taken just before the reap). Not by start(), as the JDK's Process
     * takes it: the read of /proc/PID/stat behind it costs some 5% of a start and wait of /bin/true on the thread
     * that makes it, and on the reaper's thread it runs while the child does.
     */
    private ProcessHandle handle;

    /**
     * @param mergedStderr stderr goes into the stdout pipe: the error stream is then, as the JDK's, an empty stream
     *                     of its own that close() closes, not the shared null stream
     */
    FdProcess(int pid, int pidfd, PipeOutputStream stdin, PipeInputStream stdout, PipeInputStream stderr,
              boolean mergedStderr) {
        this.pid = pid;
        this.pidfd = pidfd;
        this.stdinPipe = stdin;
        this.stdoutPipe = stdout;
        this.stderrPipe = stderr;
        this.stdin = stdin == null ? NullOutput.INSTANCE : new BufferedOutputStream(stdin, 8192);
        this.stdout = stdout == null ? NullInput.INSTANCE : new BufferedInputStream(stdout, 8192);
        this.stderr = stderr != null ? new BufferedInputStream(stderr, 8192)
                : mergedStderr ? new BufferedInputStream(InputStream.nullInputStream(), 8192) : NullInput.INSTANCE;
    }

    /**
     * Starts watching for the child's exit: handed to the reaper, which adopts it on its own thread; else through
     * the reaper's epoll set at once; else on a thread of its own.
     */
    void watch() {
        Reaper reaper;
        synchronized (this) {
            reaper = pidfd >= 0 ? Reaper.get() : null;
        }
        if (reaper != null && reaper.adoptLater(this)) return;
        synchronized (this) {
            if (pidfd >= 0 && (watched = watchByReaper(pidfd))) return;
        }
        waitOnOwnThread();
    }

    /**
     * The reaper's side of the start, on its thread: takes the JDK's handle unless it is taken already, then
     * watches the pidfd unless a thread polls it in {@link #waitFor()} (which hands it back when it stops) or the
     * child is reaped. The handle is read outside the lock, so that a start's waitFor does not wait for the read;
     * it is kept only if the child is still unreaped afterwards, so that the pid it was read by was this child's.
     */
    void adopt(Reaper reaper) {
        boolean wantsHandle;
        synchronized (this) {
            if (reaped) return;
            wantsHandle = handle == null;
        }
        ProcessHandle read = wantsHandle ? jdkHandleOrOwn() : null;
        synchronized (this) {
            if (reaped) return;
            if (handle == null) handle = read; // null only if it was null before the read, so read is set
            if (pollingWaiters > 0 || watched) return;
            if (watched = reaper.watch(this, pidfd)) return;
        }
        waitOnOwnThread();
    }

    /** Without pidfd or epoll: a thread of its own blocks in waitid (without reaping) for this child. */
    private void waitOnOwnThread() {
        Reaper.startDaemon("fdkit-wait-" + pid, () -> {
            int[] st = new int[3];
            while (ProcessCalls.waitid(ProcessCalls.P_PID, pid, ProcessCalls.WEXITED | ProcessCalls.WNOWAIT, st) == -Errno.EINTR) {}
            tryReap(true);
        });
    }

    private boolean watchByReaper(int fd) {
        Reaper reaper = Reaper.get();
        return reaper != null && reaper.watch(this, fd);
    }

    /**
     * Reaps the child if it has exited; true once it is reaped. Idempotent, never blocks. The pipes are drained
     * and released before waiters wake, so after {@link #waitFor()} the child holds nothing of this JVM's.
     */
    boolean tryReap() {
        return tryReap(false);
    }

    /** {@code exited}: the caller saw the pidfd readable or waitid report the exit, so no peek is needed. */
    private boolean tryReap(boolean exited) {
        CompletableFuture<Process> future;
        synchronized (this) {
            if (reaped) return true;
            if (!reapLocked(false, exited)) return false;
            future = exitFuture;
        }
        completeLater(future);
        return true;
    }

    /**
     * The reaper's one-shot event for the pidfd: the child has exited, and the item is disarmed, so it is reaped
     * without deleting the item (closing the pidfd drops it). Armed again in the unlikely case that the child
     * cannot be reaped yet.
     */
    void exitEvent(Reaper reaper) {
        CompletableFuture<Process> future;
        synchronized (this) {
            if (reaped || !watched) return; // a waiter took over the pidfd, or reaped it
            if (!reapLocked(true, true)) {
                if (!reaper.rearm(this, pidfd)) {
                    watched = false;
                    reaper.forget(pidfd, this);
                    waitOnOwnThread();
                }
                return;
            }
            future = exitFuture;
        }
        completeLater(future);
    }

    /** Dependent actions run in the default async pool, never on the reaper's thread (as the JDK's onExit). */
    private void completeLater(CompletableFuture<Process> future) {
        if (future != null) future.completeAsync(() -> this);
    }

    /**
     * Lock held, not reaped yet. {@code disarmed}: the reaper's item for the pidfd fired and need not be deleted.
     * {@code exited}: the child is known to have exited; else, while the JDK's handle is still to be taken, waitid
     * first peeks without reaping.
     */
    private boolean reapLocked(boolean disarmed, boolean exited) {
        int[] st = new int[3];
        boolean tookHandle = handle == null;
        if (tookHandle) {
            if (!exited) {
                int peek = ProcessCalls.waitid(ProcessCalls.P_PID, pid,
                        ProcessCalls.WEXITED | ProcessCalls.WNOHANG | ProcessCalls.WNOWAIT, st);
                if (peek == 0 && st[0] == 0) return false; // still running
            }
            handleLocked();
        }
        int r = ProcessCalls.waitid(ProcessCalls.P_PID, pid, ProcessCalls.WEXITED | ProcessCalls.WNOHANG, st);
        if (r == -Errno.EINTR || (r == 0 && st[0] == 0)) return false;
        // r < 0 (ECHILD) means someone else reaped it: the status is lost, and the pid may name another process by
        // the time the handle was taken.
        exitCode = r < 0 ? -1 : st[1] == ProcessCalls.CLD_EXITED ? st[2] : 0x80 + st[2];
        if (r < 0 && tookHandle) handle = new SpawnedHandle(this);
        if (watched) {
            if (disarmed) {
                Reaper.get().forget(pidfd, this);
            } else {
                Reaper.get().unwatch(pidfd, this);
            }
            watched = false;
        }
        if (pollingWaiters == 0) closePidfd(); // else the last polling waiter closes it
        // Non-blocking: each takes its stream's lock only if free, and reads only what is already there.
        if (stdinPipe != null) stdinPipe.processExited();
        if (stdoutPipe != null) stdoutPipe.processExited();
        if (stderrPipe != null) stderrPipe.processExited();
        reaped = true;
        if (monitorWaiters > 0) notifyAll();
        return true;
    }

    /**
     * Sends {@code sig} while the child is unreaped; false once it is gone or when the kernel refuses. Through the
     * pidfd; where pidfd_send_signal is refused (ENOSYS before Linux 5.1, EPERM from a seccomp filter) through
     * kill(2), which is as safe while the child is unreaped: its pid cannot have been given to another process.
     */
    boolean signal(int sig) {
        synchronized (this) {
            if (reaped) return false;
            int r = pidfd >= 0 ? ProcessCalls.pidfdSendSignal(pidfd, sig) : -Errno.ENOSYS;
            if (r == -Errno.ENOSYS || r == -Errno.EPERM) r = ProcessCalls.kill(pid, sig);
            return r == 0;
        }
    }

    @Override
    public OutputStream getOutputStream() {
        return stdin;
    }

    @Override
    public InputStream getInputStream() {
        return stdout;
    }

    @Override
    public InputStream getErrorStream() {
        return stderr;
    }

    /** Lock held. */
    private void closePidfd() {
        if (pidfd >= 0) {
            FdCalls.close(pidfd); // the reaper's item for it is deleted, or disarmed by its one event
            pidfd = -1;
        }
    }

    /**
     * Waits for the child. A platform thread polls the child's pidfd itself, with the reaper told to look away,
     * so the exit wakes this thread directly instead of the reaper first and this thread second; an interrupt is
     * noticed within {@value #POLL_SLICE_MS} ms. A virtual thread waits for the reaper instead (a blocking native
     * call would hold its carrier).
     */
    @Override
    public int waitFor() throws InterruptedException {
        if (Thread.currentThread().isVirtual()) return waitForReaper();
        int fd;
        synchronized (this) {
            if (reaped) return exitCode;
            if (pidfd < 0) return waitForReaper();
            fd = pidfd;
            if (pollingWaiters++ == 0 && watched) {
                Reaper.get().unwatch(fd, this);
                watched = false;
            }
        }
        try {
            if (Thread.interrupted()) throw new InterruptedException();
            boolean exited;
            do { // readable once the child has exited: no need to ask waitid before
                exited = FdCalls.pollOne(fd, FdCalls.POLLIN, POLL_SLICE_MS) > 0;
                if (Thread.interrupted()) throw new InterruptedException();
            } while (!tryReap(exited));
            synchronized (this) {
                return exitCode;
            }
        } finally {
            synchronized (this) {
                if (--pollingWaiters == 0) {
                    if (reaped) {
                        closePidfd();
                    } else if (!(watched = watchByReaper(pidfd))) { // interrupted: the reaper takes over again
                        waitOnOwnThread();
                    }
                }
            }
        }
    }

    private static final int POLL_SLICE_MS = 100;

    private synchronized int waitForReaper() throws InterruptedException {
        monitorWaiters++;
        try {
            while (!reaped) wait();
        } finally {
            monitorWaiters--;
        }
        return exitCode;
    }

    @Override
    public boolean waitFor(long timeout, TimeUnit unit) throws InterruptedException {
        long total = unit.toNanos(timeout); // saturates; a null unit throws first, as the JDK's does
        synchronized (this) {
            if (reaped) return true;
            if (total <= 0) return false;
            // Elapsed time against the total, never a deadline: now + total can overflow.
            long start = System.nanoTime();
            monitorWaiters++;
            try {
                while (!reaped) {
                    long left = total - (System.nanoTime() - start);
                    if (left <= 0) return false;
                    TimeUnit.NANOSECONDS.timedWait(this, left);
                }
            } finally {
                monitorWaiters--;
            }
            return true;
        }
    }

    @Override
    public synchronized int exitValue() {
        // Reaped here if it has exited: the handle's onExit (the JDK's, which only waits) can come first.
        if (!tryReap()) throw new IllegalThreadStateException("process hasn't exited");
        return exitCode;
    }

    @Override
    public void destroy() {
        signal(ProcessCalls.SIGTERM);
        closeStreams();
    }

    @Override
    public Process destroyForcibly() {
        signal(ProcessCalls.SIGKILL);
        closeStreams();
        return this;
    }

    /**
     * After a destroy, as the JDK's Process does: the caller's streams are closed, so bytes still buffered for
     * reading are gone and a later read or write fails with "Stream closed", and stdin's unflushed bytes are
     * flushed first (into a child that may be gone: errors are ignored, as the JDK does). A read blocked right now
     * keeps the descriptor until it returns (see {@link PipeInputStream}).
     */
    private void closeStreams() {
        for (java.io.Closeable c : new java.io.Closeable[] {stdin, stdout, stderr}) {
            try {
                c.close();
            } catch (IOException ignored) {
                // the child is gone or going: nothing to report
            }
        }
    }

    @Override
    public boolean supportsNormalTermination() {
        return true;
    }

    @Override
    public synchronized boolean isAlive() {
        return !tryReap();
    }

    @Override
    public long pid() {
        return pid;
    }

    @Override
    public CompletableFuture<Process> onExit() {
        synchronized (this) {
            if (reaped) return CompletableFuture.completedFuture(this);
            if (exitFuture == null) exitFuture = new CompletableFuture<>();
            return exitFuture.copy(); // callers cannot complete ours
        }
    }

    /**
     * The JDK's own handle: it equals, hashes and compares as ProcessHandle.of(pid) and the children() of the JVM
     * do, also when first asked after the reap (it was taken before it). Only where /proc could not tell the
     * start time does fdkit's own handle stand in, which answers as the JDK's does for an exited process.
     */
    @Override
    public synchronized ProcessHandle toHandle() {
        return handle != null ? handle : handleLocked();
    }

    /** Lock held, not reaped yet: ProcessHandle.of finds this child and no other while it is unreaped. */
    private ProcessHandle handleLocked() {
        return handle = jdkHandleOrOwn();
    }

    /** The JDK's handle of this pid, or fdkit's own where /proc cannot tell its start time. */
    private ProcessHandle jdkHandleOrOwn() {
        return ProcessHandle.of(pid).orElseGet(() -> new SpawnedHandle(this));
    }

    @Override
    public String toString() {
        synchronized (this) {
            return "Process[pid=" + pid + ", exitValue=" + (reaped ? Integer.toString(exitCode) : "\"not exited\"") + "]";
        }
    }

    /** stdin of a child whose stdin is not a pipe: like ProcessBuilder's, every write fails, close does nothing. */
    static final class NullOutput extends OutputStream {
        static final NullOutput INSTANCE = new NullOutput();

        @Override
        public void write(int b) throws IOException {
            throw new IOException("Stream closed");
        }
    }

    /**
     * stdout or stderr of a child whose stream is not a pipe: like ProcessBuilder's, one shared stream that is
     * always at its end, also after close().
     */
    static final class NullInput extends InputStream {
        static final NullInput INSTANCE = new NullInput();

        @Override
        public int read() {
            return -1;
        }

        @Override
        public int available() {
            return 0;
        }
    }
}
