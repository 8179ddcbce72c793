package dev.fdkit.cli;

import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.BufferedReader;
import java.io.InputStreamReader;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.StandardProtocolFamily;
import java.nio.channels.ServerSocketChannel;
import java.nio.channels.SocketChannel;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.regex.Pattern;
import java.util.concurrent.TimeUnit;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

/** {@code fdkit ls} against a child whose descriptors are known: a file, a TCP connection, a pipe. */
class LsCommandTest {
    @TempDir
    Path dir;

    Path data;
    ServerSocketChannel server;
    SocketChannel accepted;
    Process child;
    int serverPort, childPort;

    @BeforeEach
    void startChild() throws Exception {
        assumeTrue(Files.isExecutable(Path.of("/bin/bash")), "needs bash for /dev/tcp");
        data = Files.writeString(dir.resolve("data.txt"), "0123456789");
        server = ServerSocketChannel.open(StandardProtocolFamily.INET)
                .bind(new InetSocketAddress(InetAddress.getByName("127.0.0.1"), 0));
        serverPort = ((InetSocketAddress) server.getLocalAddress()).getPort();
        // fd 5: the file, read 4 bytes in; fd 6: a connection to our server; fd 7: a pipe's write end (to sleep)
        child = new ProcessBuilder("/bin/bash", "-c",
                "exec 5<\"$1\" 6<>/dev/tcp/127.0.0.1/$2 7> >(sleep 60); read -n 4 x <&5; echo ready; read y",
                "child", data.toString(), Integer.toString(serverPort))
                .redirectError(ProcessBuilder.Redirect.INHERIT).start();
        accepted = server.accept();
        childPort = ((InetSocketAddress) accepted.getRemoteAddress()).getPort();
        String ready = new BufferedReader(new InputStreamReader(child.getInputStream(), StandardCharsets.UTF_8))
                .readLine();
        assertEquals("ready", ready);
    }

    @AfterEach
    void stopChild() throws Exception {
        if (child == null) return;
        child.getOutputStream().close();
        assertTrue(child.waitFor(10, TimeUnit.SECONDS));
        accepted.close();
        server.close();
    }

    private static String row(String out, int fd) {
        return out.lines().filter(l -> l.matches("\\s*" + fd + " .*")).findFirst()
                .orElseThrow(() -> new AssertionError("no row for fd " + fd + " in:\n" + out));
    }

    @Test
    void tableShowsKindModePositionAndName() {
        CapturedRun.Result r = CapturedRun.run("ls", Long.toString(child.pid()));
        assertEquals(0, r.exit(), r.err());
        List<String> lines = r.out().lines().toList();
        assertTrue(lines.getFirst().matches("\\s*FD KIND\\s+MODE\\s+POS\\s+NAME"), lines.getFirst());
        assertTrue(row(r.out(), 5).matches("\\s*5 file\\s+r-\\s+4\\s+" + Pattern.quote(data.toString())),
                row(r.out(), 5));
        assertTrue(row(r.out(), 6).matches("\\s*6 tcp\\s+u-\\s+-\\s+127\\.0\\.0\\.1:" + childPort
                + " -> 127\\.0\\.0\\.1:" + serverPort + " ESTABLISHED"), row(r.out(), 6));
        assertTrue(row(r.out(), 7).matches("\\s*7 pipe\\s+w-\\s+-\\s+pipe:\\[\\d+]"), row(r.out(), 7));
    }

    @Test
    void typeFilterKeepsOnlyThoseKinds() {
        CapturedRun.Result r = CapturedRun.run("ls", Long.toString(child.pid()), "--type", "tcp,pipe");
        assertEquals(0, r.exit(), r.err());
        List<String> rows = r.out().lines().skip(1).toList();
        assertTrue(rows.stream().allMatch(l -> l.matches("\\s*\\d+ (tcp|pipe) .*")), r.out());
        assertTrue(rows.stream().anyMatch(l -> l.matches("\\s*6 tcp .*")), r.out());
        CapturedRun.Result sockets = CapturedRun.run("ls", Long.toString(child.pid()), "--type=socket");
        assertEquals(1, sockets.out().lines().skip(1).count(), sockets.out()); // only fd 6
    }

