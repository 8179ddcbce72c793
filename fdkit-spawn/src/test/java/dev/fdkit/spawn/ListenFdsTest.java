package dev.fdkit.spawn;

import dev.fdkit.internal.FdCalls;
import dev.fdkit.internal.NetCalls;
import org.junit.jupiter.api.Test;

import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.TimeUnit;

import static dev.fdkit.spawn.TestSupport.assertExactly;
import static dev.fdkit.spawn.TestSupport.childFdTargets;
import static dev.fdkit.spawn.TestSupport.target;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** Socket activation, both sides: LISTEN_* set for the child by the child, and read back by a JVM. */
class ListenFdsTest {

    @Test
    void childGetsListenVariablesWithItsOwnPid() throws Exception {
        int[] sock = NetCalls.socketpair(NetCalls.AF_UNIX, NetCalls.SOCK_STREAM | NetCalls.SOCK_CLOEXEC, 0, null);
        int[] pipe = TestSupport.pipe();
        try {
            Process p = new FdProcessBuilder("sh", "-c",
                    "echo \"$LISTEN_PID $$ $LISTEN_FDS $LISTEN_FDNAMES\"")
                    .mechanism(SpawnMechanism.CLONE).listenFd(sock[0], "web").listenFds(pipe[1]).start();
            String[] f = TestSupport.readAll(p.getInputStream()).trim().split(" ");
            assertEquals(0, p.waitFor());
            assertEquals(String.valueOf(p.pid()), f[0], "LISTEN_PID is the child's pid");
            assertEquals(f[1], f[0], "LISTEN_PID equals the shell's $$");
            assertEquals("2", f[2]);
            assertEquals("web:unknown", f[3]);

            Map<Integer, String> seen = childFdTargets(new FdProcessBuilder().mechanism(SpawnMechanism.CLONE)
                    .listenFd(sock[0], "web").listenFds(pipe[1]));
            assertExactly(Set.of(0, 1, 2, 3, 4), seen.keySet(), seen.toString());
            assertEquals(target(sock[0]), seen.get(3));
            assertEquals(target(pipe[1]), seen.get(4));
        } finally {
            TestSupport.closeAll(sock);
            TestSupport.closeAll(pipe);
        }
    }

    @Test
    void inheritedVariableOverridden() throws Exception {
        int[] pipe = TestSupport.pipe();
        try {
            FdProcessBuilder b = new FdProcessBuilder("sh", "-c", "echo $LISTEN_PID $LISTEN_FDS")
                    .mechanism(SpawnMechanism.CLONE).listenFds(pipe[1]);
            b.environment().put("LISTEN_PID", "1");
            b.environment().put("LISTEN_FDS", "7");
            Process p = b.start();
            assertEquals(p.pid() + " 1", TestSupport.readAll(p.getInputStream()).trim());
            p.waitFor();
        } finally {
            TestSupport.closeAll(pipe);
        }
    }

    @Test
    void posixSpawnRefusesRatherThanLie() {
        var e = assertThrows(UnsupportedOperationException.class, () ->
                new FdProcessBuilder("true").mechanism(SpawnMechanism.POSIX_SPAWN).listenFds(0).start());
        assertTrue(e.getMessage().contains("LISTEN_PID"), e.getMessage());
    }

    @Test
    void collisionsWithPassFdAreRejected() {
        FdProcessBuilder b = new FdProcessBuilder("true").listenFds(10, 11);
        assertThrows(IllegalArgumentException.class, () -> b.passFd(12, 4));
        b.passFd(12, 5);
        assertThrows(IllegalArgumentException.class, () -> b.listenFds(13));
        assertThrows(IllegalArgumentException.class, () -> b.listenFd(13, "a:b"));
    }

    @Test
    void parseChecksThePid() {
        Map<String, String> env = Map.of("LISTEN_PID", "42", "LISTEN_FDS", "2", "LISTEN_FDNAMES", "http:admin");
        assertEquals(List.of(new ListenFds.Advertised(3, "http"), new ListenFds.Advertised(4, "admin")),
                List.copyOf(ListenFds.parse(env, 42)));
        assertEquals(List.of(), ListenFds.parse(env, 43), "meant for another process");
        assertEquals(List.of(new ListenFds.Advertised(3, "unknown")),
                ListenFds.parse(Map.of("LISTEN_PID", "42", "LISTEN_FDS", "1"), 42));
        assertThrows(IllegalStateException.class,
                () -> ListenFds.parse(Map.of("LISTEN_PID", "42", "LISTEN_FDS", "x"), 42));
        assertThrows(IllegalStateException.class,
                () -> ListenFds.parse(Map.of("LISTEN_PID", "42", "LISTEN_FDS", "2", "LISTEN_FDNAMES", "a"), 42));
        assertEquals(List.of(), ListenFds.parse(Map.of(), 42));
    }

