package dev.fdkit.spawn.internal;

import dev.fdkit.internal.Errno;
import dev.fdkit.internal.FdCalls;

import java.io.IOException;
import java.io.InputStream;
import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import java.util.Arrays;
import java.util.Objects;
import java.util.concurrent.locks.ReentrantLock;

/**
 * The parent's read end of a child's stdout or stderr pipe, read with read(2) through the libc binding.
 *
 * <p>A descriptor number must never be used after it was closed (another thread could have been handed the same
 * number for another file), so every use happens under {@link #lock}, and {@link #close()} from another thread
 * while a read is blocked only marks the stream: the reader closes the number when its read returns.
 *
 * <p>When the child exits, whatever it left in the pipe is drained into memory and the descriptor is closed
 * (unless a reader is busy with it), as the JDK does, so an unread stream does not hold a descriptor.
 */
final class PipeInputStream extends InputStream {
    static final int CHUNK = 16384;

    private final ReentrantLock lock = new ReentrantLock();
    private final String name;
    private volatile boolean closed, exited;
    private int fd;
    private MemorySegment buffer;
    private byte[] drained;
    private int drainedPos;

    PipeInputStream(int fd, String name) {
        this.fd = fd;
        this.name = name;
    }

    private MemorySegment buffer() {
        if (buffer == null) buffer = Arena.ofAuto().allocate(CHUNK);
        return buffer;
    }

    @Override
    public int read() throws IOException {
        byte[] one = new byte[1];
        int n = read(one, 0, 1);
        return n < 0 ? -1 : one[0] & 0xff;
    }

    @Override
    public int read(byte[] b, int off, int len) throws IOException {
        Objects.checkFromIndexSize(off, len, b.length);
        if (len == 0) return 0;
        lock.lock();
        try {
            if (closed) throw new IOException("Stream closed");
            if (drained != null) {
                if (drainedPos >= drained.length) return -1;
                int n = Math.min(len, drained.length - drainedPos);
                System.arraycopy(drained, drainedPos, b, off, n);
                drainedPos += n;
                return n;
            }
            MemorySegment buf = buffer();
            long r;
            do {
                Reaper.awaitReady(fd, false); // a virtual thread parks here rather than block its carrier in read
                r = FdCalls.read(fd, buf, Math.min(len, CHUNK));
            } while (r == -Errno.EINTR);
            if (r < 0) throw ioFailure("read(" + name + ")", r);
            if (r == 0) return -1;
            MemorySegment.copy(buf, ValueLayout.JAVA_BYTE, 0, b, off, (int) r);
            return (int) r;
        } finally {
            unlockClosingIfAsked();
        }
    }

    /**
     * A failed read or write as the JDK's pipe streams report it: an IOException whose message is the C library's
     * text ("Broken pipe"), with fdkit's detail in brackets after it.
     */
    static IOException ioFailure(String call, long result) {
        int errno = (int) -result;
        return new IOException(Errno.description(errno) + " [" + call + ": " + Errno.name(errno) + "]");
    }

    @Override
    public int available() throws IOException {
        lock.lock();
        try {
            if (closed) throw new IOException("Stream closed");
            if (drained != null) return drained.length - drainedPos;
            int n = FdCalls.ioctlGetInt(fd, FdCalls.FIONREAD);
            return Math.max(n, 0);
        } finally {
            unlockClosingIfAsked();
        }
    }

    @Override
    public void close() {
        closed = true;
        if (lock.tryLock()) unlockClosingIfAsked(); // else the reader closes it when its read returns
    }

    /**
     * Called when the child has exited: keep what is left in memory, release the descriptor. If a reader holds
     * the stream, it does this itself when its read returns.
     */
    void processExited() {
        exited = true;
        if (lock.tryLock()) unlockClosingIfAsked();
    }

    /** Reads what is in the pipe now into memory and closes the descriptor; under the lock. */
    private void drainLocked() {
        byte[] data = new byte[0];
        int have = 0;
        MemorySegment buf = buffer();
        // Only what is there now: a grandchild holding the write end must not make this wait.
        for (int left = Math.max(FdCalls.ioctlGetInt(fd, FdCalls.FIONREAD), 0); left > 0; ) {
            long r = FdCalls.read(fd, buf, Math.min(left, CHUNK));
            if (r == -Errno.EINTR) continue;
            if (r <= 0) break;
            if (have + r > data.length) data = Arrays.copyOf(data, Math.max((int) (have + r), data.length * 2));
            MemorySegment.copy(buf, ValueLayout.JAVA_BYTE, 0, data, have, (int) r);
            have += (int) r;
            left -= (int) r;
        }
        drained = Arrays.copyOf(data, have);
        closeFdLocked();
    }

    /** Settles a close or an exit that happened meanwhile, then unlocks; the flags are set before any tryLock. */
    private void unlockClosingIfAsked() {
        settleLocked();
        lock.unlock();
        // A close() or exit that came while we held the lock could not act; we see its flag now.
        if ((closed || exited) && fd >= 0 && lock.tryLock()) {
            settleLocked();
            lock.unlock();
        }
    }

    private void settleLocked() {
        if (fd < 0) return;
        if (closed) {
            closeFdLocked();
        } else if (exited) {
            drainLocked();
        }
    }

    private void closeFdLocked() {
        if (fd >= 0) {
            FdCalls.close(fd);
            fd = -1;
        }
    }
}
