package dev.fdkit.internal;

import dev.fdkit.ErrnoException;
import dev.fdkit.ListMechanism;

import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.nio.charset.StandardCharsets;

import static java.lang.foreign.ValueLayout.JAVA_SHORT;

/** Finds which descriptor numbers are open in this process, by each {@link ListMechanism}. */
public final class FdScan {
    private FdScan() {}

    private static final long POLLFD_BYTES = FdCalls.POLLFD.byteSize();
    /** Most pollfds handed to one poll(2): 512 KiB of native memory. */
    private static final int POLL_CHUNK = 1 << 16;
    /** Upper bound on slots probed when /proc/self/status cannot tell the table's size. */
    public static final int DEFAULT_SLOT_CAP = 1 << 20;

    /**
     * A per-thread pollfd array whose entry i asks about descriptor i with events 0. poll(2) only ever writes
     * revents, so the array is filled once and each scan is one call plus one bulk copy of the answers.
     */
    private static final class PollTable {
        MemorySegment fds = MemorySegment.NULL;
        int slots;
        short[] answers = new short[0];

        MemorySegment cover(int upTo) {
            if (upTo > slots) {
                int n = Math.max(upTo, Math.min(POLL_CHUNK, Math.max(1024, slots * 2)));
                fds = Arena.ofAuto().allocate(FdCalls.POLLFD, n);
                for (int i = 0; i < n; i++) FdCalls.setPollfd(fds, i, i, (short) 0);
                slots = n;
            }
            return fds;
        }
    }

    private static final ThreadLocal<PollTable> POLL_TABLE = ThreadLocal.withInitial(PollTable::new);

    private static volatile ListMechanism selected;

    /** The mechanism {@code Fds} uses: {@code fdkit.list.mechanism}, else the first that is safe here. */
    public static ListMechanism selected() {
        ListMechanism m = selected;
        if (m == null) {
            m = Settings.mechanism(Settings.LIST_MECHANISM, ListMechanism.values(), ListMechanism::propertyValue)
                    .orElseGet(FdScan::detect);
            selected = m;
        }
        return m;
    }

    private static ListMechanism detect() {
        // poll(2) calls each file's poll method; a FUSE file's can wait on its daemon. Only poll when no FUSE
        // filesystem is mounted in this namespace.
        byte[] mounts = ProcFiles.read("/proc/self/mountinfo", null);
        if (mounts == null || mentionsFuse(mounts)) return ListMechanism.FCNTL;
        // poll cannot see O_PATH descriptors; its answer is checked against the kernel's count (Linux 6.2+),
        // and without that count every slot poll calls closed would need an fcntl anyway.
        if (!procSelfFdWorks()) return ListMechanism.FCNTL;
        return ProcFiles.openDescriptorCount() > 0 ? ListMechanism.POLL : ListMechanism.FCNTL;
    }

    static boolean mentionsFuse(byte[] mountinfo) {
        // The filesystem type follows " - " on each line: "fuse", "fuse.sshfs", "fuseblk".
        String text = new String(mountinfo, StandardCharsets.ISO_8859_1);
        for (String line : text.split("\n")) {
            int dash = line.indexOf(" - ");
            if (dash >= 0 && line.startsWith("fuse", dash + 3)) return true;
        }
        return false;
    }

    /**
     * The number of slots in this process's descriptor table (FDSize): no descriptor is open at or above it.
     * Where /proc is missing, the RLIMIT_NOFILE soft limit capped at {@link #DEFAULT_SLOT_CAP}.
     */
    public static int tableSize() {
        byte[] status = ProcFiles.read("/proc/self/status", null);
        if (status != null) {
            long size = ProcFiles.field(status, "FDSize:");
            if (size > 0) return (int) Math.min(size, Integer.MAX_VALUE);
        }
        long soft = ProcessCalls.getrlimitNofile()[0];
        return (int) (soft < 0 || soft > DEFAULT_SLOT_CAP ? DEFAULT_SLOT_CAP : soft);
    }

    /** Sorted open descriptor numbers in [from, to] with the selected mechanism. */
    public static int[] open(int from, int to) throws ErrnoException {
        return open(selected(), from, to);
    }

    /** Sorted open descriptor numbers in [from, to] (to may be Integer.MAX_VALUE). */
    public static int[] open(ListMechanism m, int from, int to) throws ErrnoException {
        return scan(m, from, to, Integer.MAX_VALUE).toArray();
    }

    /** The lowest open descriptor >= from, or -1. */
    public static int nextOpen(int from) throws ErrnoException {
        IntList out = scan(selected(), from, Integer.MAX_VALUE, 1);
        return out.size() == 0 ? -1 : out.get(0);
    }

    /** The open numbers in [from, to], ascending; poll and fcntl stop after {@code limit} of them. */
    private static IntList scan(ListMechanism m, int from, int to, int limit) throws ErrnoException {
        IntList out = new IntList();
        switch (m) {
            case POLL -> byPoll(from, to, out, limit);
            case FCNTL -> byFcntl(from, to, out, limit);
            case PROC -> byProc(from, to, out);
        }
        return out;
    }

