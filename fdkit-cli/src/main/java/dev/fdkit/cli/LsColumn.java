package dev.fdkit.cli;

import dev.fdkit.AccessMode;
import dev.fdkit.FdInfo;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.function.Function;

/**
 * A column of {@code fdkit ls}: its name (lsfd's where lsfd has one), whether it is right-aligned, and how a row's
 * cell is made from a descriptor. The table escapes what the cell holds; JSON carries the exact value.
 *
 * @param name       the header and the {@code --columns} name, e.g. "FD", "EVENTFD.ID"
 * @param right      right-aligned (numbers)
 * @param cell       the cell's text for a descriptor; null or "" for none ("-" in the table)
 */
record LsColumn(String name, boolean right, Function<FdInfo, String> cell) {

    /** The columns shown without --columns. */
    static final List<String> DEFAULT = List.of("FD", "KIND", "MODE", "POS", "NAME");

    /** Every column by name, in the order --help lists them. */
    static final Map<String, LsColumn> ALL = new LinkedHashMap<>();

    private static void add(String name, boolean right, Function<FdInfo, String> cell) {
        ALL.put(name, new LsColumn(name, right, cell));
    }

    /** Per-kind columns the listing fills from fdinfo and /proc/PID/net, as lsfd names them. */
    static final List<String> ATTRIBUTES = List.of("EVENTFD.ID", "EVENTPOLL.TFDS", "INOTIFY.INODES", "SIGNALFD.MASK",
            "TIMERFD.CLOCKID", "TIMERFD.INTERVAL", "TIMERFD.REMAINING", "PIDFD.PID", "SOCK.TYPE", "SOCK.STATE",
            "LOCKS", "ENDPOINTS");

    static {
        add("FD", true, f -> Integer.toString(f.fd()));
        add("KIND", false, f -> f.kind().label());
        add("MODE", false, LsColumn::mode);
        add("POS", true, LsColumn::position);
        add("NAME", false, LsColumn::name);
        add("TARGET", false, FdInfo::target);
        add("INODE", true, f -> f.inode() < 0 ? null : Long.toString(f.inode()));
        add("MNTID", true, f -> f.mountId() < 0 ? null : Integer.toString(f.mountId()));
        add("FLAGS", true, f -> f.openFlags() < 0 ? null : "0" + Integer.toOctalString(f.openFlags()));
        add("DELETED", false, f -> f.deleted() ? "1" : "0");
        // Multi-valued attributes (newline-separated) on one line in the table.
        for (String a : ATTRIBUTES) {
            add(a, a.endsWith(".ID") || a.endsWith(".PID"), f -> {
                String v = f.attribute(a);
                return v == null ? null : v.replace("\n", "; ");
            });
        }
    }

    /** The columns for a --columns value: "A,B" replaces the default, "+A,B" adds to it. */
    static List<LsColumn> parse(String spec) {
        List<String> names = new ArrayList<>();
        String s = spec.trim();
        if (s.startsWith("+")) {
            names.addAll(DEFAULT);
            s = s.substring(1);
        }
        for (String n : s.split(",")) {
            if (n.isBlank()) continue;
            String key = n.trim().toUpperCase(Locale.ROOT);
            if (key.equals("TYPE")) key = "KIND"; // lsfd's name for it
            if (!ALL.containsKey(key)) {
                throw new IllegalArgumentException("unknown column '" + n.trim() + "' (known: "
                        + String.join(", ", ALL.keySet()) + ")");
            }
            if (!names.contains(key)) names.add(key);
        }
        if (names.isEmpty()) throw new IllegalArgumentException("no column named in '" + spec + "'");
        return names.stream().map(ALL::get).toList();
    }

    static List<LsColumn> defaults() {
        return DEFAULT.stream().map(ALL::get).toList();
    }

    /** MODE's text per access mode (by ordinal) and close-on-exec: made once, not concatenated per row. */
    private static final String[] MODES = new String[AccessMode.values().length * 2];

    static {
        for (AccessMode a : AccessMode.values()) {
            MODES[a.ordinal() * 2] = a.letter().concat("-");
            MODES[a.ordinal() * 2 + 1] = a.letter().concat("e");
        }
    }

    /** Access letter (r, w, u, p), then 'e' when close-on-exec, '-' when not. */
    static String mode(FdInfo f) {
        return MODES[f.access().ordinal() * 2 + (f.closeOnExec() ? 1 : 0)];
    }

    /** The offset where it means something; "-" for pipes, sockets and anon inodes (their offset is always 0). */
    static String position(FdInfo f) {
        return f.position() < 0 || !f.kind().isSeekable() ? "-" : Long.toString(f.position());
    }

    /**
     * The name, then what the kind's attributes add, as lsfd's NAME does: "anon_inode:[eventfd] id=3",
     * "anon_inode:[timerfd] clockid=monotonic interval=1.000000000 remaining=0.499000000", locks in brackets.
     */
    static String name(FdInfo f) {
        if (f.attributes().isEmpty()) return f.name();
        StringBuilder sb = new StringBuilder(f.name());
        part(sb, "id", f.attribute("EVENTFD.ID"));
        part(sb, "tfds", f.attribute("EVENTPOLL.TFDS"));
        part(sb, "inodes", f.attribute("INOTIFY.INODES"));
        part(sb, "mask", f.attribute("SIGNALFD.MASK"));
        part(sb, "clockid", f.attribute("TIMERFD.CLOCKID"));
        part(sb, "interval", f.attribute("TIMERFD.INTERVAL"));
        part(sb, "remaining", f.attribute("TIMERFD.REMAINING"));
        String locks = f.attribute("LOCKS");
        if (locks != null) sb.append(" [").append(locks.replace("\n", "; ")).append(']');
        return sb.toString();
    }

    private static void part(StringBuilder sb, String key, String value) {
        if (value != null) sb.append(' ').append(key).append('=').append(value.replace("\n", ","));
    }

    /**
     * {@code s} with control characters escaped as ls and lsfd show them: \n, \t, \r, \\ and \xHH, so a row is one
     * line whatever a file is named.
     */
    static String escape(String s) {
        // Most cells have nothing to escape: one tight scan finds that, before the loop that rewrites.
        int first = 0;
        while (first < s.length() && !needsEscape(s.charAt(first))) first++;
        if (first == s.length()) return s;
        StringBuilder sb = null;
        for (int i = first; i < s.length(); i++) {
            char c = s.charAt(i);
            String e = switch (c) {
                case '\n' -> "\\n";
                case '\t' -> "\\t";
                case '\r' -> "\\r";
                case '\\' -> "\\\\";
                default -> c < 0x20 || c == 0x7f ? String.format("\\x%02x", (int) c) : null;
            };
            if (e == null) {
                if (sb != null) sb.append(c);
                continue;
            }
            if (sb == null) sb = new StringBuilder(s.length() + 8).append(s, 0, i);
            sb.append(e);
        }
        return sb == null ? s : sb.toString();
    }

    private static boolean needsEscape(char c) {
        return c < 0x20 || c == 0x7f || c == '\\';
    }

    // Written out: a record's generated equals and hashCode are bootstrapped on first call (an invokedynamic that
    // the AOT cache does not keep), milliseconds of every 'fdkit ls', which asks its column list for ENDPOINTS.
    @Override
    public boolean equals(Object o) {
        return o instanceof LsColumn c && right == c.right && name.equals(c.name) && cell.equals(c.cell);
    }

    @Override
    public int hashCode() {
        return name.hashCode();
    }
}
