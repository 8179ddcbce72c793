package dev.fdkit.cli;

import dev.fdkit.FdInfo;
import dev.fdkit.FdKind;
import dev.fdkit.Endpoints;
import dev.fdkit.FdTable;
import dev.fdkit.Fds;
import dev.fdkit.SocketInfo;
import dev.fdkit.internal.Json;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Model.OptionSpec;
import picocli.CommandLine.Model.PositionalParamSpec;
import picocli.CommandLine.ParameterException;

import java.io.PrintStream;
import java.util.ArrayList;
import java.util.EnumSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.Callable;
import java.util.concurrent.ForkJoinPool;
import java.util.concurrent.ForkJoinTask;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.Function;

/** {@code fdkit ls}: one row per descriptor of a process. */
final class LsCommand implements Callable<Integer> {
    final CommandSpec spec = Specs.command("ls", this,
            "List the open descriptors of a process (default: this one), lsof-style.",
            "Default columns (see --columns for more): FD; KIND (file, dir, pipe, fifo, chr, blk, unix, tcp, tcp6, udp, udp6, netlink, packet, "
                    + "raw, eventfd, eventpoll, timerfd, signalfd, inotify, fanotify, pidfd, io_uring, memfd, "
                    + "userfaultfd, anon, ns, link...); MODE: r, w, u (read and write) or p (O_PATH), then e "
                    + "when close-on-exec, - when an exec'd program inherits it; POS: the file offset; NAME: "
                    + "the path, for sockets local -> remote STATE (or the unix path), pipes as pipe:[inode] "
                    + "(both ends share it); what fdinfo adds per kind (eventfd id, epoll tfds, inotify inodes, "
                    + "signalfd mask, timerfd clock, interval and remaining time), and locks in brackets. Control "
                    + "characters in names are escaped (\\n, \\t, \\xHH); --json has every attribute and the "
                    + "exact names.");

    private final PositionalParamSpec pid = Specs.positional(spec, Long.class, "0", "0..1", "PID",
            "Process to list (default: fdkit's own).");

    private final OptionSpec json = Specs.flag(spec, "--json",
            "Print JSON instead of a table (with --summary: the counts).");

    private final OptionSpec types = Specs.add(spec, OptionSpec.builder("--type").type(List.class)
            .auxiliaryTypes(String.class).splitRegex(",").paramLabel("KIND")
            .description("Only these kinds (comma-separated or repeated); 'socket' means every socket kind."));

    private final OptionSpec summary = Specs.flag(spec, "--summary",
            "Print how many descriptors of each kind instead of each one.");

    private final OptionSpec columns = Specs.add(spec, OptionSpec.builder("-o", "--columns").type(String.class)
            .paramLabel("LIST").description("The table's columns, comma-separated, as lsfd's -o: LIST replaces the default "
                    + "(FD,KIND,MODE,POS,NAME), +LIST adds to it. Known: FD, KIND (or TYPE), MODE, POS, NAME, TARGET, "
                    + "INODE, MNTID, FLAGS, DELETED, EVENTFD.ID, EVENTPOLL.TFDS, INOTIFY.INODES, SIGNALFD.MASK, "
                    + "TIMERFD.CLOCKID, TIMERFD.INTERVAL, TIMERFD.REMAINING, PIDFD.PID, SOCK.TYPE, SOCK.STATE, "
                    + "LOCKS, ENDPOINTS.",
                    "ENDPOINTS (the other ends of pipes, FIFOs and unix sockets: which process and descriptor hold "
                            + "them) looks at every process once; it is computed only when named here, and then "
                            + "also goes into --json."));

    private final OptionSpec stacks = Specs.flag(spec, "--stacks", "Under each descriptor, the stack that opened it; "
            + "PID must run the fdkit agent (see 'fdkit agent'). With --json, an \"opener\" object with the frames.");

    {
        spec.usageMessage().sortOptions(false);
    }

