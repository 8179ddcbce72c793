package dev.fdkit.junit;

import dev.fdkit.internal.FdCalls;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

import java.io.Closeable;
import java.io.FileInputStream;
import java.io.IOException;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.nio.channels.Pipe;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;

/** Test classes that leak on purpose, run by {@link LeakCheckExtensionTest} and {@link GlobalSwitchTest}. */
final class Fixtures {
    private Fixtures() {}

    /** What the fixtures leaked, for the inspecting test to close afterwards. */
    static final List<Closeable> LEAKED = new CopyOnWriteArrayList<>();
    /** Facts the inspecting test checks the message against: "file", "client port", "server port". */
    static final List<String> FACTS = new CopyOnWriteArrayList<>();

    static void closeLeaked() throws IOException {
        for (Closeable c : LEAKED) c.close();
        LEAKED.clear();
        FACTS.clear();
    }

    /** A server for the socket leaks, opened outside any test so its own descriptor is never a candidate. */
    abstract static class WithServer {
        static ServerSocket server;

        @BeforeAll
        static void openServer() throws IOException {
            server = new ServerSocket(0, 50, InetAddress.getLoopbackAddress());
        }

        @AfterAll
        static void closeServer() throws IOException {
            server.close();
        }

        /** A client socket connected to the server; the accepted end goes to {@code accepted}. */
        static Socket connectedClient(List<Closeable> accepted) throws IOException {
            Socket client = new Socket(InetAddress.getLoopbackAddress(), server.getLocalPort());
            accepted.add(server.accept());
            return client;
        }
    }

    /** Opens a FileInputStream, a socket and a pipe, and closes none of them. */
    static void leakThree(Path dir) throws IOException {
        Path f = Files.writeString(dir.resolve("leaked-file.txt"), "x");
        FileInputStream in = new FileInputStream(f.toFile());
        Socket s = WithServer.connectedClient(LEAKED); // the accepted end leaks too: an ESTABLISHED pair
        Pipe p = Pipe.open();
        LEAKED.add(in);
        LEAKED.add(s);
        LEAKED.add(p.source());
        LEAKED.add(p.sink());
        FACTS.add(f.toString());
        FACTS.add(Integer.toString(s.getLocalPort()));
        FACTS.add(Integer.toString(s.getPort()));
    }

    @FixtureOnly
    @LeakCheck
    static class LeaksThree extends WithServer {
        @Test
        void leaksAFileStreamASocketAndAPipe(@org.junit.jupiter.api.io.TempDir Path dir) throws IOException {
            leakThree(dir);
        }
    }

    @FixtureOnly
    @LeakCheck
    static class Clean extends WithServer {
        @Test
        void closesEverything(@org.junit.jupiter.api.io.TempDir Path dir) throws IOException {
            Path f = Files.writeString(dir.resolve("f"), "x");
            List<Closeable> accepted = new ArrayList<>();
            try (FileInputStream in = new FileInputStream(f.toFile()); Socket s = connectedClient(accepted);
                 Closeable peer = accepted.getFirst()) {
                Pipe p = Pipe.open();
                p.source().close();
                p.sink().close();
                in.read();
                s.getOutputStream().write(1);
            }
        }

        @Test
        void opensNothing() {
            // even an empty test is listed twice
        }
    }

    /** No class annotation: checked only where the method says so, or where the global switch is on. */
    @FixtureOnly
    static class Unannotated extends WithServer {
        @Test
        void leaksUnchecked(@org.junit.jupiter.api.io.TempDir Path dir) throws IOException {
            leakThree(dir);
        }
    }

    @FixtureOnly
    static class MethodAnnotated {
        @Test
        @LeakCheck
        void checkedLeak() {
            LEAKED.add(rawPipe());
        }

        @Test
        void uncheckedLeak() {
            LEAKED.add(rawPipe());
        }
    }

    @FixtureOnly
    @LeakCheck
    static class OptOut {
        @Test
        @LeakCheck(mode = LeakCheck.Mode.OFF)
        void exempted() {
            LEAKED.add(rawPipe());
        }
    }

    @FixtureOnly
    @LeakCheck(ignore = "^file .*/ignored-[^/]*$")
    static class Ignoring {
        @Test
        void leaksOnlyAnIgnoredFile(@org.junit.jupiter.api.io.TempDir Path dir) throws IOException {
            LEAKED.add(new FileInputStream(Files.writeString(dir.resolve("ignored-by-pattern"), "x").toFile()));
        }

        @Test
        void leaksAFileTheConfigurationIgnores(@org.junit.jupiter.api.io.TempDir Path dir) throws IOException {
            LEAKED.add(new FileInputStream(Files.writeString(dir.resolve("spared-by-config"), "x").toFile()));
        }
    }

    /** Drops a FileInputStream unclosed and unreachable; a Cleaner closes it after a GC. */
    static void dropUnclosed(Path dir) throws IOException {
        Path f = Files.writeString(dir.resolve("dropped.txt"), "x");
        FACTS.add(f.toString());
        new FileInputStream(f.toFile()).read();
    }

    @FixtureOnly
    @LeakCheck(mode = LeakCheck.Mode.GC_FIRST)
    static class GcForgives {
        @Test
        void dropsAStream(@org.junit.jupiter.api.io.TempDir Path dir) throws IOException {
            dropUnclosed(dir);
        }