    @Test
    void summaryCountsPerKind() {
        CapturedRun.Result r = CapturedRun.run("ls", Long.toString(child.pid()), "--summary");
        assertEquals(0, r.exit(), r.err());
        assertTrue(r.out().lines().anyMatch(l -> l.matches("tcp\\s+1")), r.out());
        assertTrue(r.out().lines().anyMatch(l -> l.matches("total\\s+\\d+")), r.out());
        CapturedRun.Result j = CapturedRun.run("ls", Long.toString(child.pid()), "--summary", "--json");
        assertTrue(j.out().startsWith("{\"pid\":" + child.pid() + ",\"total\":"), j.out());
        assertTrue(j.out().contains("\"tcp\":1"), j.out());
    }

    @Test
    void jsonKeepsTheKeysAndAddsSocketDetails() {
        CapturedRun.Result r = CapturedRun.run("ls", Long.toString(child.pid()), "--json");
        assertEquals(0, r.exit(), r.err());
        String sock = r.out().lines().filter(l -> l.contains("\"fd\":6,")).findFirst().orElseThrow();
        assertTrue(sock.matches("\\s*\\{\"fd\":6,\"type\":\"tcp\",\"target\":\"socket:\\[\\d+]\","
                + "\"name\":\"127\\.0\\.0\\.1:" + childPort + " -> 127\\.0\\.0\\.1:" + serverPort
                + " ESTABLISHED\",\"cloexec\":false,.*\"pos\":0,.*\"socket\":\\{\"protocol\":\"tcp\","
                + "\"socket_type\":\"stream\",\"local_address\":\"127\\.0\\.0\\.1\",\"local_port\":" + childPort
                + ",\"remote_address\":\"127\\.0\\.0\\.1\",\"remote_port\":" + serverPort
                + ",\"state\":\"ESTABLISHED\"}},?"), sock);
        String file = r.out().lines().filter(l -> l.contains("\"fd\":5,")).findFirst().orElseThrow();
        assertTrue(file.contains("\"type\":\"file\"") && file.contains("\"pos\":4,")
                && file.contains("\"cloexec\":false"), file);
    }

    @Test
    void columnsChooseWhatTheTableShows() {
        CapturedRun.Result r = CapturedRun.run("ls", Long.toString(child.pid()), "-o", "FD,INODE,deleted,TYPE");
        assertEquals(0, r.exit(), r.err());
        assertTrue(r.out().lines().findFirst().orElseThrow().matches("\\s*FD\\s+INODE DELETED KIND"), r.out());
        assertTrue(row(r.out(), 5).matches("\\s*5\\s+\\d+ 0\\s+file"), row(r.out(), 5));
        // The pipe at 7 goes to the process substitution's sleep: ENDPOINTS names it and its read end.
        CapturedRun.Result e = CapturedRun.run("ls", Long.toString(child.pid()), "--columns", "+ENDPOINTS");
        assertEquals(0, e.exit(), e.err());
        assertTrue(e.out().lines().findFirst().orElseThrow().matches("\\s*FD KIND\\s+MODE\\s+POS\\s+NAME\\s+ENDPOINTS"),
                e.out());
        assertTrue(row(e.out(), 7).matches(".*pipe:\\[\\d+]\\s+.*\\d+,sleep,0r-.*"), row(e.out(), 7));
        CapturedRun.Result bad = CapturedRun.run("ls", "-o", "FD,SIZE");
        assertEquals(2, bad.exit());
        assertTrue(bad.err().contains("--columns: unknown column 'SIZE' (known: FD, KIND,"), bad.err());
    }

