package dev.fdkit.faults;

import dev.fdkit.CloseRangeFlag;
import dev.fdkit.Fds;
import dev.fdkit.internal.Errno;
import dev.fdkit.internal.FdCalls;
import dev.fdkit.internal.ProcessCalls;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * The cases of the kernel's close_range self-test (tools/testing/selftests/core/close_range_test.c), written
 * for {@link Fds} in a JVM, run with whatever close mechanism the JVM was started with. Where the kernel test
 * forks a child sharing the table (clone3 with CLONE_FILES), a thread does the same here; the descriptors sit at
 * fixed numbers far above the JVM's own, as the kernel test's sit just above stdio. Prints one line per case,
 * {@code case.NAME=ok} or {@code case.NAME=FAIL: what}; a case that does not finish in time prints {@code HANG}
 * and the JVM halts.
 */
public final class CloseRangeSelftest {
    private static final int BASE = 1000, COUNT = 101;
    private static final long CASE_SECONDS = 45;
    private static final int F_DUPFD_QUERY = 1027;

    private final List<String> failures = new ArrayList<>();

    public static void main(String[] args) throws Exception {
        Map<String, Case> cases = new LinkedHashMap<>();
        cases.put("close_range", CloseRangeSelftest::closeRange);
        cases.put("close_range_unshare", CloseRangeSelftest::closeRangeUnshare);
        cases.put("close_range_unshare_capped", CloseRangeSelftest::closeRangeUnshareCapped);
        cases.put("close_range_cloexec", t -> t.closeRangeCloexec(false));
        cases.put("close_range_cloexec_unshare", t -> t.closeRangeCloexec(true));
        cases.put("close_range_cloexec_syzbot", CloseRangeSelftest::cloexecSyzbot);
        cases.put("close_range_cloexec_unshare_syzbot", CloseRangeSelftest::cloexecUnshareSyzbot);
        cases.put("close_range_bitmap_corruption", CloseRangeSelftest::bitmapCorruption);
        System.out.println("mechanism=" + Fds.closeMechanism().propertyValue());
        for (var c : cases.entrySet()) {
            if (args.length > 0 && !List.of(args).contains(c.getKey())) continue;
            CloseRangeSelftest t = new CloseRangeSelftest();
            Thread runner = Thread.ofPlatform().name(c.getKey()).start(() -> {
                try {
                    c.getValue().run(t);
                } catch (Throwable e) {
                    t.failures.add("threw " + e);
                }
            });
            runner.join(CASE_SECONDS * 1000);
            if (runner.isAlive()) {
                System.out.println("case." + c.getKey() + "=HANG: no return within " + CASE_SECONDS + " s");
                System.out.flush();
                Runtime.getRuntime().halt(3);
            }
            System.out.println("case." + c.getKey() + "=" + (t.failures.isEmpty() ? "ok" : "FAIL: " + t.failures));
        }
        System.out.flush();
    }

    @FunctionalInterface
    interface Case {
        void run(CloseRangeSelftest t) throws Exception;
    }

    // ---------------------------------------------------------------- cases

    void closeRange() throws Exception {
        int[] fds = openDevNull();
        // The kernel test also passes flags -1 and expects EINVAL; Fds takes flags as an enum, so it cannot.
        Fds.closeRange(fds[0], fds[50]);
        checkClosed(fds, 0, 50);
        checkOpen(fds, 51, 100);
        makeGaps(fds);
        Fds.closeRange(fds[51], fds[92]);
        checkClosed(fds, 51, 92);
        checkOpen(fds, 93, 100);
        Fds.closeRange(fds[93], fds[99]);
        checkClosed(fds, 93, 99);
        checkOpen(fds, 100, 100);
        Fds.closeRange(fds[100], fds[100]);
        checkClosed(fds, 100, 100);
    }

