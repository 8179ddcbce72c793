package dev.fdkit;

import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.TreeSet;
import java.util.concurrent.TimeUnit;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

/**
 * Lists a child holding one descriptor of every kind, and files with hostile names ({@link DescriptorZoo}), with
 * fdkit and with util-linux's lsfd, and compares every field both show, descriptor by descriptor. lsfd comes from
 * the system (Debian bookworm's util-linux 2.38 ships it); where it is missing the test installs util-linux with
 * apt-get when it runs as root, and otherwise skips saying so. The per-kind columns of newer lsfd (2.39+: eventfd
 * id, epoll tfds, timerfd and signalfd details) are compared with Debian trixie's lsfd 2.41, fetched into target/
 * by a script, and checked against what the child set up.
 */
class LsfdComparisonTest {
    @TempDir
    static Path dir;

    static Process zoo;
    static final Map<String, Integer> FDS = new HashMap<>();
    static final Map<String, String> FACTS = new HashMap<>();
    static final Map<String, Integer> SKIPPED = new HashMap<>();

    @BeforeAll
    static void startZoo() throws Exception {
        List<String> cmd = new ArrayList<>(List.of(ProcessHandle.current().info().command().orElseThrow(),
                "--enable-native-access=ALL-UNNAMED", "-cp", System.getProperty("java.class.path"),
                DescriptorZoo.class.getName(), dir.toString()));
        zoo = new ProcessBuilder(cmd).redirectError(ProcessBuilder.Redirect.INHERIT).start();
        BufferedReader r = new BufferedReader(new InputStreamReader(zoo.getInputStream(), StandardCharsets.UTF_8));
        for (String line; (line = r.readLine()) != null && !line.equals("ready"); ) {
            String[] w = line.split(" ", 3);
            switch (w[0]) {
                case "fd" -> FDS.put(w[1], Integer.parseInt(w[2]));
                case "fact" -> FACTS.put(w[1], w[2]);
                case "skip" -> SKIPPED.put(w[1], Integer.parseInt(w[2]));
                default -> throw new AssertionError("the zoo said " + line);
            }
        }
        assertTrue(zoo.isAlive(), "the zoo exited before it was ready");
    }

    @AfterAll
    static void stopZoo() throws Exception {
        zoo.getOutputStream().close();
        if (!zoo.waitFor(10, TimeUnit.SECONDS)) zoo.destroyForcibly().waitFor();
    }

    @Test
    void everyFieldAgreesWithLsfd() throws Exception {
        String lsfd = lsfd();
        FdTable table = Fds.list(zoo.pid());
        List<Map<String, String>> rows = lsfdRows(lsfd, zoo.pid(),
                "ASSOC,MODE,TYPE,FLAGS,POS,INODE,MNTID,DELETED,NAME,PROTONAME,NLINK");
        assertSameDescriptors(rows, table);
        for (Map<String, String> row : rows) {
            FdInfo f = table.get(Integer.parseInt(row.get("assoc"))).orElseThrow();
            String what = "fd " + f.fd() + " (" + f + "), lsfd said " + row;
            assertCommonFieldsAgree(row, f, what);
            if (f.kind().isSocket()) {
                // lsfd 2.38 names a socket by its sockfs protocol name and inode.
                assertEquals(row.get("protoname") + ":[" + f.inode() + "]", row.get("name"), what);
                assertEquals(f.kind(), kindOfLsfdProtocol(row.get("protoname")), what);
            } else {
                assertEquals(row.get("name"), f.target(), what);
            }
        }
    }