        @Test
        void keepsAStreamReachable(@org.junit.jupiter.api.io.TempDir Path dir) throws IOException {
            LEAKED.add(new FileInputStream(Files.writeString(dir.resolve("kept.txt"), "x").toFile()));
        }
    }

    @FixtureOnly
    @LeakCheck(mode = LeakCheck.Mode.REPORT_UNREACHABLE)
    static class GcReports {
        @Test
        void dropsAStream(@org.junit.jupiter.api.io.TempDir Path dir) throws IOException {
            dropUnclosed(dir);
        }
    }

    /** The test ends while another thread still holds a socket open for a moment: settling waits for it. */
    @FixtureOnly
    @LeakCheck(settleMillis = 5000)
    static class ClosedLateByAnotherThread extends WithServer {
        @Test
        void handsASocketToAThreadThatClosesItSoon() throws IOException {
            List<Closeable> accepted = new ArrayList<>();
            Socket s = connectedClient(accepted);
            Thread.ofPlatform().start(() -> {
                try {
                    Thread.sleep(50);
                    s.close();
                    accepted.getFirst().close();
                } catch (Exception ignored) {
                    // the check would report it
                }
            });
        }
    }

    /** A test whose descriptors the JDK opens at first use of a socket: only the warm-up keeps them off its bill. */
    @FixtureOnly
    @LeakCheck
    static class FirstSocketInTheJvm {
        @Test
        void usesSocketsProperly() throws IOException {
            try (ServerSocket server = new ServerSocket(0, 1, InetAddress.getLoopbackAddress());
                 Socket s = new Socket(InetAddress.getLoopbackAddress(), server.getLocalPort());
                 Socket accepted = server.accept()) {
                s.getOutputStream().write(1);
                accepted.getInputStream().read();
            }
        }
    }

    /** The classic class-loader leak: a jar opened and never closed (a URLClassLoader holds its JarFiles so). */
    @FixtureOnly
    @LeakCheck
    static class LeaksAJarFile {
        @Test
        void opensAJarAndKeepsIt(@org.junit.jupiter.api.io.TempDir Path dir) throws IOException {
            Path jar = dir.resolve("plugin.jar");
            try (java.util.jar.JarOutputStream out = new java.util.jar.JarOutputStream(Files.newOutputStream(jar))) {
                out.putNextEntry(new java.util.jar.JarEntry("x.txt"));
                out.write('x');
            }
            java.util.jar.JarFile jf = new java.util.jar.JarFile(jar.toFile());
            LEAKED.add(jf);
            FACTS.add(jar.toString());
        }
    }

    /**
     * An HttpClient used once and dropped without close(): its connection, selector and wake-up pipe close only
     * after a collection, when its selector thread notices (within jdk.internal.httpclient.selectorTimeout).
     */
    @FixtureOnly
    @LeakCheck(mode = LeakCheck.Mode.REPORT_UNREACHABLE)
    static class DropsAnHttpClient {
        static com.sun.net.httpserver.HttpServer server;

        @BeforeAll
        static void startServer() throws IOException {
            server = com.sun.net.httpserver.HttpServer.create(
                    new java.net.InetSocketAddress(InetAddress.getLoopbackAddress(), 0), 0);
            server.createContext("/", exchange -> {
                byte[] body = "ok".getBytes(java.nio.charset.StandardCharsets.US_ASCII);
                exchange.sendResponseHeaders(200, body.length);
                exchange.getResponseBody().write(body);
                exchange.close();
            });
            server.start();
        }

        @AfterAll
        static void stopServer() {
            server.stop(0);
        }

        @Test
        void usesAClientAndDropsIt() throws Exception {
            java.net.http.HttpClient client = java.net.http.HttpClient.newHttpClient();
            java.net.URI uri = java.net.URI.create("http://" + server.getAddress().getHostString() + ":"
                    + server.getAddress().getPort() + "/");
            String body = client.send(java.net.http.HttpRequest.newBuilder(uri).build(),
                    java.net.http.HttpResponse.BodyHandlers.ofString()).body();
            if (!body.equals("ok")) throw new AssertionError(body);
        }
    }

    /** A Cleaner whose actions take their time, as a cleaner thread does on a loaded machine. */
    static final java.lang.ref.Cleaner SLOW_CLEANER = java.lang.ref.Cleaner.create();

    /** Drops an owner whose descriptors its Cleaner closes only 700 ms after the owner is collected. */
    @FixtureOnly
    @LeakCheck(mode = LeakCheck.Mode.REPORT_UNREACHABLE)
    static class DropsSlowlyCleaned {
        @Test
        void dropsAnOwnerWithASlowCleaner() {
            Closeable pipe = rawPipe();
            SLOW_CLEANER.register(new Object(), () -> {
                try {
                    Thread.sleep(700);
                    pipe.close();
                } catch (Exception e) {
                    throw new IllegalStateException(e);
                }
            });
        }
    }

    static Closeable rawPipe() {
        int[] err = new int[1];
        int[] p = FdCalls.pipe2(FdCalls.O_CLOEXEC, err);
        if (p == null) throw new IllegalStateException("pipe2 failed: errno " + err[0]);
        List<Integer> ends = new ArrayList<>(List.of(p[0], p[1]));
        return () -> ends.forEach(FdCalls::close);
    }
}
