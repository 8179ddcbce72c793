package dev.fdkit.spawn.internal;

import dev.fdkit.internal.Errno;
import dev.fdkit.internal.FdCalls;

import java.io.IOException;
import java.io.OutputStream;
import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import java.util.Objects;
import java.util.concurrent.locks.ReentrantLock;

/**
 * The parent's write end of a child's stdin pipe, written with write(2) through the libc binding. Closing it is
 * what gives the child EOF. The same descriptor discipline as {@link PipeInputStream}: used only under the lock,
 * closed by whoever holds the lock last. When the child exits the descriptor is closed, as the JDK does.
 */
final class PipeOutputStream extends OutputStream {
    private final ReentrantLock lock = new ReentrantLock();
    private final String name;
    private volatile boolean closed;
    private int fd;
    private MemorySegment buffer;

    PipeOutputStream(int fd, String name) {
        this.fd = fd;
        this.name = name;
    }

    @Override
    public void write(int b) throws IOException {
        write(new byte[] {(byte) b}, 0, 1);
    }

    @Override
    public void write(byte[] b, int off, int len) throws IOException {
        Objects.checkFromIndexSize(off, len, b.length);
        lock.lock();
        try {
            if (closed) throw new IOException("Stream closed");
            if (buffer == null) buffer = Arena.ofAuto().allocate(PipeInputStream.CHUNK);
            while (len > 0) {
                int n = Math.min(len, PipeInputStream.CHUNK);
                MemorySegment.copy(b, off, buffer, ValueLayout.JAVA_BYTE, 0, n);
                int done = 0;
                while (done < n) {
                    Reaper.awaitReady(fd, true);
                    long r = FdCalls.write(fd, buffer.asSlice(done), n - done);
                    if (r == -Errno.EINTR) continue;
                    if (r < 0) throw PipeInputStream.ioFailure("write(" + name + ")", r);
                    done += (int) r;
                }
                off += n;
                len -= n;
            }
        } finally {
            unlockClosingIfAsked();
        }
    }

    @Override
    public void close() {
        closed = true;
        if (lock.tryLock()) unlockClosingIfAsked();
    }

    /** The child has exited: nobody can read what would be written; release the descriptor. */
    void processExited() {
        close();
    }

    private void unlockClosingIfAsked() {
        if (closed) closeFdLocked();
        lock.unlock();
        if (closed && fd >= 0 && lock.tryLock()) {
            closeFdLocked();
            lock.unlock();
        }
    }

    private void closeFdLocked() {
        if (fd >= 0) {
            FdCalls.close(fd);
            fd = -1;
        }
    }
}