    void closeRangeUnshare() throws Exception {
        int[] fds = openDevNull();
        inThread("thread", () -> {
            Fds.closeRange(fds[0], fds[50], CloseRangeFlag.UNSHARE);
            checkClosed(fds, 0, 50);
            checkOpen(fds, 51, 100);
            makeGaps(fds);
            Fds.closeRange(fds[51], fds[92], CloseRangeFlag.UNSHARE);
            checkClosed(fds, 51, 92);
            checkOpen(fds, 93, 100);
            Fds.closeRange(fds[93], fds[99], CloseRangeFlag.UNSHARE);
            checkClosed(fds, 93, 99);
            checkOpen(fds, 100, 100);
            Fds.closeRange(fds[100], fds[100], CloseRangeFlag.UNSHARE);
            checkClosed(fds, 100, 100);
        });
        // Beyond the kernel test: the table the other threads share was not touched.
        checkOpen(fds, 0, 100);
        closeAll(fds);
    }

    void closeRangeUnshareCapped() throws Exception {
        int[] fds = openDevNull();
        inThread("thread", () -> {
            Fds.closeRange(fds[0], Fds.MAX_FD, CloseRangeFlag.UNSHARE);
            checkClosed(fds, 0, 100);
        });
        checkOpen(fds, 0, 100);
        closeAll(fds);
    }

    void closeRangeCloexec(boolean unshare) throws Exception {
        int[] fds = openDevNull();
        CloseRangeFlag[] flags = unshare
                ? new CloseRangeFlag[] {CloseRangeFlag.CLOEXEC, CloseRangeFlag.UNSHARE}
                : new CloseRangeFlag[] {CloseRangeFlag.CLOEXEC};
        // The marking must hold with a soft limit far below the descriptors marked.
        long[] limit = ProcessCalls.getrlimitNofile();
        Rlimits.setNofile(25, limit[1]);
        try {
            Case body = t -> {
                Fds.closeRange(fds[0], fds[50], flags);
                Fds.closeRange(fds[75], fds[100], flags);
                checkCloexec(fds, 0, 50, true);
                checkCloexec(fds, 51, 74, false);
                checkCloexec(fds, 75, 100, true);
                Fds.closeRange(3, Fds.MAX_FD, flags); // the common pattern
                checkCloexec(fds, 0, 100, true);
            };
            // Unsharing is for a thread about to exec: the JVM's other threads keep the shared table.
            if (unshare) inThread("thread", () -> body.run(this));
            else body.run(this);
        } finally {
            Rlimits.setNofile(limit[0], limit[1]);
        }
        closeAll(fds);
    }

    void cloexecSyzbot() throws Exception {
        int fd1 = devNull();
        int fd2 = dupTo(fd1, 2000); // a huge gap in the table
        dupQuery(fd1, fd2, 1);
        inThread("sharing thread", () -> {
            Fds.closeRange(3, Fds.MAX_FD, CloseRangeFlag.CLOEXEC);
            cloexec(fd1, true);
            cloexec(fd2, true);
            int fd3 = dupTo(fd1, 1500);
            dupQuery(fd1, fd3, 1);
            cloexec(fd3, false); // dup2 clears FD_CLOEXEC
        });
        // The table was shared: the marks are seen here too.
        cloexec(fd1, true);
        cloexec(fd2, true);
        int fd3 = dupTo(fd1, 1500);
        dupQuery(fd1, fd3, 1);
        int fd4 = devNull();
        dupQuery(fd1, fd4, 0); // same inode, another open file
        cloexec(fd3, false);
        for (int fd : new int[] {fd1, fd2, fd3, fd4}) check(FdCalls.close(fd) == 0, "close(" + fd + ")");
    }

    void cloexecUnshareSyzbot() throws Exception {
        int fd1 = devNull();
        int fd2 = dupTo(fd1, 2000);
        for (int i = 0; i < 100; i++) {
            inThread("unsharing thread " + i, () -> {
                Fds.closeRange(3, Fds.MAX_FD, CloseRangeFlag.UNSHARE, CloseRangeFlag.CLOEXEC);
                cloexec(fd1, true);
                cloexec(fd2, true);
                int fd3 = dupTo(fd1, 1500);
                cloexec(fd3, false);
                for (int fd : new int[] {fd1, fd2, fd3}) check(FdCalls.close(fd) == 0, "close(" + fd + ") in the thread");
            });
        }
        // Every thread marked and closed in a table of its own: here nothing changed.
        cloexec(fd1, false);
        cloexec(fd2, false);
        int fd3 = dupTo(fd1, 1500);
        cloexec(fd3, false);
        for (int fd : new int[] {fd1, fd2, fd3}) check(FdCalls.close(fd) == 0, "close(" + fd + ")");
    }

