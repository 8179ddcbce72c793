package dev.fdkit.spawn.internal;

import dev.fdkit.internal.Environ;
import dev.fdkit.internal.Errno;
import dev.fdkit.internal.FdCalls;
import dev.fdkit.internal.ProcessCalls;

import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Optional;

/**
 * The posix-spawn mechanism with the C library's posix_spawn bound directly through FFM ({@link PosixSpawnCalls}),
 * for where fdkit's helper library does not load: an architecture the jar has no helper for, a C library the
 * helper was not linked against, or no way to map it (noexec directories, memfd_create refused). It follows the
 * same plan with the same file actions as the helper's posix-spawn (posix_spawn.c), so a child gets the same
 * descriptors, signals, environment and directory, and a failure reports the same steps.
 */
final class LibcPosixSpawn {
    private LibcPosixSpawn() {}

    private static final int ENOSYS = 38;
    private static final byte[] DEV_NULL = "/dev/null".getBytes(StandardCharsets.US_ASCII);
    /** A mapping whose optional source is closed here: its destination stays closed in the child. */
    private static final int SKIPPED = Integer.MIN_VALUE;

    /**
     * Why this mechanism cannot be used here; empty when it can. Without posix_spawn_file_actions_addclosefrom_np
     * (musl, glibc before 2.34) it refuses: closing what a listing of the table found would miss a descriptor
     * another thread opens without O_CLOEXEC between the listing and the spawn (the JDK's own FileInputStream
     * opens so), and that descriptor would reach the child.
     */
    static Optional<String> problem() {
        Optional<String> missing = PosixSpawnCalls.missing();
        if (missing.isPresent()) return missing;
        return PosixSpawnCalls.hasCloseFrom() ? Optional.empty() : Optional.of(Mechanisms.NO_CLOSEFROM);
    }

    /** Signals 32 to 34: glibc's (32, 33) and musl's (32 to 34) internal ones, left ignored by their spawn. */
    private static final class InternalSignals {
        /**
         * Those of them to reset to SIG_DFL in the child: all but the ones this process ignores itself, as exec
         * would keep. Read once: the C library's sigaction refuses to change them, so they stay as inherited.
         */
        static final long TO_DEFAULT = toDefault();

        private static long toDefault() {
            long bits = 0;
            for (int sig = 32; sig <= 34; sig++) if (!PosixSpawnCalls.ignored(sig)) bits |= 1L << (sig - 1);
            return bits;
        }
    }

    /** Starts {@code c.paths()[0]} by the plan; {@code search}: a bare name posix_spawnp looks up in PATH. */
    static NativeSpawn.Outcome spawn(NativeSpawn.Command c, boolean search, Plan plan) {
        if (!PosixSpawnCalls.hasCloseFrom()) return failed(SpawnAbi.STEP_FILE_ACTIONS, 1, ENOSYS);
        if (c.dir() != null && !PosixSpawnCalls.hasChdir()) return failed(SpawnAbi.STEP_FILE_ACTIONS, 2, ENOSYS);
        InjectedFailure fail = InjectedFailure.current();
        if (fail != null && fail.step() == SpawnAbi.STEP_FILE_ACTIONS) {
            return failed(SpawnAbi.STEP_FILE_ACTIONS, 0, fail.errno());
        }
        List<Integer> lowered = new ArrayList<>();
        try (PosixSpawnCalls.Request req = new PosixSpawnCalls.Request()) {
            int r = req.init();
            // Caught signals to SIG_DFL is the C library's own doing; the program starts with no signal blocked.
            if (r == 0) r = req.signals(InternalSignals.TO_DEFAULT, 0L);
            if (r != 0) return failed(SpawnAbi.STEP_FILE_ACTIONS, 0, r);
            NativeSpawn.Outcome refused = addActions(req, plan, c.dir(), lowered);
            if (refused != null) return refused;
            if (fail != null && fail.step() == SpawnAbi.STEP_EXEC) return failed(SpawnAbi.STEP_EXEC, 0, fail.errno());
            byte[][] envp = c.envp() != null ? c.envp() : Environ.currentWithout(Spawner.LISTEN_VARS);
            int pid = req.spawn(c.paths()[0], search, c.argv(), envp);
            // On failure the C library has reaped its child already.
            return pid < 0 ? failed(SpawnAbi.STEP_EXEC, 0, -pid) : new NativeSpawn.Outcome(pid, -1, 0, SpawnAbi.STEP_NONE, 0);
        } finally {
            for (int fd : lowered) FdCalls.close(fd);
        }
    }