    @Override
    public Integer call() throws Exception {
        Long pid = this.pid.getValue();
        boolean json = Specs.isSet(this.json);
        String columns = this.columns.getValue();
        Set<FdKind> kinds;
        try {
            kinds = kinds(this.types.getValue());
        } catch (IllegalArgumentException e) {
            throw new ParameterException(spec.commandLine(), "--type: " + e.getMessage());
        }
        List<LsColumn> shown;
        try {
            shown = columns == null ? LsColumn.defaults() : LsColumn.parse(columns);
        } catch (IllegalArgumentException e) {
            throw new ParameterException(spec.commandLine(), "--columns: " + e.getMessage());
        }
        FdTable table = pid == null ? Fds.list() : Fds.list(pid);
        if (shown.contains(LsColumn.ALL.get("ENDPOINTS"))) table = Endpoints.of(table);
        if (kinds != null) table = table.filter(f -> kinds.contains(f.kind()));
        LsStacks openers = Specs.isSet(stacks) ? LsStacks.fetch(pid, spec) : null;
        PrintStream out = System.out;
        if (Specs.isSet(summary)) {
            if (json) printSummaryJson(table, out);
            else printSummary(table, out);
        } else if (json) {
            printJson(table, out, openers == null ? f -> "" : openers::jsonMembers);
        } else {
            printTable(table, shown, out, openers == null ? f -> "" : openers::tableLines);
        }
        out.flush();
        return 0;
    }

    /**
     * The kinds named, or null for all; "socket" stands for every socket kind.
     *
     * @throws IllegalArgumentException naming an unknown kind and the known ones
     */
    static Set<FdKind> kinds(List<String> names) {
        if (names == null || names.isEmpty()) return null;
        Set<FdKind> kinds = EnumSet.noneOf(FdKind.class);
        for (String n : names) {
            if (n.isBlank()) continue;
            if (n.trim().equalsIgnoreCase("socket")) {
                for (FdKind k : FdKind.values()) if (k.isSocket()) kinds.add(k);
            } else {
                kinds.add(FdKind.ofLabel(n));
            }
        }
        return kinds;
    }

    /** From this many rows on, a pool thread formats rows alongside this one. */
    private static final int PARALLEL_ROWS = 4096;
    /**
     * Rows per block the two threads take in turn: rows differ in cost (a socket's name is built from its
     * addresses, a file's is its path), so fixed halves left one thread waiting for the other.
     */
    private static final int BLOCK_ROWS = 512;

    /** {@code below} gives lines to print under each row (--stacks), or "". */
    static void printTable(FdTable table, List<LsColumn> shown, PrintStream out, Function<FdInfo, String> below) {
        // Padding by hand: String.format per row costs more than the listing's own Java work on 16,000 rows.
        // The work per row is in methods of their own (cells, row): the JIT compiles a method after some thousand
        // calls, while this method's loops, run once, would stay interpreted.
        LsColumn[] columns = shown.toArray(new LsColumn[0]);
        FdInfo[] listed = table.all().toArray(new FdInfo[0]);
        int n = listed.length;
        boolean parallel = n >= PARALLEL_ROWS && Runtime.getRuntime().availableProcessors() > 1;
        int blocks = (n + BLOCK_ROWS - 1) / BLOCK_ROWS;
        String[][] cells = new String[n][];
        String[] header = new String[columns.length];
        int[][] widths = new int[2][columns.length]; // per thread: each widens its own
        for (int c = 0; c < columns.length; c++) widths[0][c] = (header[c] = columns[c].name()).length();
        // The widths need every row's cells, so the threads meet twice: after the cells, and after the lines.
        inBlocks(parallel, blocks, (b, thread) -> cells(listed, b * BLOCK_ROWS, Math.min(n, (b + 1) * BLOCK_ROWS),
                columns, cells, widths[thread]));
        int[] width = widths[0];
        for (int c = 0; c < columns.length; c++) width[c] = Math.max(width[c], widths[1][c]);
        byte[][] text = new byte[blocks][];
        inBlocks(parallel, blocks, (b, thread) -> {
            int from = b * BLOCK_ROWS, to = Math.min(n, from + BLOCK_ROWS);
            StringBuilder sb = new StringBuilder(80 * (to - from));
            rows(sb, listed, from, to, columns, cells, width, below);
            text[b] = encoded(out, sb);
        });
        StringBuilder head = new StringBuilder();
        row(head, columns, width, header);
        emit(out, head);
        for (byte[] t : text) out.write(t, 0, t.length);
    }

