package dev.fdkit.bench;

import dev.fdkit.ErrnoException;
import dev.fdkit.Fds;
import dev.fdkit.internal.FdCalls;
import dev.fdkit.internal.ProcessCalls;

/**
 * The descriptors a benchmark owns: a block of distinct /dev/null files at fixed numbers above everything the JVM
 * had open when the block's base was chosen. Closing "from base to the end of the table" then closes only these,
 * never the JVM's jars, sockets or epoll descriptors (nor JMH's socket to its host process).
 */
public final class FdBlock {
    /**
     * Free numbers left between the JVM's highest descriptor and the block: the JVM's own later opens take the
     * lowest free numbers, so they land below the block unless the JVM opens more than this many meanwhile (and
     * {@link #open} refuses to overwrite a descriptor it finds open).
     */
    public static final int HEADROOM = 64;

    private final int base;

    private FdBlock(int base) {
        this.base = base;
    }

    /** A block starting {@link #HEADROOM} numbers above the highest descriptor this process has open now. */
    public static FdBlock aboveJvm() throws ErrnoException {
        int highest = Fds.highestOpen().orElse(2);
        return new FdBlock(highest + 1 + HEADROOM);
    }

    /** The first number of the block. */
    public int base() {
        return base;
    }

    /** The highest block size the soft RLIMIT_NOFILE allows (descriptors must stay below the limit). */
    public long capacity() {
        long soft = ProcessCalls.getrlimitNofile()[0];
        return soft < 0 ? Integer.MAX_VALUE - (long) base : Math.max(0, soft - base);
    }

    /**
     * Opens {@code n} distinct /dev/null files at base .. base+n-1: each its own open file description, like the
     * files the close_range patch's table closed.
     */
    public void open(int n) throws ErrnoException {
        if (n > capacity()) {
            throw new IllegalStateException("RLIMIT_NOFILE (soft " + ProcessCalls.getrlimitNofile()[0] + ") leaves room for "
                    + capacity() + " descriptors above " + base + ", fewer than " + n);
        }
        for (int i = 0; i < n; i++) {
            int target = base + i;
            if (FdCalls.fcntl(target, FdCalls.F_GETFD, 0) >= 0) {
                closeAll();
                throw new IllegalStateException("descriptor " + target + " is already open: the JVM opened more than "
                        + HEADROOM + " descriptors since the bench chose its base; refusing to overwrite it");
            }
            int fd = FdCalls.open("/dev/null", FdCalls.O_RDONLY, 0);
            if (fd < 0) {
                closeAll();
                throw new ErrnoException("open(/dev/null) for bench descriptor " + target, -fd);
            }
            if (fd != target) {
                int r = FdCalls.dup2(fd, target);
                FdCalls.close(fd);
                if (r < 0) {
                    closeAll();
                    throw new ErrnoException("dup2(" + fd + ", " + target + ")", -r);
                }
            }
        }
    }

    /** Closes every descriptor from base to the end of the table: the block, whatever state it is in. */
    public void closeAll() throws ErrnoException {
        Fds.closeRange(base, Fds.MAX_FD);
    }

    /** How many descriptors are open from base to the end of the table. */
    public int openCount() throws ErrnoException {
        return Fds.numbers(base, Fds.MAX_FD).length;
    }

    /** Whether the descriptor at base + i is open and marked close-on-exec. */
    public boolean closeOnExec(int i) {
        int flags = FdCalls.fcntl(base + i, FdCalls.F_GETFD, 0);
        return flags >= 0 && (flags & FdCalls.FD_CLOEXEC) != 0;
    }
}
