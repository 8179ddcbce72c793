package dev.fdkit.spawn;

import dev.fdkit.internal.Settings;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;

import java.io.File;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** The java.lang.Process contract: exit values, waiting, signals, handles, environment, directory. */
class ProcessApiTest {

    @ParameterizedTest
    @EnumSource(SpawnMechanism.class)
    @Timeout(60)
    void exitStatusAndSignals(SpawnMechanism m) throws Exception {
        assertEquals(42, new FdProcessBuilder("sh", "-c", "exit 42").mechanism(m).start().waitFor());

        Process sleeper = new FdProcessBuilder("sleep", "30").mechanism(m).start();
        assertTrue(sleeper.isAlive());
        assertFalse(sleeper.waitFor(100, TimeUnit.MILLISECONDS));
        assertThrows(IllegalThreadStateException.class, sleeper::exitValue);
        sleeper.destroy();
        assertEquals(128 + 15, sleeper.waitFor(), "SIGTERM reported like the JDK");
        assertFalse(sleeper.isAlive());
        assertEquals(143, sleeper.exitValue());

        Process hard = new FdProcessBuilder("sleep", "30").mechanism(m).start();
        assertSame(hard, hard.destroyForcibly());
        assertTrue(hard.waitFor(30, TimeUnit.SECONDS));
        assertEquals(128 + 9, hard.exitValue());
        assertFalse(hard.toHandle().destroy(), "a reaped child cannot be signalled");
    }

    @ParameterizedTest
    @EnumSource(SpawnMechanism.class)
    @Timeout(60)
    void destroyClosesTheStreamsAsTheJdkDoes(SpawnMechanism m) throws Exception {
        java.util.Set<Integer> before = TestSupport.openFds();
        Process cat = new FdProcessBuilder("cat").mechanism(m).start();
        cat.getOutputStream().write("hello\n".getBytes());
        cat.getOutputStream().flush();
        byte[] got = new byte[6];
        int n = 0;
        while (n < got.length) n += cat.getInputStream().read(got, n, got.length - n);
        assertEquals("hello\n", new String(got), "the pipes worked before the destroy");
        assertTrue(TestSupport.openFds().size() > before.size(), "three pipe ends open while cat runs");

        cat.destroy();
        java.io.IOException read = assertThrows(java.io.IOException.class, () -> cat.getInputStream().read());
        assertEquals("Stream closed", read.getMessage());
        assertThrows(java.io.IOException.class, () -> cat.getErrorStream().read());
        assertThrows(java.io.IOException.class, () -> {
            cat.getOutputStream().write('x');
            cat.getOutputStream().flush();
        });
        assertEquals(128 + 15, cat.waitFor());
        assertEquals(before, TestSupport.openFds(), "no pipe end left open");
    }

    @Test
    @Timeout(60)
    void onExitNeedsNoThreadPerChild() throws Exception {
        int n = 50;
        long threadsBefore = Thread.getAllStackTraces().keySet().size();
        List<CompletableFuture<Process>> exits = new java.util.ArrayList<>();
        List<Process> procs = new java.util.ArrayList<>();
        for (int i = 0; i < n; i++) {
            Process p = new FdProcessBuilder("sleep", "0.5").start();
            procs.add(p);
            exits.add(p.onExit());
        }
        long threadsDuring = Thread.getAllStackTraces().keySet().size();
        assertTrue(threadsDuring - threadsBefore < 10,
                n + " children waited on with " + (threadsDuring - threadsBefore) + " more threads");
        for (int i = 0; i < n; i++) {
            assertSame(procs.get(i), exits.get(i).get(30, TimeUnit.SECONDS));
            assertEquals(0, procs.get(i).exitValue());
        }
    }

