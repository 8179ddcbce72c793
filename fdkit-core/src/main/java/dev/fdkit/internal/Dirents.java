package dev.fdkit.internal;

import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;

import static java.lang.foreign.ValueLayout.JAVA_BYTE;

/**
 * Reads a /proc/.../fd directory with getdents64(2) straight into native memory and parses the names as numbers:
 * no String, no object per entry.
 */
public final class Dirents implements AutoCloseable {
    private static final int BUFFER_BYTES = 32768;

    /**
     * Where getdents64 writes, and the array the names are parsed from: one bulk copy per call costs less than a
     * segment access per byte of every name, above all before the JIT has compiled the parser.
     */
    private record Buffer(MemorySegment segment, byte[] bytes) {}

    /** One buffer per thread: a scan is short and never nests, and small closes should not pay for 32 KiB. */
    private static final ThreadLocal<Buffer> BUFFER = ThreadLocal.withInitial(
            () -> new Buffer(Arena.ofAuto().allocate(BUFFER_BYTES, 8), new byte[BUFFER_BYTES]));
    private final MemorySegment buf;
    private final byte[] bytes;
    private final int dirfd;
    private final boolean owned;
    /** Whether the sink of the last {@link #next} call stopped the scan. */
    private boolean stopped;

    /** Takes ownership of {@code dirfd}, an open directory descriptor. */
    public Dirents(int dirfd) {
        this(dirfd, true);
    }

    /**
     * Reads {@code dirfd}, an open directory descriptor, from its current position; closes it when done only if
     * {@code owned}. A caller that keeps using the directory (openat and readlinkat relative to it do not move its
     * position) need not duplicate it for the scan.
     */
    public Dirents(int dirfd, boolean owned) {
        this.dirfd = dirfd;
        this.owned = owned;
        Buffer b = BUFFER.get();
        buf = b.segment();
        bytes = b.bytes();
    }

    /** Receives each numeric entry; returning false stops the scan. */
    @FunctionalInterface
    public interface NumberSink {
        boolean accept(int number);
    }

    /** Scans the directory from its current position; returns 0 or -errno. */
    public int forEach(NumberSink sink) {
        stopped = false;
        while (true) {
            long n = next(sink);
            if (n <= 0 || stopped) return (int) Math.min(n, 0);
        }
    }

    /**
     * One getdents64(2) call's worth of entries, in the order the directory gives them, for a reader that works on
     * what it has while the rest is read: the bytes read (0 at the end), or -errno.
     */
    public long next(NumberSink sink) {
        long n = FileCalls.getdents64(dirfd, buf);
        if (n > 0) MemorySegment.copy(buf, JAVA_BYTE, 0, bytes, 0, (int) n);
        for (long off = 0; off < n; ) {
            int reclen = FileCalls.direntLength(buf, off);
            int number = parse(bytes, (int) (off + FileCalls.DIRENT64_NAME));
            off += reclen;
            if (number >= 0 && !sink.accept(number)) {
                stopped = true;
                return n;
            }
        }
        return n;
    }

    public int rewind() {
        return (int) Math.min(0, FdCalls.lseek(dirfd, 0, FdCalls.SEEK_SET));
    }

    /** The decimal number at {@code at}, or -1 for "." and ".." and anything else. */
    private static int parse(byte[] name, int at) {
        long value = 0;
        int digits = 0;
        for (int p = at; p < name.length; p++) {
            byte b = name[p];
            if (b == 0) break;
            if (b < '0' || b > '9' || ++digits > 10) return -1;
            value = value * 10 + (b - '0');
        }
        return digits == 0 || value > Integer.MAX_VALUE ? -1 : (int) value;
    }

    @Override
    public void close() {
        if (owned) FdCalls.close(dirfd);
    }
}
