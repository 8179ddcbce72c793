package dev.fdkit.bench;

import com.sun.management.UnixOperatingSystemMXBean;
import dev.fdkit.internal.FdScan;
import dev.fdkit.internal.ListStrategy;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.lang.management.ManagementFactory;
import java.lang.management.OperatingSystemMXBean;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.stream.Stream;

/**
 * The ways to find this process's open descriptors: each of fdkit's list mechanisms, forced, against what the JDK
 * offers (Files.list over /proc/self/fd, and the JMX open-descriptor count, which is a count, not a list).
 */
public enum ListMethod {
    /** One poll(2) over every slot, keeping those not answered POLLNVAL. */
    POLL("poll-nval"),
    /** fcntl(F_GETFD) on every slot of the table. */
    FCNTL("fcntl-probe"),
    /** getdents64(2) over /proc/self/fd, no String per entry. */
    PROC("procfs-getdents64"),
    /** Files.list(Path.of("/proc/self/fd")), each name parsed, sorted: the plain JDK way to get the numbers. */
    FILES_LIST("Files.list(/proc/self/fd)"),
    /** UnixOperatingSystemMXBean.getOpenFileDescriptorCount(): only a count. */
    JMX_COUNT("JMX open-fd count");

    private static final Path PROC_SELF_FD = Path.of("/proc/self/fd");

    private final String label;

    ListMethod(String label) {
        this.label = label;
    }

    public String label() {
        return label;
    }

    /** Whether {@link #run} returns the numbers themselves (else only their count). */
    public boolean lists() {
        return this != JMX_COUNT;
    }

    /**
     * Lists every open descriptor. Returns the sorted numbers, or for {@link #JMX_COUNT} a one-element array with
     * the count.
     */
    public int[] run() throws IOException {
        return switch (this) {
            case POLL -> FdScan.open(ListStrategy.POLL, 0, Integer.MAX_VALUE);
            case FCNTL -> FdScan.open(ListStrategy.FCNTL, 0, Integer.MAX_VALUE);
            case PROC -> FdScan.open(ListStrategy.PROC, 0, Integer.MAX_VALUE);
            case FILES_LIST -> filesList();
            case JMX_COUNT -> new int[] {(int) jmx().getOpenFileDescriptorCount()};
        };
    }

    static int[] filesList() throws IOException {
        try (Stream<Path> entries = Files.list(PROC_SELF_FD)) {
            return entries.mapToInt(p -> Integer.parseInt(p.getFileName().toString())).sorted().toArray();
        } catch (UncheckedIOException e) {
            throw e.getCause();
        }
    }

    private static UnixOperatingSystemMXBean jmx() {
        OperatingSystemMXBean os = ManagementFactory.getOperatingSystemMXBean();
        if (os instanceof UnixOperatingSystemMXBean unix) return unix;
        throw new IllegalStateException("this JVM has no UnixOperatingSystemMXBean");
    }

    /** The methods this machine can run, and a note for each one it cannot. */
    public static List<ListMethod> available(List<String> notes) {
        List<ListMethod> out = new ArrayList<>();
        boolean proc = FdScan.procSelfFdWorks();
        boolean jmx = ManagementFactory.getOperatingSystemMXBean() instanceof UnixOperatingSystemMXBean;
        for (ListMethod m : values()) {
            if ((m == PROC || m == FILES_LIST) && !proc) {
                notes.add("/proc/self/fd is not readable procfs: " + m.label + " skipped");
            } else if (m == JMX_COUNT && !jmx) {
                notes.add("this JVM has no UnixOperatingSystemMXBean: " + m.label + " skipped");
            } else {
                out.add(m);
            }
        }
        return out;
    }
}
