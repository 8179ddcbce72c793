package dev.fdkit.cli;

import dev.fdkit.FdInfo;
import dev.fdkit.Fds;
import dev.fdkit.spawn.FdProcessBuilder;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.nio.channels.ServerSocketChannel;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

/**
 * Socket activation end to end, with the real tools: systemd-socket-activate (Debian's systemd) starting JVMs that
 * serve HTTP on {@code ListenFds.inherited()}, and a C server written against libsystemd (sd_listen_fds,
 * sd_is_socket_inet) started by {@code fdkit exec --listen} and by {@code FdProcessBuilder.listenFd}. Each is
 * answered by a real HTTP request over loopback. bin/test installs the tools (bin/lib/test-deps.sh); where they
 * are missing, the tests are skipped with the reason.
 */
class SocketActivationTest {
    private static final String ACTIVATE = "/usr/bin/systemd-socket-activate";
    private static final Path SD_DAEMON_H = Path.of("/usr/include/systemd/sd-daemon.h");

    @TempDir
    static Path dir;
    private static Path sdHttp;

    @BeforeAll
    static void buildTheCServer() throws Exception {
        if (!Files.exists(SD_DAEMON_H)) return;
        sdHttp = dir.resolve("sd_http");
        Process cc = new ProcessBuilder("gcc", "-O2", "-Wall", "-Werror", "-o", sdHttp.toString(),
                Path.of("src/test/c/sd_http.c").toAbsolutePath().toString(), "-lsystemd")
                .redirectErrorStream(true).start();
        String out = new String(cc.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        assertEquals(0, cc.waitFor(), "gcc sd_http.c: " + out);
    }

    private static void assumeActivateTool() {
        assumeTrue(Files.isExecutable(Path.of(ACTIVATE)), ACTIVATE + " is missing: install Debian's systemd "
                + "(bin/test does, through bin/lib/test-deps.sh)");
    }

    private static void assumeLibsystemd() {
        assumeTrue(sdHttp != null, SD_DAEMON_H + " is missing: install Debian's libsystemd-dev "
                + "(bin/test does, through bin/lib/test-deps.sh)");
    }

    @Test
    void systemdSocketActivateStartsANettyEpollServer() throws Exception {
        assumeActivateTool();
        String body = activateAndGet(javaCommand(ActivatedServers.class.getName(), "netty"));
        assertEquals("netty server: fd=3 name=unknown family=inet type=stream listening=true", body.strip());
    }

    @Test
    void systemdSocketActivateStartsAnInheritedChannelServer() throws Exception {
        assumeActivateTool();
        String body = activateAndGet(javaCommand(ActivatedServers.class.getName(), "inherited-channel"));
        assertEquals("inherited-channel server: fd=3 name=unknown family=inet type=stream listening=true",
                body.strip());
    }

    /**
     * systemd-socket-activate gives the CLI descriptor 3; fdkit exec --listen hands it on to the C server. The
     * CLI runs as bin/fdkit starts it: FDKIT_CALLER_FDS names the descriptors its caller handed over.
     */
    @Test
    void fdkitExecListenStartsALibsystemdServer() throws Exception {
        assumeActivateTool();
        assumeLibsystemd();
        List<String> cmd = new ArrayList<>(List.of("-E", "FDKIT_CALLER_FDS=3"));
        cmd.addAll(javaCommand(Main.class.getName(), "exec", "--listen", "3=http", "--", sdHttp.toString()));
        String body = activateAndGet(cmd);
        assertEquals("libsystemd server: sd_listen_fds=1 name=http listening inet stream", body.strip());
    }

    /**
     * Activated, the CLI has LISTEN_* describing its own descriptor 3; a command it execs without --listen does
     * not get that socket, so it must not get the variables either (else sd_listen_fds would hand it a stale 3).
     */
    @Test
    void fdkitExecWithoutListenPassesNoListenVariables() throws Exception {
        assumeActivateTool();
        int port = freePort();
        List<String> cmd = new ArrayList<>(List.of(ACTIVATE, "-l", "127.0.0.1:" + port));
        cmd.addAll(javaCommand(Main.class.getName(), "exec", "--", "sh", "-c",
                "echo \"child: LISTEN_PID=${LISTEN_PID-unset} LISTEN_FDS=${LISTEN_FDS-unset}\""));
        Process p = new ProcessBuilder(cmd).redirectErrorStream(true).start();
        p.getOutputStream().close();
        try {
            connectOnce(port); // the first connection starts the command
            assertTrue(p.waitFor(60, TimeUnit.SECONDS), "the activated command did not exit");
            String log = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
            assertTrue(log.contains("child: LISTEN_PID=unset LISTEN_FDS=unset"), log);
        } finally {
            p.destroyForcibly();
            p.waitFor(10, TimeUnit.SECONDS);
        }
    }

    @Test
    void fdProcessBuilderListenFdStartsALibsystemdServer() throws Exception {
        assumeLibsystemd();
        try (ServerSocketChannel server = ServerSocketChannel.open()) {
            server.bind(new InetSocketAddress(InetAddress.getLoopbackAddress(), 0), 8);
            int port = ((InetSocketAddress) server.getLocalAddress()).getPort();
            int fd = listeningFd(port);
            Process p = new FdProcessBuilder(sdHttp.toString()).listenFd(fd, "http").redirectErrorStream(true)
                    .start();
            try {
                String body = get(port);
                assertTrue(p.waitFor(30, TimeUnit.SECONDS), "the server did not exit after answering");
                assertEquals(0, p.exitValue(), new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8));
                assertEquals("libsystemd server: sd_listen_fds=1 name=http listening inet stream", body.strip());
            } finally {
                p.destroyForcibly();
            }
        }
    }