    /** Work on block {@code block} of a table, done by {@code thread}: 0 for the caller's, 1 for the pool's. */
    @FunctionalInterface
    private interface BlockWork {
        void run(int block, int thread);
    }

    /**
     * Runs {@code work} on every block in [0, blocks): on this thread and, when {@code parallel}, on a pool thread
     * too, each taking the next block not yet taken. A pool thread that starts late finds fewer or none left.
     */
    private static void inBlocks(boolean parallel, int blocks, BlockWork work) {
        AtomicInteger next = new AtomicInteger();
        ForkJoinTask<?> helper = parallel ? ForkJoinPool.commonPool().submit(() -> takeBlocks(next, blocks, work, 1))
                : null;
        takeBlocks(next, blocks, work, 0);
        if (helper != null) helper.join();
    }

    private static void takeBlocks(AtomicInteger next, int blocks, BlockWork work, int thread) {
        for (int b = next.getAndIncrement(); b < blocks; b = next.getAndIncrement()) work.run(b, thread);
    }

    /** The cells of rows [from, to) into {@code cells}, widening {@code width} to fit them. */
    private static void cells(FdInfo[] listed, int from, int to, LsColumn[] columns, String[][] cells, int[] width) {
        for (int r = from; r < to; r++) cells[r] = cells(listed[r], columns, width);
    }

    /** The lines of rows [from, to), each followed by what {@code below} gives, into {@code sb}. */
    private static void rows(StringBuilder sb, FdInfo[] listed, int from, int to, LsColumn[] columns,
                             String[][] cells, int[] width, Function<FdInfo, String> below) {
        for (int r = from; r < to; r++) {
            row(sb, columns, width, cells[r]);
            sb.append(below.apply(listed[r]));
        }
    }

    /** One row's cells, escaped, "-" for none; widens {@code width} to fit them. */
    private static String[] cells(FdInfo f, LsColumn[] columns, int[] width) {
        String[] row = new String[columns.length];
        for (int c = 0; c < columns.length; c++) {
            String v = columns[c].cell().apply(f);
            String cell = v == null || v.isEmpty() ? "-" : LsColumn.escape(v);
            row[c] = cell;
            if (cell.length() > width[c]) width[c] = cell.length();
        }
        return row;
    }

    /**
     * {@code text} encoded at once in {@code out}'s charset, as print would encode it: print goes through a writer
     * in small pieces, which costs more than the listing on thousands of rows.
     */
    private static byte[] encoded(PrintStream out, CharSequence text) {
        return text.toString().getBytes(out.charset());
    }

    /** Writes {@code text} {@link #encoded} in one piece. */
    private static void emit(PrintStream out, CharSequence text) {
        byte[] bytes = encoded(out, text);
        out.write(bytes, 0, bytes.length);
    }

    /** One line: each cell padded to its column's width (the last one not padded), one blank between. */
    private static void row(StringBuilder sb, LsColumn[] columns, int[] width, String[] cells) {
        for (int c = 0; c < cells.length; c++) {
            boolean last = c == cells.length - 1;
            int pad = width[c] - cells[c].length();
            if (c > 0) sb.append(' ');
            if (columns[c].right()) pad(sb, pad).append(cells[c]);
            else if (last) sb.append(cells[c]);
            else pad(sb.append(cells[c]), pad);
        }
        sb.append('\n');
    }

    private static StringBuilder pad(StringBuilder sb, int n) {
        return n > 0 ? sb.repeat(' ', n) : sb;
    }