    @Test
    void aNewlineInANameStaysOnItsRowInTheTableAndExactInJson() throws Exception {
        Path odd = Files.writeString(dir.resolve("two\nlines (deleted)"), "x");
        Process p = new ProcessBuilder("/bin/bash", "-c", "exec 5<\"$1\"; echo ready; read x", "child", odd.toString())
                .redirectError(ProcessBuilder.Redirect.INHERIT).start();
        try {
            assertEquals("ready", new BufferedReader(new InputStreamReader(p.getInputStream(),
                    StandardCharsets.UTF_8)).readLine());
            CapturedRun.Result r = CapturedRun.run("ls", Long.toString(p.pid()));
            assertEquals(0, r.exit(), r.err());
            String escaped = odd.toString().replace("\n", "\\n");
            assertTrue(row(r.out(), 5).matches("\\s*5 file\\s+r-\\s+0\\s+" + Pattern.quote(escaped)), r.out());
            assertEquals(1, r.out().lines().filter(l -> l.contains("lines (deleted)")).count(), r.out());
            CapturedRun.Result j = CapturedRun.run("ls", Long.toString(p.pid()), "--json");
            String line = j.out().lines().filter(l -> l.contains("\"fd\":5,")).findFirst().orElseThrow();
            assertTrue(line.contains("\"target\":\"" + escaped + "\""), line); // JSON's \n: the exact name
            assertTrue(line.contains("\"deleted\":false"), line);
        } finally {
            p.getOutputStream().close();
            assertTrue(p.waitFor(10, TimeUnit.SECONDS));
        }
    }

    @Test
    void errorsAreOneLineWithTheCause() throws Exception {
        Process gone = new ProcessBuilder("true").start();
        gone.waitFor();
        CapturedRun.Result r = CapturedRun.run("ls", Long.toString(gone.pid()));
        assertEquals(1, r.exit());
        assertTrue(r.err().startsWith("fdkit ls: no process with pid " + gone.pid() + ": "), r.err());
        CapturedRun.Result t = CapturedRun.run("ls", "--type", "sock");
        assertEquals(2, t.exit());
        assertTrue(t.err().contains("unknown descriptor kind 'sock'") && t.err().contains("tcp6"), t.err());
    }

    /**
     * A table of thousands of rows, which two threads format in blocks each takes in turn: one line per descriptor in
     * order, and the columns aligned across the blocks; the widest POS is in the first block, the widest FD in the
     * last.
     */
    @Test
    void largeTableIsOneAlignedLinePerDescriptorInOrder() throws Exception {
        Path big = dir.resolve("offset.txt");
        // The highest descriptor the hard limit allows, five digits, is the last one.
        Process holder = new ProcessBuilder("/bin/bash", "-c", "ulimit -n hard; high=$(($(ulimit -n) - 1))\n"
                + "[ $high -ge 10000 ] || exit 1\n"
                + "exec 3<>\"$1\"; printf '%*s' 123456 '' >&3\n"
                + "for ((i = 0; i < 4200; i++)); do exec {f}</dev/null || exit 1; done\n"
                + "eval \"exec $high</dev/null\"; echo ready $high; read y", "holder", big.toString())
                .redirectError(ProcessBuilder.Redirect.INHERIT).start();
        try {
            String ready = new BufferedReader(new InputStreamReader(holder.getInputStream(), StandardCharsets.UTF_8))
                    .readLine();
            assumeTrue(ready != null && ready.startsWith("ready "),
                    "bash could not hold 4,200 descriptors and one above 10,000 (RLIMIT_NOFILE's hard limit)");
            int high = Integer.parseInt(ready.substring("ready ".length()));
            CapturedRun.Result r = CapturedRun.run("ls", Long.toString(holder.pid()));
            assertEquals(0, r.exit(), r.err());
            List<String> lines = r.out().lines().toList();
            int name = lines.getFirst().indexOf("NAME");
            int previous = -1;
            for (String line : lines.subList(1, lines.size())) {
                assertTrue(line.length() > name && line.charAt(name - 1) == ' ' && line.charAt(name) != ' ',
                        "NAME not at column " + name + ": " + line);
                int fd = Integer.parseInt(line.substring(0, line.indexOf(' ', line.indexOf(line.trim())))
                        .trim());
                assertTrue(fd > previous, "fd " + fd + " after " + previous);
                previous = fd;
            }
            assertTrue(lines.size() > 4200, "rows: " + (lines.size() - 1));
            assertEquals(high, previous);
            assertTrue(row(r.out(), 3).matches("\\s*3 file\\s+u-\\s+123456\\s+" + Pattern.quote(big.toString())),
                    row(r.out(), 3));
        } finally {
            holder.getOutputStream().close();
            assertTrue(holder.waitFor(10, TimeUnit.SECONDS));
        }
    }
}
