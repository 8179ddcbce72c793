package dev.fdkit;

import java.nio.charset.StandardCharsets;
import java.util.LinkedHashMap;
import java.util.Map;

/**
 * What /proc/PID/fdinfo/N adds for each kind of descriptor, as lsfd names it: eventfd id, the descriptors an epoll
 * instance watches, inotify's watched inodes, a signalfd's mask, a timerfd's clock, interval and time remaining, a
 * pidfd's pid, and the locks held through the file ("lock:" lines).
 *
 * <p>The kernel's formats (fs/eventfd.c, fs/eventpoll.c, fs/notify/fdinfo.c, fs/signalfd.c, fs/timerfd.c,
 * kernel/pid.c, fs/locks.c) have been stable for years; a line this parser does not recognise is skipped.
 */
final class FdinfoAttributes {
    private FdinfoAttributes() {}

    /** Multi-valued attributes separate their values with a newline, as lsfd's JSON does. */
    static final String SEPARATOR = "\n";

    static Map<String, String> of(FdKind kind, byte[] info) {
        LinkedHashMap<String, String> out = new LinkedHashMap<>();
        String text = new String(info, StandardCharsets.US_ASCII);
        StringBuilder inodes = null, locks = null;
        java.util.TreeSet<Integer> tfds = null;
        for (String line : text.split("\n")) {
            switch (kind) {
                case EVENTFD -> {
                    if (line.startsWith("eventfd-id:")) out.put("EVENTFD.ID", value(line));
                }
                case EVENTPOLL -> {
                    if (line.startsWith("tfd:")) {
                        if (tfds == null) tfds = new java.util.TreeSet<>();
                        tfds.add(Integer.parseInt(firstToken(value(line))));
                    }
                }
                case INOTIFY -> {
                    if (line.startsWith("inotify wd:")) {
                        String ino = field(line, "ino:"), dev = field(line, "sdev:");
                        if (ino != null && dev != null) {
                            long d = Long.parseLong(dev, 16);
                            inodes = append(inodes, Long.parseLong(ino, 16) + "," + (d >>> 20) + ":" + (d & 0xfffff));
                        }
                    }
                }
                case SIGNALFD -> {
                    if (line.startsWith("sigmask:")) out.put("SIGNALFD.MASK", signals(Long.parseUnsignedLong(value(line), 16)));
                }
                case TIMERFD -> {
                    if (line.startsWith("clockid:")) out.put("TIMERFD.CLOCKID", clock(Integer.parseInt(value(line))));
                    else if (line.startsWith("it_interval:")) out.put("TIMERFD.INTERVAL", seconds(value(line)));
                    else if (line.startsWith("it_value:")) out.put("TIMERFD.REMAINING", seconds(value(line)));
                }
                case PIDFD -> {
                    if (line.startsWith("Pid:")) out.put("PIDFD.PID", value(line));
                }
                default -> {
                }
            }
            if (line.startsWith("lock:")) locks = append(locks, lock(value(line)));
        }
        // Ascending, as lsfd shows them (the kernel lists them in its tree's order).
        if (kind == FdKind.EVENTPOLL) {
            StringBuilder sb = new StringBuilder();
            if (tfds != null) for (int fd : tfds) sb.append(sb.isEmpty() ? "" : SEPARATOR).append(fd);
            out.put("EVENTPOLL.TFDS", sb.toString());
        }
        if (inodes != null) out.put("INOTIFY.INODES", inodes.toString());
        if (locks != null) out.put("LOCKS", locks.toString());
        // The interval must come before the remaining time whatever order the kernel printed them in.
        if (out.containsKey("TIMERFD.REMAINING")) out.put("TIMERFD.REMAINING", out.remove("TIMERFD.REMAINING"));
        return new FdInfo.Attributes(out); // final: the record keeps it without a copy
    }

    private static StringBuilder append(StringBuilder sb, String v) {
        if (sb == null) return new StringBuilder(v);
        return sb.append(SEPARATOR).append(v);
    }

    /** The text after the first ':' of the line, trimmed. */
    private static String value(String line) {
        return line.substring(line.indexOf(':') + 1).trim();
    }

    private static String firstToken(String s) {
        int sp = s.indexOf(' ');
        return sp < 0 ? s : s.substring(0, sp);
    }

    /** The blank-ended token after {@code key} in {@code line} ("ino:1a2b" gives "1a2b"), or null. */
    private static String field(String line, String key) {
        int at = line.indexOf(" " + key);
        if (at < 0) return null;
        int from = at + 1 + key.length(), to = from;
        while (to < line.length() && line.charAt(to) != ' ') to++;
        return line.substring(from, to);
    }

    private static final String[] SIGNAL_NAMES = {"HUP", "INT", "QUIT", "ILL", "TRAP", "ABRT", "BUS", "FPE", "KILL",
            "USR1", "SEGV", "USR2", "PIPE", "ALRM", "TERM", "STKFLT", "CHLD", "CONT", "STOP", "TSTP", "TTIN", "TTOU",
            "URG", "XCPU", "XFSZ", "VTALRM", "PROF", "WINCH", "IO", "PWR", "SYS"};

    /** Signal names for a mask whose bit n-1 is signal n, comma-separated: "INT,USR1"; real-time ones "RTMIN+k". */
    static String signals(long mask) {
        StringBuilder sb = new StringBuilder();
        for (int sig = 1; sig <= 64; sig++) {
            if ((mask & (1L << (sig - 1))) == 0) continue;
            if (!sb.isEmpty()) sb.append(',');
            if (sig <= SIGNAL_NAMES.length) sb.append(SIGNAL_NAMES[sig - 1]);
            else if (sig >= 34) sb.append("RTMIN+").append(sig - 34);
            else sb.append(sig); // 32 and 33: taken by glibc's threads
        }
        return sb.toString();
    }

    static String clock(int id) {
        return switch (id) {
            case 0 -> "realtime";
            case 1 -> "monotonic";
            case 7 -> "boottime";
            case 8 -> "realtime-alarm";
            case 9 -> "boottime-alarm";
            default -> "clock " + id;
        };
    }

    /** "(1, 500000000)" (seconds, nanoseconds) as "1.500000000". */
    private static String seconds(String pair) {
        String p = pair.replace("(", "").replace(")", "");
        int comma = p.indexOf(',');
        if (comma < 0) return pair;
        long s = Long.parseLong(p.substring(0, comma).trim()), ns = Long.parseLong(p.substring(comma + 1).trim());
        return s + "." + String.format("%09d", ns);
    }

    /**
     * One "lock:" line, "1: POSIX  ADVISORY  WRITE 1234 08:01:5678 0 EOF", as "POSIX WRITE 0-EOF pid 1234": the
     * kind (FLOCK, POSIX, OFDLCK, LEASE...), READ or WRITE, the byte range, and the holder the kernel names (-1 for
     * locks owned by an open file description).
     */
    static String lock(String rest) {
        String[] t = rest.trim().split("\\s+");
        int i = t.length > 0 && t[0].endsWith(":") ? 1 : 0; // the lock's ordinal
        if (t.length >= i + 7 && t[i].equals("->")) i++; // a waiter (only in /proc/locks)
        if (t.length < i + 7) return rest.trim();
        return t[i] + " " + t[i + 2] + " " + t[i + 5] + "-" + t[i + 6] + " pid " + t[i + 3];
    }
}
