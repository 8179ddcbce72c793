package dev.fdkit.internal;

import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.nio.charset.StandardCharsets;

import static java.lang.foreign.ValueLayout.JAVA_BYTE;

/**
 * Small reads from procfs through a per-thread native buffer: open, read, close, no Java I/O objects. Used for
 * /proc/self/status, mountinfo and the per-descriptor fdinfo and link files, where a listing does thousands.
 */
public final class ProcFiles {
    private ProcFiles() {}

    private static final class Buffers {
        final Arena arena = Arena.ofAuto();
        final MemorySegment name = arena.allocate(64);
        /** The number {@link #name} holds, so the calls on one descriptor's files write it once. */
        int nameNumber = -1;
        final byte[] digits = new byte[12];
        final MemorySegment empty = arena.allocate(8); // "" for AT_EMPTY_PATH
        MemorySegment data = arena.allocate(16384);
        /** Where a link target is copied to be decoded. */
        byte[] bytes = new byte[4096];
    }

    private static final ThreadLocal<Buffers> BUF = ThreadLocal.withInitial(Buffers::new);

    /** Writes {@code n} as a NUL-terminated decimal name into the thread's name buffer (unless it holds it). */
    private static MemorySegment numberName(Buffers b, int n) {
        if (b.nameNumber == n && n >= 0) return b.name;
        // Digits from the right, then one copy with the terminating NUL.
        byte[] d = b.digits;
        int at = d.length - 1;
        d[at] = 0;
        long v = Math.abs((long) n);
        do {
            d[--at] = (byte) ('0' + v % 10);
            v /= 10;
        } while (v != 0);
        if (n < 0) d[--at] = '-';
        MemorySegment.copy(d, at, b.name, JAVA_BYTE, 0, d.length - at);
        b.nameNumber = n;
        return b.name;
    }

    /** The whole file at {@code path} as bytes, or null with the errno in {@code err[0]}. */
    public static byte[] read(String path, int[] err) {
        int fd = FdCalls.open(path, FdCalls.O_RDONLY | FdCalls.O_CLOEXEC, 0);
        if (fd < 0) {
            if (err != null) err[0] = -fd;
            return null;
        }
        try {
            return readFd(fd, err);
        } finally {
            FdCalls.close(fd);
        }
    }

    /** The target of the link named by the number {@code n} in {@code dirfd} (e.g. fd/N), or null. */
    public static String readlinkNumbered(int dirfd, int n, int[] err) {
        Buffers b = BUF.get();
        while (true) {
            long len = FileCalls.readlinkat(dirfd, numberName(b, n), b.data);
            if (len < 0) {
                if (err != null) err[0] = (int) -len;
                return null;
            }
            if (len < b.data.byteSize()) {
                if (b.bytes.length < len) b.bytes = new byte[(int) b.data.byteSize()];
                MemorySegment.copy(b.data, JAVA_BYTE, 0, b.bytes, 0, (int) len);
                return new String(b.bytes, 0, (int) len, StandardCharsets.UTF_8);
            }
            b.data = b.arena.allocate(b.data.byteSize() * 2);
        }
    }

    /**
     * The file named by the number {@code n} in directory {@code dirfd} (e.g. fdinfo/N), or null with the errno
     * in {@code err[0]}; for files the kernel produces in one piece (fdinfo is a single_open seq_file): a read that
     * does not fill the buffer returned the whole file, so no second read is spent to see EOF.
     */
    public static byte[] readNumberedWhole(int dirfd, int n, int[] err) {
        byte[][] into = {new byte[0]};
        int length = readNumberedInto(dirfd, n, into);
        if (length < 0) {
            if (err != null) err[0] = -length;
            return null;
        }
        return into[0].length == length ? into[0] : java.util.Arrays.copyOf(into[0], length);
    }