    private static void byFcntl(int from, int to, IntList out, int limit) {
        int end = (int) Math.min((long) to, tableSize() - 1L);
        for (int fd = from; fd <= end && out.size() < limit; fd++) {
            if (FdCalls.fcntl(fd, FdCalls.F_GETFD, 0) >= 0) out.add(fd);
        }
    }

    /**
     * One poll(2) pass over the whole table. poll answers POLLNVAL for O_PATH descriptors too (it looks files up
     * the way that hides them), so the pass is checked against the kernel's count of open descriptors; when they
     * differ (O_PATH descriptors, or another thread opening or closing meanwhile) the slots poll called closed
     * are asked again with fcntl(F_GETFD), which sees every descriptor.
     */
    private static void byPoll(int from, int to, IntList out, int limit) throws ErrnoException {
        int slots = tableSize();
        int end = (int) Math.min((long) to, slots - 1L);
        long expected = ProcFiles.openDescriptorCount();
        long soft = ProcessCalls.getrlimitNofile()[0];
        // poll(2) refuses more pollfds than the soft limit.
        int chunk = (int) Math.max(1, Math.min(POLL_CHUNK, soft < 0 ? POLL_CHUNK : soft));
        PollTable table = POLL_TABLE.get();
        IntList seen = new IntList();
        for (long base = 0; base < slots; base += chunk) {
            int n = (int) Math.min(chunk, slots - base);
            MemorySegment window;
            if (base + n <= POLL_CHUNK) {
                window = table.cover((int) (base + n)).asSlice(base * POLLFD_BYTES, n * POLLFD_BYTES);
            } else { // beyond the cached table: a one-off array for this stretch
                window = Arena.ofAuto().allocate(FdCalls.POLLFD, n);
                for (int i = 0; i < n; i++) FdCalls.setPollfd(window, i, (int) (base + i), (short) 0);
            }
            int r;
            do {
                r = FdCalls.poll(window, n, 0);
            } while (r == -Errno.EINTR);
            if (r < 0) throw Ffm.failure("poll over descriptors " + base + ".." + (base + n - 1), r);
            int shorts = n * FdCalls.POLLFD_SHORTS;
            if (table.answers.length < shorts) table.answers = new short[Math.max(shorts, table.answers.length * 2)];
            short[] a = table.answers;
            MemorySegment.copy(window, JAVA_SHORT, 0, a, 0, shorts);
            for (int i = 0; i < n; i++) {
                if ((a[i * FdCalls.POLLFD_SHORTS + FdCalls.POLLFD_REVENTS_SHORT] & FdCalls.POLLNVAL) == 0) seen.add((int) (base + i));
            }
        }
        boolean complete = expected >= 0 && seen.size() == expected;
        int next = 0;
        for (int fd = from; fd <= end && out.size() < limit; fd++) {
            while (next < seen.size() && seen.get(next) < fd) next++;
            if (next < seen.size() && seen.get(next) == fd) {
                out.add(fd);
            } else if (!complete && FdCalls.fcntl(fd, FdCalls.F_GETFD, 0) >= 0) {
                out.add(fd);
            } else if (complete && next == seen.size()) {
                break; // nothing open beyond the last descriptor poll saw
            }
        }
    }

    private static void byProc(int from, int to, IntList out) throws ErrnoException {
        int dirfd = openProcSelfFd();
        IntList all = new IntList();
        try (Dirents d = new Dirents(dirfd)) {
            int r = d.forEach(fd -> {
                if (fd != dirfd && fd >= from && fd <= to) all.add(fd);
                return true;
            });
            if (r < 0) throw Ffm.failure("getdents64(/proc/self/fd)", r);
        }
        int[] a = all.toArray();
        java.util.Arrays.sort(a); // procfs lists in order today; sorting keeps the contract if that changes
        for (int fd : a) out.add(fd);
    }

    /** Whether {@link #openProcSelfFd()} works here: /proc is mounted and really procfs. */
    public static boolean procSelfFdWorks() {
        try {
            FdCalls.close(openProcSelfFd());
            return true;
        } catch (ErrnoException e) {
            return false;
        }
    }

    /** Opens /proc/self/fd after checking it really is procfs (a bind mount or tmpfs there would lie). */
    public static int openProcSelfFd() throws ErrnoException {
        int fd = FdCalls.open("/proc/self/fd", FdCalls.O_RDONLY | FdCalls.O_DIRECTORY | FdCalls.O_CLOEXEC, 0);
        if (fd < 0) throw Ffm.failure("open(/proc/self/fd)", fd);
        long type = FileCalls.fstatfsType(fd);
        if (type != FileCalls.PROC_SUPER_MAGIC) {
            FdCalls.close(fd);
            throw new ErrnoException("/proc/self/fd is not on procfs (f_type " + type + ")", Errno.ENOSYS);
        }
        return fd;
    }
}
