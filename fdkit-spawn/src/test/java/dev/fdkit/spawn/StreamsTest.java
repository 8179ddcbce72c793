package dev.fdkit.spawn;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;

import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.nio.charset.StandardCharsets;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** The three pipes: volume in both directions, EOF, and descriptors released when the child is gone. */
class StreamsTest {

    private static long count(InputStream in) throws IOException {
        byte[] buf = new byte[65536];
        long total = 0;
        for (int n; (n = in.read(buf)) >= 0; ) total += n;
        return total;
    }

    /** Both streams are filled at the same time by two writers in the child; one reader thread each. */
    @ParameterizedTest
    @EnumSource(SpawnMechanism.class)
    @Timeout(60)
    void largeStdoutAndStderrAtOnce(SpawnMechanism m) throws Exception {
        Process p = new FdProcessBuilder("sh", "-c",
                "head -c 6000000 /dev/zero >&2 & head -c 9000000 /dev/zero; wait").mechanism(m).start();
        CompletableFuture<Long> err = CompletableFuture.supplyAsync(() -> {
            try {
                return count(p.getErrorStream());
            } catch (IOException e) {
                throw new RuntimeException(e);
            }
        }, r -> Thread.ofPlatform().start(r));
        assertEquals(9_000_000, count(p.getInputStream()));
        assertEquals(6_000_000, err.get(60, TimeUnit.SECONDS));
        assertEquals(0, p.waitFor());
    }

    @Test
    @Timeout(60)
    void redirectErrorStreamMergesIntoStdout() throws Exception {
        Process p = new FdProcessBuilder("sh", "-c", "head -c 3000000 /dev/zero >&2 & head -c 2000000 /dev/zero; wait")
                .redirectErrorStream(true).start();
        assertEquals(5_000_000, count(p.getInputStream()));
        assertEquals(-1, p.getErrorStream().read());
        assertEquals(0, p.waitFor());
    }

    @ParameterizedTest
    @EnumSource(SpawnMechanism.class)
    @Timeout(60)
    void closingStdinGivesEof(SpawnMechanism m) throws Exception {
        Process p = new FdProcessBuilder("wc", "-c").mechanism(m).start();
        byte[] chunk = new byte[100_000];
        try (OutputStream in = p.getOutputStream()) {
            for (int i = 0; i < 30; i++) in.write(chunk); // 3 MB: far more than a pipe holds
        }
        assertEquals("3000000", TestSupport.readAll(p.getInputStream()).trim());
        assertEquals(0, p.waitFor());
    }

    @Test
    @Timeout(60)
    void catEchoesEverything() throws Exception {
        Process p = new FdProcessBuilder("cat").start();
        byte[] data = new byte[1 << 20];
        for (int i = 0; i < data.length; i++) data[i] = (byte) (i * 31 + 7);
        Thread writer = Thread.ofPlatform().start(() -> {
            try (OutputStream out = p.getOutputStream()) {
                out.write(data);
            } catch (IOException e) {
                throw new RuntimeException(e);
            }
        });
        assertArrayEquals(data, p.getInputStream().readAllBytes());
        writer.join();
        assertEquals(0, p.waitFor());
    }

    /** A child whose output nobody read: once it is reaped, its pipes are closed here, and the output kept. */
    @Test
    @Timeout(60)
    void unreadOutputIsKeptAndDescriptorsReleased() throws Exception {
        new FdProcessBuilder("true").start().waitFor(); // warm-up: helper, reaper
        Set<Integer> before = TestSupport.openFds();
        Process p = new FdProcessBuilder("sh", "-c", "echo out; echo err >&2").start();
        assertEquals(0, p.waitFor());
        assertEquals(before, TestSupport.openFds(), "stdin, stdout and stderr pipes released at exit");
        assertEquals("out\n", new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8));
        assertEquals("err\n", new String(p.getErrorStream().readAllBytes(), StandardCharsets.UTF_8));
        assertThrows(IOException.class, () -> {
            p.getOutputStream().write(1);
            p.getOutputStream().flush();
        });
    }

    @Test
    @Timeout(60)
    void closeWhileAnotherThreadReads() throws Exception {
        Process p = new FdProcessBuilder("sleep", "30").start();
        InputStream in = p.getInputStream();
        CompletableFuture<Integer> reader = CompletableFuture.supplyAsync(() -> {
            try {
                return in.read();
            } catch (IOException e) {
                return -2;
            }
        }, r -> Thread.ofPlatform().start(r));
        Thread.sleep(200);
        in.close(); // must not free the number under the blocked read
        p.destroy();
        assertEquals(143, p.waitFor());
        int r = reader.get(30, TimeUnit.SECONDS);
        assertTrue(r == -1 || r == -2, "the reader ends with EOF or 'Stream closed': " + r);
    }
}