    /**
     * Like {@link #readNumberedWhole}, into {@code into[0]} (replaced by a larger array when the file does not fit):
     * the file's length, or -errno. A listing reuses one array for every descriptor's fdinfo.
     */
    public static int readNumberedInto(int dirfd, int n, byte[][] into) {
        Buffers b = BUF.get();
        int fd = FileCalls.openat(dirfd, numberName(b, n), FdCalls.O_RDONLY | FdCalls.O_CLOEXEC, 0);
        if (fd < 0) return fd;
        try {
            long got;
            do {
                got = FdCalls.read(fd, b.data, b.data.byteSize());
            } while (got == -Errno.EINTR);
            if (got < 0) return (int) got;
            if (got >= b.data.byteSize()) {
                FdCalls.lseek(fd, 0, FdCalls.SEEK_SET);
                int[] err = new int[1];
                byte[] all = readFd(fd, err); // larger than the buffer (an epoll watching thousands): the slow way
                if (all == null) return -err[0];
                into[0] = all;
                return all.length;
            }
            if (into[0].length < got) into[0] = new byte[(int) got];
            MemorySegment.copy(b.data, JAVA_BYTE, 0, into[0], 0, (int) got);
            return (int) got;
        } finally {
            FdCalls.close(fd);
        }
    }

    /**
     * statx of the file the link named by {@code n} in {@code dirfd} points to, from cached attributes (a FUSE
     * daemon is not asked): fills {@code out} with {st_mode, st_nlink}; returns 0 or -errno.
     */
    public static int statNumberedCached(int dirfd, int n, long[] out) {
        Buffers b = BUF.get();
        int r = FileCalls.statx(dirfd, numberName(b, n), FileCalls.AT_STATX_DONT_SYNC,
                FileCalls.STATX_TYPE | FileCalls.STATX_MODE | FileCalls.STATX_NLINK, b.data);
        if (r < 0) return r;
        out[0] = FileCalls.statxMode(b.data);
        out[1] = FileCalls.statxNlink(b.data);
        return 0;
    }

    /**
     * statx of the link named by {@code n} in {@code dirfd} itself (AT_SYMLINK_NOFOLLOW): for /proc/PID/fd/N its
     * st_mode carries the descriptor's access, S_IRUSR for reading and S_IWUSR for writing. Returns the mode or
     * -errno.
     */
    public static int linkModeNumbered(int dirfd, int n) {
        Buffers b = BUF.get();
        int r = FileCalls.statx(dirfd, numberName(b, n), FileCalls.AT_SYMLINK_NOFOLLOW | FileCalls.AT_STATX_DONT_SYNC,
                FileCalls.STATX_MODE, b.data);
        return r < 0 ? r : FileCalls.statxMode(b.data);
    }

    /** How many values {@link #statFd} fills: callers size their array with it. */
    public static final int STAT_FD_FIELDS = 4;

    /**
     * statx of the open descriptor {@code fd} of this process itself (AT_EMPTY_PATH, cached attributes): fills
     * {@code out} with {st_mode, inode, mount id (-1 before Linux 5.8), st_nlink (-1 if not given)}; returns 0 or
     * -errno.
     */
    public static int statFd(int fd, long[] out) {
        Buffers b = BUF.get();
        int r = FileCalls.statx(fd, b.empty, FileCalls.AT_EMPTY_PATH | FileCalls.AT_STATX_DONT_SYNC,
                FileCalls.STATX_TYPE | FileCalls.STATX_MODE | FileCalls.STATX_INO | FileCalls.STATX_MNT_ID
                        | FileCalls.STATX_NLINK, b.data);
        if (r < 0) return r;
        int mask = FileCalls.statxMask(b.data);
        out[0] = FileCalls.statxMode(b.data);
        out[1] = FileCalls.statxIno(b.data);
        out[2] = (mask & FileCalls.STATX_MNT_ID) != 0 ? FileCalls.statxMountId(b.data) : -1;
        out[3] = (mask & FileCalls.STATX_NLINK) != 0 ? FileCalls.statxNlink(b.data) : -1;
        return 0;
    }

    private static final MemorySegment PROC_SELF_FD = Arena.global().allocateFrom("/proc/self/fd");

