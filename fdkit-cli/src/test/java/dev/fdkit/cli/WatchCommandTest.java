package dev.fdkit.cli;

import dev.fdkit.Fds;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.OutputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.Predicate;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** {@code fdkit watch} on a child that opens and closes a file when told to. */
class WatchCommandTest {
    @TempDir
    Path dir;

    /** Waits until the text so far has a line matching {@code p}; the text then. */
    private static String awaitLine(CapturedRun.Buffer out, Predicate<String> p, String what) throws Exception {
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(20);
        while (System.nanoTime() < deadline) {
            String text = out.text();
            if (text.lines().anyMatch(p)) return text;
            Thread.sleep(10);
        }
        throw new AssertionError("no " + what + " in:\n" + out.text());
    }

    @Test
    void printsOpenedAndClosedUntilTheProcessExits() throws Exception {
        Path f = Files.writeString(dir.resolve("watched.txt"), "x");
        Process child = new ProcessBuilder("/bin/sh", "-c",
                "read a; exec 7<\"$0\"; read b; exec 7<&-; read c", f.toString()).start();
        OutputStream toChild = child.getOutputStream();
        CapturedRun.Buffer out = new CapturedRun.Buffer(), err = new CapturedRun.Buffer();
        AtomicInteger exit = new AtomicInteger(-1);
        // --count bounds the run should the child never exit; the child's exit is what ends it here.
        Thread watcher = Thread.ofPlatform().start(() -> exit.set(CapturedRun.run(out, err, "watch",
                Long.toString(child.pid()), "--interval", "0.05", "--count", "2000")));
        try {
            awaitLine(out, l -> l.matches("\\d\\d:\\d\\d:\\d\\d\\.\\d{3} watching pid " + child.pid()
                    + ": \\d+ descriptors open; every 0.05 s"), "header");
            toChild.write('\n');
            toChild.flush();
            awaitLine(out, l -> l.endsWith(" + fd 7: file " + f), "opened line");
            toChild.write('\n');
            toChild.flush();
            awaitLine(out, l -> l.endsWith(" - fd 7: file " + f), "closed line");
        } finally {
            toChild.close();
            assertTrue(child.waitFor(10, TimeUnit.SECONDS));
            watcher.join(20_000);
        }
        assertEquals(0, exit.get(), err.text());
        String text = out.text();
        assertTrue(text.lines().anyMatch(l -> l.endsWith(" pid " + child.pid() + " exited")), text);
        assertEquals(4, text.lines().count(), text); // header, +, -, exited: nothing else changed in sh
    }

    @Test
    void countStopsAfterThatManyLooks() throws Exception {
        Process child = new ProcessBuilder("sleep", "30").start();
        try {
            // The dynamic loader holds libc open on fd 3 for a moment after exec: wait until sleep has only stdio.
            for (int i = 0; i < 500 && Fds.list(child.pid()).size() > 3; i++) Thread.sleep(10);
            CapturedRun.Result r = CapturedRun.run("watch", Long.toString(child.pid()), "--interval", "0.01",
                    "--count", "3");
            assertEquals(0, r.exit(), r.err());
            assertEquals(1, r.out().lines().count(), r.out()); // the header; sleep opens nothing
            assertTrue(child.isAlive());
        } finally {
            child.destroy();
            child.waitFor();
        }
    }

    @Test
    void badArgumentsAreRefused() {
        CapturedRun.Result r = CapturedRun.run("watch", "1", "--interval", "0");
        assertEquals(2, r.exit());
        assertTrue(r.err().contains("--interval must be > 0"), r.err());
        CapturedRun.Result missing = CapturedRun.run("watch");
        assertEquals(2, missing.exit());
        assertTrue(missing.err().contains("PID"), missing.err());
    }
}