    /**
     * Another reference to a reaped child's pidfd (here a dup; in real life a table copy held by any concurrent
     * fork or spawn) keeps the file, and so its item in the reaper's epoll, alive after the reaper closed its
     * number: that item must be disarmed, since an armed item for an exited child stays ready and makes the reaper
     * spin.
     */
    @Test
    @Timeout(60)
    void reapedChildLeavesNoArmedItemInTheReapersEpoll() throws Exception {
        Process p = new FdProcessBuilder("sleep", "0.2").start();
        int pidfd = -1;
        for (int fd : dev.fdkit.Fds.numbers()) {
            try {
                if (TestSupport.target(fd).equals("anon_inode:[pidfd]")
                        && Files.readString(Path.of("/proc/self/fdinfo/" + fd)).contains("Pid:\t" + p.pid() + "\n")) {
                    pidfd = fd;
                }
            } catch (java.io.IOException closedMeanwhile) {
                // not ours
            }
        }
        assertTrue(pidfd >= 0, "the child's pidfd is open in this JVM");
        int dup = dev.fdkit.internal.FdCalls.fcntl(pidfd, dev.fdkit.internal.FdCalls.F_DUPFD_CLOEXEC, 0);
        assertTrue(dup >= 0);
        try {
            assertSame(p, p.onExit().get(30, TimeUnit.SECONDS)); // reaped by the reaper, not by a waiter
            org.junit.jupiter.api.Assumptions.assumeFalse(dev.fdkit.Fds.isOpen(pidfd), "number reused meanwhile");
            for (int fd : dev.fdkit.Fds.numbers()) {
                String info;
                try {
                    if (!TestSupport.target(fd).equals("anon_inode:[eventpoll]")) continue;
                    info = Files.readString(Path.of("/proc/self/fdinfo/" + fd));
                } catch (java.io.IOException closedMeanwhile) {
                    continue;
                }
                java.util.regex.Matcher item = java.util.regex.Pattern.compile("\\btfd:\\s+" + pidfd
                        + "\\s+events:\\s*([0-9a-f]+)").matcher(info);
                assertFalse(item.find() && (Long.parseLong(item.group(1), 16) & EPOLLIN) != 0,
                        "epoll fd " + fd + " still watches the reaped child's pidfd " + pidfd + ":\n" + info);
            }
        } finally {
            dev.fdkit.internal.FdCalls.close(dup);
        }
    }

    private static final long EPOLLIN = 0x1;

    @Test
    @Timeout(60)
    void handleFollowsTheChild() throws Exception {
        Process p = new FdProcessBuilder("sleep", "30").start();
        ProcessHandle h = p.toHandle();
        assertEquals(p.pid(), h.pid());
        assertTrue(h.isAlive());
        assertEquals(ProcessHandle.current().pid(), h.parent().orElseThrow().pid());
        assertTrue(h.info().command().orElse("").endsWith("sleep"), h.info().toString());
        CompletableFuture<ProcessHandle> exit = h.onExit();
        assertTrue(h.destroyForcibly());
        assertSame(h, exit.get(30, TimeUnit.SECONDS));
        // The handle's own onExit can complete while the child is a zombie, before fdkit reaps it, and isAlive()
        // reads /proc, where a zombie still shows (a difference the README lists); after waitFor it is reaped.
        assertEquals(137, p.waitFor());
        assertFalse(h.isAlive());
    }

    /** Once the handle's onExit has come, the Process has exited too, even before the reaper thread has run. */
    @ParameterizedTest
    @EnumSource(SpawnMechanism.class)
    @Timeout(120)
    void processHasExitedOnceTheHandleSaysSo(SpawnMechanism m) throws Exception {
        for (int i = 0; i < 200; i++) {
            Process p = new FdProcessBuilder("true").mechanism(m).start();
            p.toHandle().onExit().get(30, TimeUnit.SECONDS);
            assertFalse(p.isAlive(), "round " + i);
            assertEquals(0, p.exitValue(), "round " + i);
        }
    }

    @Test
    @Timeout(60)
    void environmentAndDirectory() throws Exception {
        Path dir = Files.createTempDirectory("fdkit-cwd");
        try {
            FdProcessBuilder b = new FdProcessBuilder("sh", "-c", "pwd; echo \"$FDKIT_TEST_VAR\"; echo \"$HOME\"")
                    .directory(dir.toFile());
            b.environment().put("FDKIT_TEST_VAR", "value with spaces");
            b.environment().remove("HOME");
            Process p = b.start();
            List<String> lines = TestSupport.readAll(p.getInputStream()).lines().toList();
            assertEquals(0, p.waitFor());
            assertEquals(List.of(dir.toRealPath().toString(), "value with spaces", ""), lines);
        } finally {
            Files.delete(dir);
        }
    }

