package dev.fdkit;

import dev.fdkit.internal.Dirents;
import dev.fdkit.internal.FdCalls;
import dev.fdkit.internal.IntList;
import dev.fdkit.internal.ProcFiles;

import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

/**
 * The other ends of a listing's pipes, FIFOs and shared sockets: every descriptor of every process this one may
 * inspect that refers to the same pipe, FIFO or socket inode, as lsfd's ENDPOINTS column shows them
 * ("PID,COMMAND,FD" then r or -, w or -). One pass over /proc/[0-9]* /fd for the whole listing: it costs a readlink
 * per descriptor on the system, so it runs only when asked for.
 *
 * <p>A unix socket's peer is a different inode, which procfs does not name: only descriptors sharing the very
 * socket (inherited or passed) are found for unix sockets.
 */
public final class Endpoints {
    private Endpoints() {}

    /** At most this many processes are looked at; /proc is read once, so the pass ends even if pids churn. */
    private static final int MAX_PROCESSES = 1 << 22;

    /**
     * {@code table} with the attribute "ENDPOINTS" on each pipe, FIFO and socket: the other descriptors (in any
     * process, this one included) on the same inode, newline-separated; empty when there are none.
     *
     * @param table a listing, of this process or another
     * @return the same descriptors, those with other ends carrying "ENDPOINTS"
     * @throws ErrnoException if /proc cannot be read (processes that vanish or deny access are passed over)
     */
    public static FdTable of(FdTable table) throws ErrnoException {
        Map<String, List<Holder>> ends = new HashMap<>(); // target -> the descriptors holding it
        for (FdInfo f : table) if (isShared(f)) ends.put(f.target(), new ArrayList<>());
        if (ends.isEmpty()) return table;
        int[] err = new int[1];
        for (int pid : processes()) {
            int fdDir = ProcFiles.openDir("/proc/" + pid + "/fd");
            if (fdDir < 0) continue; // gone, or not ours to look at
            try {
                for (int fd : numbers(fdDir)) {
                    String target = ProcFiles.readlinkNumbered(fdDir, fd, err);
                    List<Holder> holders = target == null ? null : ends.get(target);
                    if (holders != null) holders.add(new Holder(pid, fd, access(fdDir, fd)));
                }
            } finally {
                FdCalls.close(fdDir);
            }
        }
        Map<Integer, String> comms = new HashMap<>();
        List<FdInfo> out = new ArrayList<>(table.size());
        for (FdInfo f : table) {
            List<Holder> holders = isShared(f) ? ends.get(f.target()) : null;
            if (holders == null) {
                out.add(f);
                continue;
            }
            StringBuilder sb = new StringBuilder();
            for (Holder h : holders) {
                if (h.pid == table.pid() && h.fd == f.fd()) continue; // the descriptor itself
                if (!sb.isEmpty()) sb.append(FdinfoAttributes.SEPARATOR);
                sb.append(h.pid).append(',').append(comms.computeIfAbsent(h.pid, Endpoints::comm)).append(',')
                        .append(h.fd).append(h.access);
            }
            out.add(f.withAttributes(Map.of("ENDPOINTS", sb.toString())));
        }
        return new FdTable(table.pid(), out);
    }

    private record Holder(int pid, int fd, String access) {}

    /** The numeric entries of /proc, read once. */
    private static int[] processes() throws ErrnoException {
        int procDir = ProcFiles.openDir("/proc");
        if (procDir < 0) throw new ErrnoException("open /proc", -procDir);
        IntList pids = new IntList();
        try (Dirents d = new Dirents(procDir)) {
            int r = d.forEach(n -> {
                pids.add(n);
                return pids.size() < MAX_PROCESSES;
            });
            if (r < 0) throw new ErrnoException("getdents64(/proc)", -r);
        }
        return pids.toArray();
    }

    /** The numbers in an fd/ directory (the caller keeps {@code fdDir} open); none if it cannot be read. */
    private static int[] numbers(int fdDir) {
        int dup = FdCalls.fcntl(fdDir, FdCalls.F_DUPFD_CLOEXEC, 0); // Dirents owns and closes its descriptor
        if (dup < 0) return new int[0];
        IntList fds = new IntList();
        try (Dirents d = new Dirents(dup)) {
            d.forEach(n -> {
                fds.add(n);
                return true;
            });
        }
        return fds.toArray();
    }

    private static boolean isShared(FdInfo f) {
        return f.kind() == FdKind.PIPE || f.kind() == FdKind.FIFO || f.kind().isSocket();
    }

    /** "r-", "-w" or "rw": the descriptor's access, from the mode of its /proc link (S_IRUSR, S_IWUSR). */
    private static String access(int fdDir, int fd) {
        int mode = ProcFiles.linkModeNumbered(fdDir, fd);
        if (mode < 0) return "--";
        return ((mode & 0400) != 0 ? "r" : "-") + ((mode & 0200) != 0 ? "w" : "-");
    }

    private static String comm(long pid) {
        byte[] b = ProcFiles.read("/proc/" + pid + "/comm", null);
        if (b == null) return "?";
        int len = b.length;
        while (len > 0 && b[len - 1] == '\n') len--;
        return new String(b, 0, len, StandardCharsets.UTF_8);
    }
}