    static void printSummary(FdTable table, PrintStream out) {
        List<Map.Entry<FdKind, Integer>> counts = new ArrayList<>(table.countByKind().entrySet());
        counts.sort((a, b) -> b.getValue() - a.getValue());
        StringBuilder sb = new StringBuilder(String.format("%-11s %7s%n", "KIND", "COUNT"));
        for (Map.Entry<FdKind, Integer> e : counts) {
            sb.append(String.format("%-11s %7d%n", e.getKey().label(), e.getValue()));
        }
        sb.append(String.format("%-11s %7d%n", "total", table.size()));
        out.print(sb);
    }

    static void printSummaryJson(FdTable table, PrintStream out) {
        StringBuilder sb = new StringBuilder("{\"pid\":").append(table.pid()).append(",\"total\":")
                .append(table.size()).append(",\"kinds\":{");
        boolean first = true;
        for (Map.Entry<FdKind, Integer> e : table.countByKind().entrySet()) {
            sb.append(first ? "" : ",").append(Json.quote(e.getKey().label())).append(':').append(e.getValue());
            first = false;
        }
        out.println(sb.append("}}"));
    }

    static void printJson(FdTable table, PrintStream out) {
        printJson(table, out, f -> "");
    }

    /** {@code members} gives more members for each descriptor's object (",\"opener\":{...}"), or "". */
    static void printJson(FdTable table, PrintStream out, Function<FdInfo, String> members) {
        StringBuilder sb = new StringBuilder("[");
        boolean first = true;
        for (FdInfo f : table) {
            sb.append(first ? "\n  " : ",\n  ");
            first = false;
            sb.append("{\"fd\":").append(f.fd())
                    .append(",\"type\":").append(Json.quote(f.kind().label()))
                    .append(",\"target\":").append(Json.quote(f.target()))
                    .append(",\"name\":").append(Json.quote(f.name()))
                    .append(",\"cloexec\":").append(f.closeOnExec())
                    .append(",\"access\":").append(Json.quote(f.access().letter()))
                    .append(",\"flags\":").append(f.openFlags())
                    .append(",\"pos\":").append(f.position())
                    .append(",\"mnt_id\":").append(f.mountId())
                    .append(",\"inode\":").append(f.inode())
                    .append(",\"deleted\":").append(f.deleted());
            if (f.detail() != null) sb.append(",\"detail\":").append(Json.quote(f.detail()));
            // lsfd's JSON keys: the column names in lower case ("eventfd.id"); multi-valued ones newline-separated.
            for (Map.Entry<String, String> a : f.attributes().entrySet()) {
                sb.append(',').append(Json.quote(a.getKey().toLowerCase(java.util.Locale.ROOT))).append(':')
                        .append(Json.quote(a.getValue()));
            }
            if (f.socket() != null) sb.append(",\"socket\":").append(socketJson(f.socket()));
            sb.append(members.apply(f)).append('}');
        }
        emit(out, sb.append(first ? "]" : "\n]").append(System.lineSeparator()));
    }

    private static String socketJson(SocketInfo s) {
        StringBuilder sb = new StringBuilder("{\"protocol\":").append(Json.quote(s.protocol()));
        if (s.type() != null) sb.append(",\"socket_type\":").append(Json.quote(s.type()));
        if (s.localAddress() != null) sb.append(",\"local_address\":").append(Json.quote(s.localAddress()));
        if (s.localPort() >= 0) sb.append(",\"local_port\":").append(s.localPort());
        if (s.remoteAddress() != null) sb.append(",\"remote_address\":").append(Json.quote(s.remoteAddress()));
        if (s.remotePort() >= 0) sb.append(",\"remote_port\":").append(s.remotePort());
        if (s.state() != null) sb.append(",\"state\":").append(Json.quote(s.state()));
        if (s.detail() != null) sb.append(",\"detail\":").append(Json.quote(s.detail()));
        return sb.append('}').toString();
    }
}
