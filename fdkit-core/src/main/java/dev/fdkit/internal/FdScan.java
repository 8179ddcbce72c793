package dev.fdkit.internal;

import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.nio.charset.StandardCharsets;

import static java.lang.foreign.ValueLayout.JAVA_SHORT;

/** Finds which descriptor numbers are open in this process, by each {@link ListStrategy}. */
public final class FdScan {
    private FdScan() {}

    private static final long POLLFD_BYTES = FdCalls.POLLFD.byteSize();
    /** Most pollfds handed to one poll(2): 512 KiB of native memory. */
    private static final int POLL_CHUNK = 1 << 16;
    /** fs.nr_open's default: no table grows beyond it unless an administrator raised it. */
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
                FdCalls.fillPollfds(fds, 0, n);
                slots = n;
            }
            return fds;
        }
    }

    private static final ThreadLocal<PollTable> POLL_TABLE = ThreadLocal.withInitial(PollTable::new);

    private static volatile ListStrategy selected;

    /** The mechanism {@code Fds} uses: {@code fdkit.list.mechanism}, else the first that is safe here. */
    public static ListStrategy selected() {
        ListStrategy m = selected;
        if (m == null) {
            m = Settings.mechanism(Settings.LIST_MECHANISM, ListStrategy.values(), Settings::spelling)
                    .orElseGet(FdScan::detect);
            selected = m;
        }
        return m;
    }

    private static ListStrategy detect() {
        // poll(2) calls each file's poll method; a FUSE file's can wait on its daemon. Only poll when no FUSE
        // filesystem is mounted in this namespace.
        byte[] mounts = ProcFiles.read("/proc/self/mountinfo", null);
        if (mounts == null || mentionsFuse(mounts)) return ListStrategy.FCNTL;
        // poll cannot see O_PATH descriptors; its answer is checked against the kernel's count (Linux 6.2+),
        // and without that count every slot poll calls closed would need an fcntl anyway.
        if (!procSelfFdWorks()) return ListStrategy.FCNTL;
        return ProcFiles.openDescriptorCount() > 0 ? ListStrategy.POLL : ListStrategy.FCNTL;
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
     * The number of slots in the calling thread's descriptor table (FDSize of /proc/thread-self/status: a thread
     * that unshared its table has its own): no descriptor is open at or above it. Where /proc cannot tell (not
     * mounted, or no descriptor free to read it), {@link #slotsWithoutProc()}.
     */
    public static int tableSize() {
        int size = procTableSize();
        return size > 0 ? size : slotsWithoutProc();
    }

    /** FDSize of /proc/thread-self/status, or -1 where /proc cannot tell. */
    private static int procTableSize() {
        byte[] status = ProcFiles.read("/proc/thread-self/status", null);
        long size = status == null ? -1 : ProcFiles.field(status, "FDSize:");
        return size > 0 ? (int) Math.min(size, Integer.MAX_VALUE) : -1;
    }

    /**
     * The slots to ask about when /proc cannot tell the table's size: a descriptor may be open above both
     * RLIMIT_NOFILE limits (they can be lowered after it was opened), but never at or above fs.nr_open, whose
     * default is {@link #DEFAULT_SLOT_CAP}. So the larger of that default and the hard limit.
     */
    static int slotsWithoutProc() {
        long hard = ProcessCalls.getrlimitNofile()[1];
        return (int) Math.min(Integer.MAX_VALUE, Math.max(DEFAULT_SLOT_CAP, hard < 0 ? 0 : hard));
    }

    /**
     * The slots below which an O_PATH descriptor, which poll cannot see, is looked for with fcntl when the kernel's
     * count cannot vouch for a poll scan: both limits, capped by the table. Above them poll alone answers.
     */
    private static int limitSlots(int slots) {
        long[] lim = ProcessCalls.getrlimitNofile();
        long bound = Math.max(lim[0] < 0 ? Long.MAX_VALUE : lim[0], lim[1] < 0 ? Long.MAX_VALUE : lim[1]);
        return (int) Math.min(bound, slots);
    }

    /**
     * One more than the highest descriptor that may be open: the table's size where /proc tells it, else the
     * highest descriptor a poll scan finds, and at least the RLIMIT_NOFILE limits (for O_PATH descriptors, which
     * poll cannot see). What brute-force closing must reach; never the soft limit alone, since descriptors opened
     * before the limit was lowered stay open above it.
     */
    public static int openBound() throws SyscallException {
        int size = procTableSize();
        if (size > 0) return size;
        int slots = slotsWithoutProc();
        IntList seen = pollSlots(0, slots);
        int highest = seen.size() == 0 ? -1 : seen.get(seen.size() - 1);
        return Math.max(highest + 1, limitSlots(slots));
    }

    /** Sorted open descriptor numbers in [from, to] with the selected mechanism. */
    public static int[] open(int from, int to) throws SyscallException {
        return open(selected(), from, to);
    }

    /** Sorted open descriptor numbers in [from, to] (to may be Integer.MAX_VALUE). */
    public static int[] open(ListStrategy m, int from, int to) throws SyscallException {
        return scan(m, from, to, Integer.MAX_VALUE).toArray();
    }

    /** The lowest open descriptor >= from, or -1. */
    public static int nextOpen(int from) throws SyscallException {
        IntList out = scan(selected(), from, Integer.MAX_VALUE, 1);
        return out.size() == 0 ? -1 : out.get(0);
    }

    /** The open numbers in [from, to], ascending; poll and fcntl stop after {@code limit} of them. */
    private static IntList scan(ListStrategy m, int from, int to, int limit) throws SyscallException {
        IntList out = new IntList();
        switch (m) {
            case POLL -> byPoll(from, to, out, limit);
            case FCNTL -> byFcntl(from, to, out, limit);
            case PROC -> byProc(from, to, out, limit);
        }
        return out;
    }

    /**
     * fcntl(F_GETFD) on every slot. Where /proc cannot tell the table's size, fcntl asks only below the
     * RLIMIT_NOFILE limits and one poll pass per chunk finds what was opened above them before they were lowered:
     * a million fcntl calls per scan would make every fallback that scans crawl.
     */
    private static void byFcntl(int from, int to, IntList out, int limit) throws SyscallException {
        int size = procTableSize();
        int slots = size > 0 ? size : slotsWithoutProc();
        int fcntlEnd = (int) Math.min((long) to, (size > 0 ? slots : limitSlots(slots)) - 1L);
        for (int fd = from; fd <= fcntlEnd && out.size() < limit; fd++) {
            if (FdCalls.fcntl(fd, FdCalls.F_GETFD, 0) >= 0) out.add(fd);
        }
        if (size > 0 || out.size() >= limit || fcntlEnd >= to) return;
        IntList above = pollSlots(Math.max(from, fcntlEnd + 1), (int) Math.min(slots, to + 1L));
        for (int i = 0; i < above.size() && out.size() < limit; i++) out.add(above.get(i));
    }

    /**
     * One poll(2) pass over the whole table. poll answers POLLNVAL for O_PATH descriptors too (it looks files up
     * the way that hides them), so the pass is checked against the kernel's count of open descriptors; when they
     * differ (O_PATH descriptors, or another thread opening or closing meanwhile) the slots poll called closed
     * are asked again with fcntl(F_GETFD), which sees every descriptor. Without the count (no /proc), only slots
     * below the RLIMIT_NOFILE limits are asked again: above both, poll's answer stands.
     */
    private static void byPoll(int from, int to, IntList out, int limit) throws SyscallException {
        int slots = tableSize();
        int end = (int) Math.min((long) to, slots - 1L);
        long expected = ProcFiles.openDescriptorCount();
        IntList seen = pollSlots(0, slots);
        boolean complete = expected >= 0 && seen.size() == expected;
        int recheckEnd = complete ? -1 : expected >= 0 ? end : Math.min(end, limitSlots(slots) - 1);
        int next = 0;
        for (int fd = from; fd <= end && out.size() < limit; fd++) {
            while (next < seen.size() && seen.get(next) < fd) next++;
            if (next < seen.size() && seen.get(next) == fd) {
                out.add(fd);
            } else if (fd <= recheckEnd) {
                if (FdCalls.fcntl(fd, FdCalls.F_GETFD, 0) >= 0) out.add(fd);
            } else if (next == seen.size()) {
                break; // nothing open beyond the last descriptor poll saw
            }
        }
    }

    /**
     * The slots of [start, end) that poll(2) does not answer POLLNVAL, ascending. poll refuses more entries than
     * the soft RLIMIT_NOFILE in one call but asks about any number, so a table larger than the limit is asked in
     * chunks.
     */
    private static IntList pollSlots(int start, int end) throws SyscallException {
        long soft = ProcessCalls.getrlimitNofile()[0];
        int chunk = (int) Math.max(1, Math.min(POLL_CHUNK, soft < 0 ? POLL_CHUNK : soft));
        PollTable table = POLL_TABLE.get();
        IntList seen = new IntList();
        MemorySegment far = null; // reused for the stretches beyond the cached table
        for (long base = start; base < end; base += chunk) {
            int n = (int) Math.min(chunk, end - base);
            MemorySegment window;
            if (base + n <= POLL_CHUNK) {
                window = table.cover((int) (base + n)).asSlice(base * POLLFD_BYTES, n * POLLFD_BYTES);
            } else {
                if (far == null) far = Arena.ofAuto().allocate(FdCalls.POLLFD, chunk);
                window = far.asSlice(0, n * POLLFD_BYTES);
                FdCalls.fillPollfds(window, (int) base, n);
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
                if ((a[i * FdCalls.POLLFD_SHORTS + FdCalls.POLLFD_REVENTS_SHORT] & FdCalls.POLLNVAL) == 0) {
                    seen.add((int) (base + i));
                }
            }
        }
        return seen;
    }

    private static void byProc(int from, int to, IntList out, int limit) throws SyscallException {
        int dirfd;
        try {
            dirfd = openProcSelfFd();
        } catch (SyscallException e) {
            if (!tableFull(e.errno())) throw e;
            byPoll(from, to, out, limit); // a full table has no descriptor left to read /proc with
            return;
        }
        IntList all = new IntList();
        try (Dirents d = new Dirents(dirfd)) {
            int r = d.forEach(fd -> {
                if (fd != dirfd && fd >= from && fd <= to) all.add(fd);
                return true;
            });
            if (r < 0) throw Ffm.failure("getdents64(" + OWN_FD_DIR + ")", r);
        }
        int[] a = all.toArray();
        java.util.Arrays.sort(a); // procfs lists in order today; sorting keeps the contract if that changes
        for (int fd : a) out.add(fd);
    }

    /** Whether open(2) failed for want of a free descriptor: this process's table (EMFILE) or the system's (ENFILE). */
    static boolean tableFull(int errno) {
        return errno == Errno.EMFILE || errno == Errno.ENFILE;
    }

    /**
     * The calling thread's descriptor directory. /proc/self/fd is the thread-group leader's table, which a thread
     * that unshared its own (CLOSE_RANGE_UNSHARE) no longer uses; /proc/thread-self (Linux 3.17+) is the caller's.
     */
    public static final String OWN_FD_DIR = "/proc/thread-self/fd";

    /** Whether {@link #openProcSelfFd()} works here: /proc is mounted and really procfs. */
    public static boolean procSelfFdWorks() {
        try {
            FdCalls.close(openProcSelfFd());
            return true;
        } catch (SyscallException e) {
            return false;
        }
    }

    /** Opens {@link #OWN_FD_DIR} after checking it really is procfs (a bind mount or tmpfs there would lie). */
    public static int openProcSelfFd() throws SyscallException {
        int fd = FdCalls.open(OWN_FD_DIR, FdCalls.O_RDONLY | FdCalls.O_DIRECTORY | FdCalls.O_CLOEXEC, 0);
        if (fd < 0) throw Ffm.failure("open(" + OWN_FD_DIR + ")", fd);
        long type = FileCalls.fstatfsType(fd);
        if (type != FileCalls.PROC_SUPER_MAGIC) {
            FdCalls.close(fd);
            throw new SyscallException(OWN_FD_DIR + " is not on procfs (f_type " + type + ")", Errno.ENOSYS);
        }
        return fd;
    }
}
