package dev.fdkit.internal;

import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;

/** close_range(2) semantics by each {@link CloseStrategy}. */
public final class Closer {
    private Closer() {}

    /** Default cap for brute force: beyond it a loop of close(2) would take seconds to minutes. */
    public static final long DEFAULT_BRUTE_MAX = 1 << 20;

    private static volatile Boolean kernelCloexec;

    /** Above HotSpot's MethodHandle customization threshold (127 calls through one handle). */
    private static final int HANDLE_WARMUP_CALLS = 200;

    static {
        // A close loop may close the JVM's own runtime-image descriptor. HotSpot spins a customized class for a
        // method handle once it has been called ~127 times, and defining it reads that image: pass the threshold
        // here, with calls on descriptor -1 that fail harmlessly, so no loop below defines a class mid-close.
        MemorySegment record = Arena.ofAuto().allocate(FileCalls.DIRENT64);
        for (int i = 0; i < HANDLE_WARMUP_CALLS; i++) {
            FdCalls.close(-1);
            FdCalls.fcntl(-1, FdCalls.F_GETFD, 0);
            FileCalls.direntLength(record, 0);
        }
        // Handles are linked on first use: link now what a loop first calls after closing (the /proc rewind, the
        // errno text of a failure).
        FdCalls.lseek(-1, 0, FdCalls.SEEK_SET);
        Errno.describe(Errno.EBADF);
    }

    /**
     * The strategy, chosen at first use and then a constant the JIT folds into the close path. A setting that is
     * not accepted leaves it null and its error to be thrown again at every use.
     */
    private static final class Chosen {
        static final CloseStrategy STRATEGY;
        static final String INVALID;

        static {
            CloseStrategy chosen = null;
            String invalid = null;
            try {
                chosen = Settings.mechanism(Settings.CLOSE_MECHANISM, CloseStrategy.values(), Settings::spelling)
                        .orElseGet(Closer::detect);
            } catch (IllegalArgumentException e) {
                invalid = e.getMessage();
            }
            STRATEGY = chosen;
            INVALID = invalid;
        }
    }

    /** The mechanism {@code Fds} uses: {@code fdkit.close.mechanism}, else the first that works here. */
    public static CloseStrategy selected() {
        CloseStrategy m = Chosen.STRATEGY;
        if (m == null) throw new IllegalArgumentException(Chosen.INVALID);
        return m;
    }

    private static CloseStrategy detect() {
        if (closeRangeWorks()) return CloseStrategy.CLOSE_RANGE;
        return FdScan.procSelfFdWorks() ? CloseStrategy.PROC : CloseStrategy.BRUTE;
    }

    /**
     * Whether close_range(2) can be called: the probe closes [~0U, ~0U], where no descriptor can be. ENOSYS (old
     * kernel) and EPERM (a seccomp filter) mean no.
     */
    public static boolean closeRangeWorks() {
        return FdCalls.closeRange(-1, -1, 0) == 0;
    }

    /** Whether this kernel knows CLOSE_RANGE_CLOEXEC (5.11+); older ones answer EINVAL. */
    public static boolean kernelHasCloexecFlag() {
        Boolean b = kernelCloexec;
        if (b == null) kernelCloexec = b = closeRangeWorks() && FdCalls.closeRange(-1, -1, FdCalls.CLOSE_RANGE_CLOEXEC) == 0;
        return b;
    }

    /** The highest descriptor number brute force may try: {@code fdkit.brute.max}, default {@link #DEFAULT_BRUTE_MAX}. */
    public static long bruteMax() {
        return Settings.number(Settings.BRUTE_MAX, DEFAULT_BRUTE_MAX, 0, Integer.MAX_VALUE);
    }

    /**
     * close_range(first, last, flags) by the selected strategy: where that is close_range itself, one downcall and
     * nothing else on success. Only a failure asks again for the errno, which is sound because a failed
     * close_range(2) has changed nothing (it checks its arguments, and unshares, before it closes anything).
     */
    public static void closeRange(int first, int last, int flags) throws SyscallException {
        CloseStrategy m = selected();
        if (m == CloseStrategy.CLOSE_RANGE && FdCalls.closeRangeOrMinusOne(first, last, flags) == 0) return;
        closeRange(m, first, last, flags);
    }