    /**
     * How many descriptors this process has open, O_PATH ones included: since Linux 6.2 the size of /proc/self/fd
     * is the kernel's count of its open-descriptor bitmap. -1 where the kernel does not say (size 0 or an error).
     */
    public static long openDescriptorCount() {
        Buffers b = BUF.get();
        int r = FileCalls.statx(FileCalls.AT_FDCWD, PROC_SELF_FD, 0, FileCalls.STATX_SIZE, b.data);
        if (r < 0) return -1;
        long size = FileCalls.statxSize(b.data);
        return size > 0 ? size : -1;
    }

    /**
     * st_size of the open file {@code fd}, or -errno; for a /proc/PID/fd directory, since Linux 6.2, how many
     * descriptors the process has open (0 before).
     */
    public static long sizeOf(int fd) {
        Buffers b = BUF.get();
        int r = FileCalls.statx(fd, b.empty, FileCalls.AT_EMPTY_PATH, FileCalls.STATX_SIZE, b.data);
        return r < 0 ? r : FileCalls.statxSize(b.data);
    }

    /** The inode number of the file at {@code path} (links followed), or -errno. */
    public static long inode(String path) {
        Buffers b = BUF.get();
        try (Arena arena = Arena.ofConfined()) {
            int r = FileCalls.statx(FileCalls.AT_FDCWD, arena.allocateFrom(path), 0, FileCalls.STATX_INO, b.data);
            return r < 0 ? r : FileCalls.statxIno(b.data);
        }
    }

    /** Opens a directory read-only, close-on-exec; the fd or -errno. */
    public static int openDir(String path) {
        return FdCalls.open(path, FdCalls.O_RDONLY | FdCalls.O_DIRECTORY | FdCalls.O_CLOEXEC, 0);
    }

    private static byte[] readFd(int fd, int[] err) {
        Buffers b = BUF.get();
        long total = 0;
        while (true) {
            if (total == b.data.byteSize()) {
                MemorySegment bigger = b.arena.allocate(b.data.byteSize() * 2);
                bigger.copyFrom(b.data);
                b.data = bigger;
            }
            long n = FdCalls.read(fd, b.data.asSlice(total), b.data.byteSize() - total);
            if (n < 0) {
                if (n == -Errno.EINTR) continue;
                if (err != null) err[0] = (int) -n;
                return null;
            }
            if (n == 0) return b.data.asSlice(0, total).toArray(JAVA_BYTE);
            total += n;
        }
    }

    /** The decimal value after {@code key} (e.g. "FDSize:") on its line in {@code text}, or -1. */
    public static long field(byte[] text, String key) {
        int k = indexOf(text, key, 0);
        return k < 0 ? -1 : number(text, k + key.length(), text.length, 10);
    }

    /**
     * The number in {@code radix} (up to 16, either case) that starts after blanks in [from, to) and runs to the
     * first character that is not one of its digits; -1 if there is none. The one parser of numbers in procfs text.
     */
    public static long number(byte[] text, int from, int to, int radix) {
        int i = from;
        while (i < to && (text[i] == ' ' || text[i] == '\t')) i++;
        long v = 0;
        int digits = 0;
        for (; i < to; i++) {
            int d = digit(text[i], radix);
            if (d < 0) break;
            v = v * radix + d;
            digits++;
        }
        return digits == 0 ? -1 : v;
    }

    /**
     * The value of ASCII digit {@code b} in {@code radix}, or -1. Not Character.digit: that one reads Unicode tables
     * through calls the JIT leaves out of line, per byte of every number of every fdinfo of a listing.
     */
    private static int digit(byte b, int radix) {
        int d = b >= '0' && b <= '9' ? b - '0'
                : b >= 'a' && b <= 'z' ? b - 'a' + 10
                : b >= 'A' && b <= 'Z' ? b - 'A' + 10 : -1;
        return d < radix ? d : -1;
    }

    /** The first index of {@code key} at the start of a line in {@code text} from {@code from}, or -1. */
    public static int indexOf(byte[] text, String key, int from) {
        outer:
        for (int i = from; i + key.length() <= text.length; i++) {
            if (i > 0 && text[i - 1] != '\n') continue;
            for (int j = 0; j < key.length(); j++) if (text[i + j] != key.charAt(j)) continue outer;
            return i;
        }
        return -1;
    }
}
