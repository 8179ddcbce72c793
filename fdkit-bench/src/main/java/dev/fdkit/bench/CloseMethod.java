package dev.fdkit.bench;

import dev.fdkit.Fds;
import dev.fdkit.internal.CloseStrategy;
import dev.fdkit.internal.Closer;
import dev.fdkit.internal.FdCalls;
import dev.fdkit.internal.FdScan;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.stream.Stream;

/**
 * The ways to close (or mark close-on-exec) every descriptor from {@code base} to the end of the table: fdkit's
 * public calls, each of its mechanisms forced, the plain /proc/self/fd walk the close_range patch compared against,
 * and the bare FFM downcall the others are measured against. The
 * runner and the JMH benchmarks call the same code.
 */
public enum CloseMethod {
    /** The public call a program makes: Fds.closeRange(base, MAX_FD), fdkit's selected mechanism. */
    FDS_CLOSE_RANGE("Fds.closeRange", false),
    /** Fds.closeFrom(base). */
    FDS_CLOSE_FROM("Fds.closeFrom", false),
    /** Fds.markCloseOnExec(base, MAX_FD). */
    FDS_MARK_CLOEXEC("Fds.markCloseOnExec", true),
    /** One close_range(base, ~0U, 0). */
    CLOSE_RANGE("close_range", false),
    /** One close_range(base, ~0U, CLOSE_RANGE_CLOEXEC): marks instead of closing (Linux 5.11+). */
    CLOSE_RANGE_CLOEXEC("close_range-cloexec", true),
    /** fdkit's fallback without close_range: getdents64 over /proc/self/fd and close(2), rescanning until clean. */
    PROC("getdents64+close", false),
    /** fdkit's marking fallback for kernels without CLOSE_RANGE_CLOEXEC: list the numbers, fcntl each one. */
    FCNTL_CLOEXEC("list+fcntl-cloexec", true),
    /** fdkit's last resort: close(2) on every number up to RLIMIT_NOFILE. */
    BRUTE("brute-force-to-rlimit", false),
    /** What a JVM program does by hand, and what the 2019 table compared against: list /proc/self/fd, close each. */
    FILES_LIST_WALK("Files.list+close", false),
    /** The in-JVM anchor: close_range(base, ~0U, 0) through the bench's own downcall handle, no fdkit code. */
    FFM_CLOSE_RANGE("FFM close_range", false),
    /** The in-JVM anchor for marking: close_range(base, ~0U, CLOSE_RANGE_CLOEXEC), bare. */
    FFM_CLOSE_RANGE_CLOEXEC("FFM close_range-cloexec", true);

    private static final Path PROC_SELF_FD = Path.of("/proc/self/fd");

    private final String label;
    private final boolean marks;

    CloseMethod(String label, boolean marks) {
        this.label = label;
        this.marks = marks;
    }

    /** The name printed in tables, JSON and plot legends. */
    public String label() {
        return label;
    }

    /** True when the method marks close-on-exec instead of closing. */
    public boolean marks() {
        return marks;
    }

    /** Closes (or marks) every descriptor from {@code base} to the end of the table. */
    public void run(int base) throws IOException {
        switch (this) {
            case FDS_CLOSE_RANGE -> Fds.closeRange(base, Fds.MAX_FD);
            case FDS_CLOSE_FROM -> Fds.closeFrom(base);
            case FDS_MARK_CLOEXEC -> Fds.markCloseOnExec(base, Fds.MAX_FD);
            case FFM_CLOSE_RANGE -> BareCloseRange.closeFrom(base, 0);
            case FFM_CLOSE_RANGE_CLOEXEC -> BareCloseRange.closeFrom(base, FdCalls.CLOSE_RANGE_CLOEXEC);
            case CLOSE_RANGE -> Closer.closeRange(CloseStrategy.CLOSE_RANGE, base, -1, 0);
            case CLOSE_RANGE_CLOEXEC -> Closer.closeRange(CloseStrategy.CLOSE_RANGE, base, -1, FdCalls.CLOSE_RANGE_CLOEXEC);
            case PROC -> Closer.closeRange(CloseStrategy.PROC, base, -1, 0);
            case FCNTL_CLOEXEC -> Closer.closeRange(CloseStrategy.PROC, base, -1, FdCalls.CLOSE_RANGE_CLOEXEC);
            case BRUTE -> Closer.closeRange(CloseStrategy.BRUTE, base, -1, 0);
            case FILES_LIST_WALK -> filesListWalk(base);
        }
    }

    /** One pass of Files.list over /proc/self/fd, closing every listed number &gt;= base. */
    static void filesListWalk(int base) throws IOException {
        try (Stream<Path> entries = Files.list(PROC_SELF_FD)) {
            entries.forEach(p -> {
                int fd = Integer.parseInt(p.getFileName().toString());
                if (fd >= base) FdCalls.close(fd);
            });
        } catch (UncheckedIOException e) {
            throw e.getCause();
        }
    }

    /** The methods this machine can run, and a note for each one it cannot. */
    public static List<CloseMethod> available(List<String> notes) {
        List<CloseMethod> out = new ArrayList<>();
        boolean closeRange = Closer.closeRangeWorks();
        boolean proc = FdScan.procSelfFdWorks();
        for (CloseMethod m : values()) {
            switch (m) {
                case CLOSE_RANGE -> {
                    if (closeRange) out.add(m);
                    else notes.add("close_range(2) is not available here (ENOSYS or seccomp): close_range skipped");
                }
                case FFM_CLOSE_RANGE, FFM_CLOSE_RANGE_CLOEXEC -> {
                    boolean flag = m == FFM_CLOSE_RANGE || Closer.kernelHasCloexecFlag();
                    if (closeRange && flag && BareCloseRange.available()) out.add(m);
                    else notes.add("close_range is not callable here (libc lacks it, or the kernel the call or its flag): "
                            + m.label + " skipped");
                }
                case CLOSE_RANGE_CLOEXEC -> {
                    if (Closer.kernelHasCloexecFlag()) out.add(m);
                    else notes.add("this kernel lacks CLOSE_RANGE_CLOEXEC (Linux < 5.11): close_range-cloexec skipped");
                }
                case PROC, FILES_LIST_WALK -> {
                    if (proc) out.add(m);
                    else notes.add("/proc/self/fd is not readable procfs: " + m.label + " skipped");
                }
                default -> out.add(m);
            }
        }
        return out;
    }
}