    /**
     * close_range(first, last, flags) by mechanism {@code m}. {@code last} is unsigned in the kernel's sense: -1
     * means ~0U, the end of the table.
     */
    public static void closeRange(CloseStrategy m, int first, int last, int flags) throws SyscallException {
        boolean cloexec = (flags & FdCalls.CLOSE_RANGE_CLOEXEC) != 0;
        boolean unshare = (flags & FdCalls.CLOSE_RANGE_UNSHARE) != 0;
        int lastSigned = last < 0 ? Integer.MAX_VALUE : last;
        if (m == CloseStrategy.CLOSE_RANGE) {
            int r = FdCalls.closeRange(first, last, flags);
            if (r == 0) return;
            if (!(r == -Errno.EINVAL && cloexec && !kernelHasCloexecFlag())) {
                throw new SyscallException("close_range(" + first + ", " + (last < 0 ? "~0U" : last) + ", "
                        + flagNames(flags) + ")", -r);
            }
            // A kernel without CLOSE_RANGE_CLOEXEC: unshare with the syscall, then mark one by one.
            if (unshare) unshareFiles();
            markByEnumeration(first, lastSigned);
            return;
        }
        if (unshare) unshareFiles();
        if (cloexec) {
            markByEnumeration(first, lastSigned);
        } else if (m == CloseStrategy.PROC) {
            closeByProc(first, lastSigned);
        } else {
            closeByBrute(first, lastSigned);
        }
    }

    private static String flagNames(int flags) {
        if (flags == 0) return "0";
        StringBuilder sb = new StringBuilder();
        if ((flags & FdCalls.CLOSE_RANGE_UNSHARE) != 0) sb.append("CLOSE_RANGE_UNSHARE");
        if ((flags & FdCalls.CLOSE_RANGE_CLOEXEC) != 0) sb.append(sb.isEmpty() ? "" : "|").append("CLOSE_RANGE_CLOEXEC");
        return sb.toString();
    }

    private static void unshareFiles() throws SyscallException {
        int r = ProcessCalls.unshare(ProcessCalls.CLONE_FILES);
        if (r < 0) throw Ffm.failure("unshare(CLONE_FILES)", r);
    }

    private static void markByEnumeration(int first, int last) throws SyscallException {
        for (int fd : FdScan.open(first, last)) {
            int flags = FdCalls.fcntl(fd, FdCalls.F_GETFD, 0);
            if (flags >= 0 && (flags & FdCalls.FD_CLOEXEC) == 0) FdCalls.fcntl(fd, FdCalls.F_SETFD, flags | FdCalls.FD_CLOEXEC);
        }
    }

    /** Passes over the directory that still find something to close before the rest is left to brute force. */
    private static final int PROC_PASSES = 16;

    /**
     * Reads the calling thread's /proc/thread-self/fd and closes what is in range, reading again until a pass
     * closes nothing: another thread may open descriptors in the range meanwhile. When passes keep finding some,
     * or no descriptor is free to read the directory with (a full table), brute force over the table finishes.
     */
    private static void closeByProc(int first, int last) throws SyscallException {
        int dirfd;
        try {
            dirfd = FdScan.openProcSelfFd();
        } catch (SyscallException e) {
            if (!FdScan.tableFull(e.errno())) throw e;
            closeByBrute(first, last);
            return;
        }
        try (Dirents d = new Dirents(dirfd)) {
            int[] closed = new int[1];
            for (int pass = 0; ; pass++) {
                if (pass == PROC_PASSES) {
                    closeByBrute(first, last);
                    return;
                }
                closed[0] = 0;
                int r = d.forEach(fd -> {
                    // errors are ignored, as close_range(2) does; only a real close counts as progress
                    if (fd >= first && fd <= last && fd != dirfd && FdCalls.close(fd) == 0) closed[0]++;
                    return true;
                });
                if (r < 0) throw Ffm.failure("getdents64(" + FdScan.OWN_FD_DIR + ")", r);
                if (closed[0] == 0) return;
                if (d.rewind() < 0) throw new SyscallException("lseek(" + FdScan.OWN_FD_DIR + ")", Errno.EINVAL);
            }
        }
    }

    /**
     * close(2) on every number from {@code first} up to {@code last} or the highest that may be open
     * ({@link FdScan#openBound()}), whichever is lower. Not the soft RLIMIT_NOFILE: descriptors opened before the
     * limit was lowered stay open above it.
     */
    private static void closeByBrute(int first, int last) throws SyscallException {
        long end = Math.min(last, FdScan.openBound() - 1L);
        if (end >= bruteMax()) {
            throw new SyscallException("brute-force close of descriptors " + first + ".." + end
                    + " refused: the table reaches descriptor " + end + ", above the cap of " + bruteMax()
                    + " (fdkit.brute.max); raise the cap", Errno.EMFILE);
        }
        for (long fd = first; fd <= end; fd++) FdCalls.close((int) fd);
    }
}