    /** The descriptor of this JVM's listening TCP socket on {@code port}, found with fdkit's own listing. */
    private static int listeningFd(int port) throws IOException {
        for (FdInfo f : Fds.list()) {
            if (f.socket() != null && f.socket().localPort() == port && "LISTEN".equals(f.socket().state())) {
                return f.fd();
            }
        }
        throw new AssertionError("no listening socket on port " + port + " in " + Fds.list());
    }

    private static List<String> javaCommand(String main, String... args) {
        List<String> cmd = new ArrayList<>(List.of(ProcessHandle.current().info().command().orElseThrow(),
                "--enable-native-access=ALL-UNNAMED", "-XX:TieredStopAtLevel=1", "-cp",
                System.getProperty("java.class.path"), main));
        cmd.addAll(List.of(args));
        return cmd;
    }

    /**
     * Runs {@code command} (which may start with systemd-socket-activate's own options) under
     * systemd-socket-activate on a free loopback port, sends one HTTP request, and
     * returns the response body after checking the status and that the server exited 0.
     */
    private static String activateAndGet(List<String> command) throws Exception {
        int port = freePort();
        List<String> cmd = new ArrayList<>(List.of(ACTIVATE, "-l", "127.0.0.1:" + port));
        cmd.addAll(command);
        Process p = new ProcessBuilder(cmd).redirectErrorStream(true).start();
        p.getOutputStream().close();
        try {
            String body = get(port);
            boolean exited = p.waitFor(60, TimeUnit.SECONDS);
            String log = exited ? new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8) : "";
            assertTrue(exited, "the activated server did not exit after answering");
            assertEquals(0, p.exitValue(), log);
            return body;
        } finally {
            p.destroyForcibly();
            p.waitFor(10, TimeUnit.SECONDS);
        }
    }

    /** A loopback port that was free a moment ago; systemd-socket-activate binds it next. */
    private static int freePort() throws IOException {
        try (ServerSocket probe = new ServerSocket(0, 1, InetAddress.getLoopbackAddress())) {
            return probe.getLocalPort();
        }
    }

    /** Connects once, retrying while the listener comes up, and closes. */
    private static void connectOnce(int port) throws Exception {
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(30);
        while (true) {
            try (Socket s = new Socket()) {
                s.connect(new InetSocketAddress(InetAddress.getLoopbackAddress(), port), 1000);
                return;
            } catch (java.net.ConnectException e) {
                if (System.nanoTime() > deadline) throw e;
                Thread.sleep(50);
            }
        }
    }

    /** GET / over loopback, retrying the connect while the listener comes up; the body of a 200 response. */
    private static String get(int port) throws Exception {
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(30);
        while (true) {
            try (Socket s = new Socket()) {
                s.connect(new InetSocketAddress(InetAddress.getLoopbackAddress(), port), 1000);
                s.setSoTimeout(60_000); // the JVM behind it starts on the first connection
                OutputStream out = s.getOutputStream();
                out.write("GET / HTTP/1.0\r\nHost: localhost\r\n\r\n".getBytes(StandardCharsets.US_ASCII));
                out.flush();
                InputStream in = s.getInputStream();
                String response = new String(in.readAllBytes(), StandardCharsets.UTF_8);
                assertTrue(response.startsWith("HTTP/1.0 200 OK\r\n"), response);
                return response.substring(response.indexOf("\r\n\r\n") + 4);
            } catch (java.net.ConnectException e) {
                if (System.nanoTime() > deadline) throw e;
                Thread.sleep(50);
            }
        }
    }
}