    void bitmapCorruption() throws Exception {
        int base = 2048; // a multiple of 64: the table's "full word" bitmap covers 64 descriptors per bit
        int src = devNull();
        for (int i = 0; i < 128; i++) dupTo(src, base + i);
        inThread("thread", () -> {
            Fds.closeRange(base + 64, Fds.MAX_FD, CloseRangeFlag.UNSHARE);
            check(FdCalls.fcntl(base + 64, FdCalls.F_GETFD, 0) < 0, (base + 64) + " still open after the close");
            int lowest = FdCalls.fcntl(src, FdCalls.F_DUPFD, base + 64);
            check(lowest == base + 64, "F_DUPFD from " + (base + 64) + " gave " + lowest);
        });
        for (int i = 0; i < 128; i++) FdCalls.close(base + i);
        FdCalls.close(src);
    }

    // ---------------------------------------------------------------- helpers

    /** /dev/null at BASE..BASE+100, as the kernel test's 101 descriptors (not close-on-exec: dup2 clears it). */
    private int[] openDevNull() {
        int src = devNull();
        int[] fds = new int[COUNT];
        for (int i = 0; i < COUNT; i++) fds[i] = dupTo(src, BASE + i);
        FdCalls.close(src);
        return fds;
    }

    /** The kernel test's gaps at 57, 78, 81, 82, 84 and 90: its descriptors start at 3. */
    private static void makeGaps(int[] fds) {
        for (int n : new int[] {57, 78, 81, 82, 84, 90}) FdCalls.close(fds[n - 3]);
    }

    private static void closeAll(int[] fds) {
        for (int fd : fds) FdCalls.close(fd);
    }

    private int devNull() {
        int fd = FdCalls.open("/dev/null", FdCalls.O_RDWR, 0);
        if (fd < 0) throw new IllegalStateException("open(/dev/null): " + fd);
        return fd;
    }

    private int dupTo(int fd, int to) {
        int r = FdCalls.dup2(fd, to);
        if (r != to) throw new IllegalStateException("dup2(" + fd + ", " + to + "): " + r);
        return r;
    }

    /** F_DUPFD_QUERY (Linux 6.10+): whether two descriptors are one open file; older kernels answer EINVAL. */
    private void dupQuery(int a, int b, int expected) {
        int r = FdCalls.fcntl(a, F_DUPFD_QUERY, b);
        check(r == -Errno.EINVAL || r == expected, "F_DUPFD_QUERY(" + a + ", " + b + ") gave " + r);
    }

    private void checkClosed(int[] fds, int from, int to) {
        for (int i = from; i <= to; i++) check(FdCalls.fcntl(fds[i], FdCalls.F_GETFL, 0) < 0, fds[i] + " still open");
    }

    private void checkOpen(int[] fds, int from, int to) {
        for (int i = from; i <= to; i++) check(FdCalls.fcntl(fds[i], FdCalls.F_GETFL, 0) >= 0, fds[i] + " closed");
    }

    private void checkCloexec(int[] fds, int from, int to, boolean set) {
        for (int i = from; i <= to; i++) cloexec(fds[i], set);
    }

    private void cloexec(int fd, boolean set) {
        int flags = FdCalls.fcntl(fd, FdCalls.F_GETFD, 0);
        check(flags >= 0, fd + " closed");
        if (flags >= 0) check(((flags & FdCalls.FD_CLOEXEC) != 0) == set, fd + (set ? " not" : "") + " close-on-exec");
    }

    private synchronized void check(boolean ok, String what) {
        if (!ok && failures.size() < 10) failures.add(what);
    }

    /** Runs {@code body} in a new thread sharing the table (the kernel test's CLONE_FILES child) and waits for it. */
    private void inThread(String name, Body body) throws InterruptedException {
        Thread t = Thread.ofPlatform().name(name).start(() -> {
            try {
                body.run();
            } catch (Throwable e) {
                check(false, name + " threw " + e);
            }
        });
        t.join();
    }

    @FunctionalInterface
    private interface Body {
        void run() throws Exception;
    }
}