    /**
     * The same comparison with the newest lsfd Debian has, trixie's util-linux 2.41, fetched by
     * src/test/scripts/lsfd-trixie.sh into target/ without touching the system; and its per-kind columns (socket
     * type and state, unix path, eventfd id, epoll targets, signalfd mask, timerfd clock and interval, pidfd pid,
     * inotify inodes as inode and device numbers) against fdkit's attributes of the same name.
     */
    @Test
    void everyFieldAndPerKindColumnAgreesWithLsfd241() throws Exception {
        String lsfd = lsfd241();
        FdTable table = Fds.list(zoo.pid());
        List<Map<String, String>> rows = lsfdRows(lsfd, zoo.pid(), "ASSOC,MODE,TYPE,FLAGS,POS,INODE,MNTID,DELETED,"
                + "NAME,NLINK,SOCK.PROTONAME,SOCK.TYPE,SOCK.STATE,UNIX.PATH,EVENTFD.ID,EVENTPOLL.TFDS,SIGNALFD.MASK,"
                + "TIMERFD.CLOCKID,TIMERFD.INTERVAL,PIDFD.PID,INOTIFY.INODES.RAW");
        assertSameDescriptors(rows, table);
        int perKind = 0;
        for (Map<String, String> row : rows) {
            FdInfo f = table.get(Integer.parseInt(row.get("assoc"))).orElseThrow();
            String what = "fd " + f.fd() + " (" + f + "), lsfd 2.41 said " + row;
            assertCommonFieldsAgree(row, f, what);
            if (f.kind().isSocket()) {
                assertEquals(f.kind(), kindOfLsfdProtocol(row.get("sock.protoname")), what);
                if (f.kind() == FdKind.UNIX) {
                    assertEquals(f.attribute("SOCK.TYPE"), row.get("sock.type"), what);
                    assertEquals(f.attribute("SOCK.STATE"), row.get("sock.state"), what);
                    assertEquals(Objects.toString(f.socket().localAddress(), ""),
                            Objects.toString(row.get("unix.path"), ""), what);
                    perKind++;
                } else if (f.kind() == FdKind.TCP || f.kind() == FdKind.TCP6) {
                    assertEquals(f.attribute("SOCK.TYPE"), row.get("sock.type"), what);
                    assertEquals(f.attribute("SOCK.STATE"), row.get("sock.state"), what);
                    perKind++;
                }
            } else if (f.kind().isAnonInode()) {
                for (String column : List.of("EVENTFD.ID", "EVENTPOLL.TFDS", "SIGNALFD.MASK", "TIMERFD.CLOCKID",
                        "TIMERFD.INTERVAL", "PIDFD.PID", "INOTIFY.INODES")) {
                    // fdkit's INOTIFY.INODES is "inode,major:minor" (lsfd 2.39's form); 2.41 writes that as
                    // INOTIFY.INODES.RAW "inode@major:minor", its INOTIFY.INODES names the device instead.
                    boolean inotify = column.equals("INOTIFY.INODES");
                    String theirs = row.get(inotify ? "inotify.inodes.raw" : column.toLowerCase(java.util.Locale.ROOT));
                    if (inotify && theirs != null) theirs = theirs.replace('@', ',');
                    if (theirs == null || theirs.isEmpty()) continue;
                    String ours = f.attribute(column);
                    if (column.equals("TIMERFD.INTERVAL")) {
                        assertEquals(Double.parseDouble(theirs), Double.parseDouble(ours), 1e-9, what);
                    } else {
                        assertEquals(theirs, ours, column + " of " + what);
                    }
                    perKind++;
                }
            } else if (f.deleted()) {
                // lsfd 2.41 takes "(deleted)" off an unlinked file's name and leaves the blank before it.
                assertEquals(f.path() + " ", row.get("name"), what);
            } else {
                assertEquals(row.get("name"), f.target(), what);
            }
        }
        assertTrue(perKind >= 10, "per-kind columns compared: " + perKind);
    }

    private static void assertSameDescriptors(List<Map<String, String>> rows, FdTable table) {
        TreeSet<Integer> theirs = new TreeSet<>(), ours = new TreeSet<>();
        for (Map<String, String> row : rows) theirs.add(Integer.parseInt(row.get("assoc")));
        for (FdInfo f : table) ours.add(f.fd());
        assertEquals(theirs, ours, "the same descriptors");
    }

    /**
     * What lsfd 2.38 and 2.41 both show, the same way; but for TYPE, which 2.41 gives sockets as their protocol
     * name (as SOCK.PROTONAME) and anon inodes as their class ("eventfd", ...; UNKN for the rest).
     */
    private static void assertCommonFieldsAgree(Map<String, String> row, FdInfo f, String what) {
        assertEquals(row.get("mode"), lsfdMode(f), what);
        if (row.containsKey("sock.protoname") && f.kind().isSocket()) {
            assertEquals(row.get("sock.protoname"), row.get("type"), what);
        } else if (row.containsKey("sock.protoname") && f.kind().isAnonInode()) {
            assertTrue(row.get("type").equals("UNKN") || row.get("type").equals(f.kind().label()), what);
        } else {
            assertEquals(row.get("type"), lsfdType(f), what);
        }
        String flags = row.get("flags") == null ? "" : row.get("flags");
        assertEquals(List.of(flags.split(",")).contains("cloexec"), f.closeOnExec(), what);
        assertEquals(List.of(flags.split(",")).contains("append"), (f.openFlags() & 02000) != 0, what);
        assertEquals(Long.parseLong(row.get("pos")), f.position(), what);
        assertEquals(Long.parseLong(row.get("inode")), f.inode(), what);
        assertEquals(Integer.parseInt(row.get("mntid")), f.mountId(), what);
        assertEquals(Boolean.parseBoolean(row.get("deleted")), f.deleted(), what);
        assertEquals(row.get("nlink").equals("0") && f.target().startsWith("/"), f.deleted(), what);
    }