    /**
     * The plan as file actions, as the helper adds them: sources the soft RLIMIT_NOFILE would refuse are first
     * duplicated low here (C libraries check every number in a file action against it); sources that are another
     * mapping's destination go to temporaries above every source and destination; then each onto its
     * destination, /dev/null opened in place, one close per gap number, closefrom above the last kept one.
     * {@code lowered} collects the duplicates made here, for the caller to close. Null when all were added.
     */
    private static NativeSpawn.Outcome addActions(PosixSpawnCalls.Request req, Plan plan, byte[] dir,
                                                  List<Integer> lowered) {
        long limit = ProcessCalls.getrlimitNofile()[0];
        int soft = limit < 0 || limit > Integer.MAX_VALUE ? Integer.MAX_VALUE : (int) limit;
        int n = plan.mappings.size();
        int[] from = new int[n];
        int tmp = plan.hi;
        for (int i = 0; i < n; i++) {
            Plan.Mapping m = plan.mappings.get(i);
            from[i] = m.src();
            if (from[i] >= soft) {
                int d = FdCalls.fcntl(from[i], FdCalls.F_DUPFD_CLOEXEC, 3);
                if (d == -Errno.EBADF && m.optional()) {
                    from[i] = SKIPPED;
                    continue;
                }
                if (d < 0) return failed(SpawnAbi.STEP_RLIMIT, from[i], -d);
                lowered.add(d);
                from[i] = d;
            }
            if (from[i] >= tmp) tmp = from[i] + 1;
        }
        for (Plan.Mapping m : plan.mappings) {
            if (m.dst() >= soft) return failed(SpawnAbi.STEP_RLIMIT, m.dst(), Errno.EBADF);
        }
        int r = 0;
        int parked = tmp; // numbers from here on: temporaries, in mapping order
        for (int i = 0; i < n && r == 0; i++) {
            if (from[i] >= 0 && from[i] != plan.mappings.get(i).dst() && isKept(plan, from[i])) {
                if (tmp >= soft) return failed(SpawnAbi.STEP_RLIMIT, tmp, Errno.EBADF);
                r = req.dup2(from[i], tmp++);
            }
        }
        tmp = parked;
        for (int i = 0; i < n && r == 0; i++) {
            Plan.Mapping m = plan.mappings.get(i);
            int src = from[i], dst = m.dst();
            if (src == SKIPPED) continue;
            if (src == NativeSpawn.SRC_DEVNULL) {
                r = req.open(dst, DEV_NULL, FdCalls.O_RDWR, 0);
            } else if (src == dst) {
                if (!m.optional()) r = req.dup2(src, dst); // the C library clears close-on-exec for dup2 onto itself
            } else {
                r = req.dup2(isKept(plan, src) ? tmp++ : src, dst);
            }
        }
        int gap = 0;
        for (int k = 0; k < plan.keep.length && r == 0; k++) {
            for (int fd = gap; fd < plan.keep[k] && r == 0; fd++) r = req.close(fd);
            gap = plan.keep[k] + 1;
        }
        if (r == 0) r = req.closeFrom(gap);
        if (r == 0 && dir != null) r = req.chdir(dir);
        return r == 0 ? null : failed(SpawnAbi.STEP_FILE_ACTIONS, 0, r);
    }

    private static boolean isKept(Plan plan, int fd) {
        return Arrays.binarySearch(plan.keep, fd) >= 0;
    }

    private static NativeSpawn.Outcome failed(int step, int arg, int errno) {
        return new NativeSpawn.Outcome(0, -1, errno, step, arg);
    }
}