    @Test
    @Timeout(60)
    void appendRedirect() throws Exception {
        File f = Files.createTempFile("fdkit-append", ".txt").toFile();
        try {
            Files.writeString(f.toPath(), "first\n");
            new FdProcessBuilder("echo", "second").redirectOutput(ProcessBuilder.Redirect.appendTo(f)).start().waitFor();
            assertEquals("first\nsecond\n", Files.readString(f.toPath()));
        } finally {
            f.delete();
        }
    }

    @Test
    @Timeout(60)
    void scriptWithoutShebangRunsThroughSh() throws Exception {
        Path script = Files.createTempFile("fdkit-noshebang", ".sh");
        try {
            Files.writeString(script, "echo ran-by-sh \"$1\"\n");
            script.toFile().setExecutable(true);
            Process p = new FdProcessBuilder(script.toString(), "arg1").mechanism(SpawnMechanism.CLONE).start();
            assertEquals("ran-by-sh arg1", TestSupport.readAll(p.getInputStream()).trim());
            assertEquals(0, p.waitFor());
        } finally {
            Files.delete(script);
        }
    }

    @Test
    void signalsAreUnblockedAndIgnoredOnesStayIgnoredInTheChild() throws Exception {
        // The spawning thread blocks every signal around clone: the child must start with none blocked. What this
        // JVM ignores stays ignored, as across exec.
        Process p = new FdProcessBuilder("grep", "-E", "^Sig(Blk|Ign)", "/proc/self/status").start();
        List<String> lines = TestSupport.readAll(p.getInputStream()).lines().toList();
        assertEquals(0, p.waitFor());
        String ignored = Files.readAllLines(Path.of("/proc/self/status")).stream()
                .filter(l -> l.startsWith("SigIgn:")).findFirst().orElseThrow();
        assertEquals(List.of("SigBlk:\t0000000000000000", ignored), lines);
    }

    @Test
    void fdLimitIsTheChildsOwn() throws Exception {
        Process p = new FdProcessBuilder("sh", "-c", "ulimit -n").mechanism(SpawnMechanism.CLONE).fdLimit(1024).start();
        assertEquals("1024", TestSupport.readAll(p.getInputStream()).trim());
        assertEquals(0, p.waitFor());
        assertThrows(UnsupportedOperationException.class,
                () -> new FdProcessBuilder("true").mechanism(SpawnMechanism.POSIX_SPAWN).fdLimit(1024).start());
    }

    @Test
    void mechanismSelection() {
        // Where fdkit.spawn.mechanism names one (a run of these tests with posix-spawn), that one.
        SpawnMechanism named = Settings.mechanism(Settings.SPAWN_MECHANISM, SpawnMechanism.values(),
                SpawnMechanism::propertyValue).orElse(SpawnMechanism.CLONE);
        assertEquals(named, SpawnMechanism.selected(), "clone works on this kernel");
        assertTrue(SpawnMechanism.CLONE.isAvailable(), SpawnMechanism.CLONE.unavailableReason().toString());
        assertEquals("posix-spawn", SpawnMechanism.POSIX_SPAWN.propertyValue());
        assertEquals(Optional.of(SpawnMechanism.POSIX_SPAWN), Settings.choice(Settings.SPAWN_MECHANISM, "posix-spawn",
                SpawnMechanism.values(), SpawnMechanism::propertyValue));
        String old = System.setProperty(Settings.SPAWN_MECHANISM, "fork");
        try {
            var e = assertThrows(IllegalArgumentException.class, () -> Settings.mechanism(Settings.SPAWN_MECHANISM,
                    SpawnMechanism.values(), SpawnMechanism::propertyValue));
            assertEquals("fdkit.spawn.mechanism=fork is not one of auto, clone, posix-spawn", e.getMessage());
        } finally {
            if (old == null) System.clearProperty(Settings.SPAWN_MECHANISM);
            else System.setProperty(Settings.SPAWN_MECHANISM, old);
        }
    }
}