    @Test
    void hostileNamesAreExact() throws Exception {
        FdTable t = Fds.list(zoo.pid());
        FdInfo weird = t.get(FDS.get("weird")).orElseThrow();
        assertEquals(dir.resolve("weird (deleted)").toString(), weird.target());
        assertFalse(weird.deleted(), "a file named '... (deleted)' that exists is not deleted");
        assertEquals(weird.target(), weird.path());
        FdInfo gone = t.get(FDS.get("deleted")).orElseThrow();
        assertTrue(gone.deleted());
        assertEquals(dir.resolve("gone.txt").toString(), gone.path());
        assertEquals(dir.resolve("new\nline").toString(), t.get(FDS.get("newline")).orElseThrow().target());
        assertEquals(FdKind.UDPLITE, t.get(FDS.get("udplite")).orElseThrow().kind());
        assertEquals(FdKind.UDPLITE6, t.get(FDS.get("udplite6")).orElseThrow().kind());
        // Not bound, so in no /proc/net table yet: named by the socket filesystem's protocol name.
        assertEquals("protocol UDP-Lite", t.get(FDS.get("udplite")).orElseThrow().detail());
        if (FDS.containsKey("icmp")) assertEquals(FdKind.ICMP, t.get(FDS.get("icmp")).orElseThrow().kind());
        assertEquals(FdKind.NETLINK, t.get(FDS.get("netlink")).orElseThrow().kind());
    }

    @Test
    void perKindAttributesSayWhatTheChildSetUp() throws Exception {
        FdTable t = Fds.list(zoo.pid());
        FdInfo ep = t.get(FDS.get("epoll")).orElseThrow();
        assertEquals(Math.min(FDS.get("eventfd"), FDS.get("timerfd")) + "\n"
                + Math.max(FDS.get("eventfd"), FDS.get("timerfd")), ep.attribute("EVENTPOLL.TFDS"));
        FdInfo timer = t.get(FDS.get("timerfd")).orElseThrow();
        assertEquals("monotonic", timer.attribute("TIMERFD.CLOCKID"));
        assertEquals("1.500000000", timer.attribute("TIMERFD.INTERVAL"));
        double remaining = Double.parseDouble(timer.attribute("TIMERFD.REMAINING"));
        assertTrue(remaining > 0 && remaining <= 100, timer.toString());
        assertEquals("USR1", t.get(FDS.get("signalfd")).orElseThrow().attribute("SIGNALFD.MASK"));
        long dirInode = (long) Files.getAttribute(dir, "unix:ino");
        String inodes = t.get(FDS.get("inotify")).orElseThrow().attribute("INOTIFY.INODES");
        assertNotNull(inodes);
        assertTrue(inodes.startsWith(dirInode + ","), inodes);
        assertEquals(Long.toString(zoo.pid()), t.get(FDS.get("pidfd")).orElseThrow().attribute("PIDFD.PID"));
        String eventfdId = t.get(FDS.get("eventfd")).orElseThrow().attribute("EVENTFD.ID");
        if (eventfdId != null) assertTrue(eventfdId.matches("\\d+"), eventfdId);
        String pid = Long.toString(zoo.pid());
        assertEquals("FLOCK WRITE 0-EOF pid " + pid, t.get(FDS.get("flock")).orElseThrow().attribute("LOCKS"));
        FdInfo posix = t.all().stream().filter(f -> f.target().endsWith("/posix.lock")).findFirst().orElseThrow();
        assertEquals("POSIX WRITE 0-EOF pid " + pid, posix.attribute("LOCKS"));
        if (!SKIPPED.containsKey("ofd-lock")) {
            assertEquals("OFDLCK READ 2-5 pid -1", t.get(FDS.get("ofd")).orElseThrow().attribute("LOCKS"));
        }
        assertEquals(null, t.get(FDS.get("file")).orElseThrow().attribute("LOCKS"));
    }

    @Test
    void endpointsNameTheOtherEndsOfAPipe() throws Exception {
        FdTable t = Endpoints.of(Fds.list(zoo.pid()));
        String comm = Files.readString(Path.of("/proc/" + zoo.pid() + "/comm")).strip();
        assertEquals(zoo.pid() + "," + comm + "," + FDS.get("pipe-write") + "-w",
                t.get(FDS.get("pipe-read")).orElseThrow().attribute("ENDPOINTS"));
        assertEquals(zoo.pid() + "," + comm + "," + FDS.get("pipe-read") + "r-",
                t.get(FDS.get("pipe-write")).orElseThrow().attribute("ENDPOINTS"));
        assertEquals(null, t.get(FDS.get("file")).orElseThrow().attribute("ENDPOINTS"));
    }

