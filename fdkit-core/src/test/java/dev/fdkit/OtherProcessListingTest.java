package dev.fdkit;

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
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

/** Listing other processes: a child with known descriptors, a pid that does not exist, one we may not inspect. */
class OtherProcessListingTest {
    @TempDir
    Path dir;

    @Test
    void childWithKnownDescriptorsIncludingAConnectedSocket() throws Exception {
        assumeTrue(Files.isExecutable(Path.of("/bin/bash")), "needs bash for /dev/tcp");
        Path data = Files.writeString(dir.resolve("data"), "hello");
        Path scratch = dir.resolve("scratch");
        try (ServerSocketChannel server = ServerSocketChannel.open(StandardProtocolFamily.INET)
                .bind(new InetSocketAddress(InetAddress.getByName("127.0.0.1"), 0))) {
            int port = ((InetSocketAddress) server.getLocalAddress()).getPort();
            Process p = new ProcessBuilder("/bin/bash", "-c",
                    "exec 5<\"$1\" 6<>/dev/tcp/127.0.0.1/$2 7>\"$3\"; rm \"$3\"; echo ready; read x",
                    "child", data.toString(), Integer.toString(port), scratch.toString())
                    .redirectError(ProcessBuilder.Redirect.INHERIT).start();
            try (SocketChannel accepted = server.accept()) {
                String ready = new BufferedReader(new InputStreamReader(p.getInputStream(), StandardCharsets.UTF_8))
                        .readLine();
                assertEquals("ready", ready);
                int childPort = ((InetSocketAddress) accepted.getRemoteAddress()).getPort();

                FdTable t = Fds.list(p.pid());
                assertEquals(p.pid(), t.pid());
                FdInfo file = t.get(5).orElseThrow();
                assertEquals(FdKind.FILE, file.kind());
                assertEquals(data.toString(), file.target());
                assertEquals(AccessMode.READ, file.access());
                FdInfo sock = t.get(6).orElseThrow();
                assertEquals(FdKind.TCP, sock.kind());
                assertEquals("fd 6: tcp 127.0.0.1:" + childPort + " -> 127.0.0.1:" + port + " ESTABLISHED",
                        sock.toString());
                FdInfo gone = t.get(7).orElseThrow();
                assertTrue(gone.deleted(), gone.toString());
                assertEquals(AccessMode.WRITE, gone.access());
                assertEquals(FdKind.PIPE, t.get(0).orElseThrow().kind()); // stdin from ProcessBuilder
                assertEquals(FdKind.PIPE, t.get(1).orElseThrow().kind());
            } finally {
                p.getOutputStream().close();
                assertTrue(p.waitFor(10, TimeUnit.SECONDS));
            }
        }
    }

    /**
     * Where /proc is not procfs (here: a tmpfs over it in a private mount namespace), listing says so and names what
     * still works, instead of "no process with pid N".
     */
    @Test
    void withoutProcTheErrorSaysProcIsMissing() throws Exception {
        assumeTrue(Files.isExecutable(Path.of("/usr/bin/unshare")), "needs unshare(1) (util-linux)");
        String javaHome = System.getProperty("java.home");
        // The launcher finds libjli through /proc/self/exe; without /proc it needs the library path.
        String script = "mount -t tmpfs none /proc || exit 99; export LD_LIBRARY_PATH=\"$1/lib\"; shift; exec \"$@\"";
        List<String> cmd = new java.util.ArrayList<>(List.of("/usr/bin/unshare", "-m", "--propagation", "private",
                "/bin/sh", "-c", script, "sh", javaHome, javaHome + "/bin/java", "--enable-native-access=ALL-UNNAMED",
                "-cp", System.getProperty("java.class.path"), ListPidMain.class.getName(), "1"));
        Process p = new ProcessBuilder(cmd).redirectErrorStream(true).start();
        String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        assertTrue(p.waitFor(60, TimeUnit.SECONDS));
        assumeTrue(p.exitValue() != 99 && !out.contains("unshare failed"),
                "a private mount namespace is not allowed here (needs root or CAP_SYS_ADMIN): " + out);
        assertEquals(0, p.exitValue(), out);
        assertTrue(out.contains("self failed dev.fdkit.ProcUnavailableException: "), out);
        assertTrue(out.contains("ProcUnavailableException errno=ENOENT: /proc/1/fd: /proc is not mounted or not "
                + "visible here"), out);
        assertTrue(out.contains("Fds.numbers(), Fds.isOpen(), Fds.highestOpen() and closing still work"), out);
        assertFalse(out.contains("no process with pid"), out);
    }

    @Test
    void missingPidIsProcessNotFound() throws Exception {
        Process p = new ProcessBuilder("true").start();
        p.waitFor();
        long pid = p.pid(); // reaped by waitFor: the pid is free
        ProcessNotFoundException e = assertThrows(ProcessNotFoundException.class, () -> Fds.list(pid));
        assertTrue(e.getMessage().contains("no process with pid " + pid), e.getMessage());
        assertThrows(ProcessNotFoundException.class, () -> Fds.list(Integer.MAX_VALUE)); // above any pid_max
    }

    @Test
    void forbiddenPidIsAccessDenied() throws Exception {
        assumeTrue(Files.isExecutable(Path.of("/usr/bin/setpriv")) || Files.isExecutable(Path.of("/bin/setpriv")),
                "needs setpriv(1) to drop privileges in a child");
        assumeTrue(uid() == 0, "needs root to switch to another user");
        // The child JVM runs as nobody: its class path may name only directories anyone can read.
        List<String> cp = new ArrayList<>();
        for (Class<?> c : new Class<?>[] {ListPidMain.class, Fds.class}) {
            cp.add(Path.of(c.getProtectionDomain().getCodeSource().getLocation().toURI()).toString());
        }
        List<String> cmd = List.of("setpriv", "--reuid=65534", "--regid=65534", "--clear-groups",
                ProcessHandle.current().info().command().orElseThrow(), "--enable-native-access=ALL-UNNAMED",
                "-XX:-UsePerfData", "-XX:TieredStopAtLevel=1", "-cp", String.join(":", cp),
                ListPidMain.class.getName(), "1");
        Process p = new ProcessBuilder(cmd).redirectErrorStream(true).start();
        String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        assertTrue(p.waitFor(60, TimeUnit.SECONDS));
        assertTrue(out.contains("self "), "the unprivileged child could not even list itself:\n" + out);
        assertTrue(out.contains("ProcessAccessDeniedException errno=EACCES: not permitted to inspect the "
                + "descriptors of pid 1"), out);
    }

    private static long uid() throws Exception {
        for (String line : Files.readAllLines(Path.of("/proc/self/status"))) {
            if (line.startsWith("Uid:")) return Long.parseLong(line.split("\\s+")[1]);
        }
        return -1;
    }
}