    /**
     * LISTEN_PID names the JVM, but the descriptors were never passed (as after an exec that kept the variables):
     * the numbers are taken by the JVM's own files (its runtime image, its jar), and must not be handed out.
     */
    @Test
    void staleVariablesNamingTheJvmsOwnFilesAreRefused() throws Exception {
        // Descriptor 3 is the first the JVM opens (its runtime image, lib/modules): advertised, it is a file.
        ChildRun r = childWithVariables("LISTEN_FDS=1 LISTEN_FDNAMES=http", "plain");
        assertTrue(r.exit() != 0, r.toString());
        assertTrue(r.err().contains("IllegalStateException") && r.err().contains("the variables are stale"),
                r.toString());
        assertTrue(r.err().contains("names descriptor 3 (http), which is not a socket but /"), r.toString());
        assertTrue(!r.out().contains("name=http"), "handed out a descriptor that is no socket: " + r);
        // Two advertised, the second not open at all.
        ChildRun two = childWithVariables("LISTEN_FDS=2 LISTEN_FDNAMES=http:admin", "plain");
        assertTrue(two.exit() != 0 && two.err().contains("the variables are stale"), two.toString());
    }

    /** A huge LISTEN_FDS is checked against the table before anything is allocated per descriptor. */
    @Test
    void hugeListenFdsIsRefusedWithoutRunningOutOfMemory() throws Exception {
        ChildRun r = childWithVariables("LISTEN_FDS=2147483600", "plain");
        assertTrue(r.exit() != 0, r.toString());
        assertTrue(!r.err().contains("OutOfMemoryError"), r.toString());
        assertTrue(r.err().contains("advertise descriptors 3 to 2147483602, but descriptor"), r.toString());
    }

    /** Variables for another process (a parent's, inherited) mean nothing here, as with sd_listen_fds(3). */
    @Test
    void variablesForAnotherProcessAreIgnored() throws Exception {
        ChildRun r = childWithVariables("LISTEN_FDS=1 LISTEN_PID=1", "plain");
        assertEquals(0, r.exit(), r.toString());
        assertEquals("none", r.out().strip(), r.toString());
    }

    /** unsetEnvironment removes the variables from the C environment, which native code and children read. */
    @Test
    void unsetEnvironmentRemovesTheVariables() throws Exception {
        int[] sock = NetCalls.socketpair(NetCalls.AF_UNIX, NetCalls.SOCK_STREAM | NetCalls.SOCK_CLOEXEC, 0, null);
        try {
            List<String> cmd = new ArrayList<>(TestSupport.jvmCommand());
            cmd.add(ListenFdsChildMain.class.getName());
            cmd.add("unset");
            ChildRun r = run(new FdProcessBuilder(cmd).listenFd(sock[1], "control"));
            assertEquals(0, r.exit(), r.toString());
            assertTrue(r.out().contains("fd=3 name=control"), r.toString());
            assertTrue(r.out().contains("C environment: LISTEN_PID=null LISTEN_FDS=null LISTEN_FDNAMES=null"),
                    r.toString());
        } finally {
            TestSupport.closeAll(sock);
        }
    }

    record ChildRun(int exit, String out, String err) {}

    /**
     * A JVM whose LISTEN_PID is its own pid (the shell sets it to $$, then execs the JVM in its place) with
     * {@code variables}, and no descriptor passed besides stdio.
     */
    private static ChildRun childWithVariables(String variables, String mode) throws Exception {
        List<String> cmd = new ArrayList<>(List.of("sh", "-c",
                "export LISTEN_PID=$$ " + variables + "; exec \"$@\"", "sh"));
        List<String> jvm = new ArrayList<>(TestSupport.jvmCommand());
        jvm.add(1, "-Xmx64m"); // an allocation per advertised descriptor would fail fast
        cmd.addAll(jvm);
        cmd.add(ListenFdsChildMain.class.getName());
        cmd.add(mode);
        return run(new FdProcessBuilder(cmd));
    }

    /** Starts the child, reads its output to the end and waits for it. */
    private static ChildRun run(FdProcessBuilder b) throws Exception {
        Process p = b.start();
        p.getOutputStream().close();
        String out = TestSupport.readAll(p.getInputStream());
        String err = TestSupport.readAll(p.getErrorStream());
        assertTrue(p.waitFor(60, TimeUnit.SECONDS), "timed out");
        return new ChildRun(p.exitValue(), out, err);
    }

    /** A JVM started with socket activation finds its sockets, marks them close-on-exec and can use them. */
    @Test
    void childJvmSeesItsListenFds() throws Exception {
        int[] sock = NetCalls.socketpair(NetCalls.AF_UNIX, NetCalls.SOCK_STREAM | NetCalls.SOCK_CLOEXEC, 0, null);
        try {
            List<String> cmd = new ArrayList<>(TestSupport.jvmCommand());
            cmd.add(ListenFdsChildMain.class.getName());
            Process p = new FdProcessBuilder(cmd).listenFd(sock[1], "control").start();
            FdCalls.close(sock[1]); // the child's copy is the only one left: its close gives us EOF
            sock[1] = -1;
            String out = TestSupport.readAll(p.getInputStream());
            String err = TestSupport.readAll(p.getErrorStream());
            assertTrue(p.waitFor(60, TimeUnit.SECONDS));
            assertEquals(0, p.exitValue(), out + err);
            assertTrue(out.contains("fd=3 name=control family=unix type=stream listening=false cloexec=true"),
                    out + err);
            assertEquals("hello from the child JVM", PlacementTest.readFd(sock[0]).trim());
        } finally {
            for (int fd : sock) if (fd >= 0) FdCalls.close(fd);
        }
    }
}