    static String lsfdMode(FdInfo f) {
        return switch (f.access()) {
            case READ -> "r--";
            case WRITE -> "-w-";
            case READ_WRITE -> "rw-";
            default -> "---";
        };
    }

    static String lsfdType(FdInfo f) {
        if (f.kind().isSocket()) return "SOCK";
        if (f.kind().isAnonInode()) return "UNKN";
        return switch (f.kind()) {
            case FILE, MEMFD -> "REG";
            case DIRECTORY -> "DIR";
            case CHAR_DEVICE -> "CHR";
            case BLOCK_DEVICE -> "BLK";
            case PIPE, FIFO -> "FIFO";
            case SYMLINK -> "LINK";
            default -> "?";
        };
    }

    static FdKind kindOfLsfdProtocol(String name) {
        if (name.startsWith("UNIX")) return FdKind.UNIX; // lsfd 2.38 appends the type: UNIX-STREAM
        return ProcLister.kindOfProtocol(name);
    }

    /** lsfd's path, installing util-linux first where that is possible; skips the test where it is not. */
    static String lsfd() throws IOException, InterruptedException {
        for (String d : System.getenv().getOrDefault("PATH", "/usr/bin:/bin").split(":")) {
            if (!d.isEmpty() && Files.isExecutable(Path.of(d, "lsfd"))) return Path.of(d, "lsfd").toString();
        }
        boolean root = "0".equals(new String(new ProcessBuilder("id", "-u").start().getInputStream()
                .readAllBytes(), StandardCharsets.US_ASCII).strip());
        if (root && Files.isExecutable(Path.of("/usr/bin/apt-get"))) {
            Process p = new ProcessBuilder("apt-get", "install", "-y", "-q", "util-linux")
                    .redirectErrorStream(true).redirectOutput(ProcessBuilder.Redirect.DISCARD).start();
            if (!p.waitFor(300, TimeUnit.SECONDS)) p.destroyForcibly().waitFor();
            if (Files.isExecutable(Path.of("/usr/bin/lsfd"))) return "/usr/bin/lsfd";
        }
        assumeTrue(false, "lsfd is not installed and could not be (Debian: apt-get install util-linux, 2.38 or "
                + "newer ships it): the comparison with lsfd is skipped");
        return null;
    }

    /**
     * Trixie's lsfd (util-linux 2.41) from src/test/scripts/lsfd-trixie.sh, which fetches it into target/ once;
     * skips the test, saying why, where it cannot be had (no apt-get or dpkg-deb, the archive unreachable).
     */
    static String lsfd241() throws IOException, InterruptedException {
        Path script = Path.of("src/test/scripts/lsfd-trixie.sh").toAbsolutePath();
        assumeTrue(Files.isRegularFile(script), "no " + script + ": the comparison with lsfd 2.41 is skipped");
        Path log = Files.createTempFile(dir, "lsfd-trixie", ".log");
        Process p = new ProcessBuilder("bash", script.toString(), Path.of("target/lsfd-trixie").toAbsolutePath()
                .toString()).redirectError(log.toFile()).start();
        String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8).strip();
        if (!p.waitFor(300, TimeUnit.SECONDS)) p.destroyForcibly().waitFor();
        String why = Files.readString(log).strip();
        assumeTrue(p.exitValue() == 0, "trixie's lsfd (util-linux 2.41) could not be fetched, so the comparison "
                + "with it is skipped: " + why);
        String wrapper = out.substring(out.lastIndexOf('\n') + 1);
        assertTrue(why.contains("util-linux 2.4"), "the fetched lsfd says " + why);
        return wrapper;
    }

    /** lsfd -J's rows for the descriptors of {@code pid} (those whose ASSOC is a number), each as key to value. */
    static List<Map<String, String>> lsfdRows(String lsfd, long pid, String columns)
            throws IOException, InterruptedException {
        Process p = new ProcessBuilder(lsfd, "-p", Long.toString(pid), "-J", "-o", columns)
                .redirectError(ProcessBuilder.Redirect.INHERIT).start();
        String json = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        assertTrue(p.waitFor(60, TimeUnit.SECONDS));
        assertEquals(0, p.exitValue(), json);
        List<Map<String, String>> rows = new ArrayList<>();
        for (Map<String, String> row : FlatJson.objects(json)) {
            if (row.get("assoc") != null && row.get("assoc").matches("\\d+")) rows.add(row);
        }
        return rows;
    }
}
