package dev.fdkit.spawn;

import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;

import java.util.ArrayList;
import java.util.List;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * Descriptors numbered above the soft RLIMIT_NOFILE (7000 with a soft limit of 64, set in a JVM of its own): passed
 * wherever the kernel allows it, the child starting with the JVM's own limit; where it does not, start() fails as
 * the JDK's does (IOException) with a message naming RLIMIT_NOFILE and the numbers.
 */
class RlimitTest {
    private static TestSupport.JvmResult run(String... args) throws Exception {
        return run(List.of(), args);
    }

    private static TestSupport.JvmResult run(List<String> jvmFlags, String... args) throws Exception {
        List<String> cmd = new ArrayList<>(TestSupport.jvmCommand());
        cmd.addAll(1, jvmFlags);
        cmd.add(RlimitMain.class.getName());
        cmd.addAll(List.of(args));
        TestSupport.JvmResult r = TestSupport.runCommand(cmd);
        assertEquals(0, r.exit(), r.out() + r.err());
        return r;
    }

    private static void passed(TestSupport.JvmResult r, int childFd) {
        assertEquals("0", r.value("exit"), r.out());
        assertEquals(r.value("file"), r.value("child-fd"), "child descriptor " + childFd + " is the file: " + r.out());
        assertEquals("64", r.value("child-limit"), "the child starts with the JVM's soft limit: " + r.out());
    }

    @ParameterizedTest
    @EnumSource(SpawnMechanism.class)
    void highSourceToALowNumber(SpawnMechanism m) throws Exception {
        passed(run(m.name(), "64", "20000", "5"), 5);
    }

    @ParameterizedTest
    @EnumSource(SpawnMechanism.class)
    void highSourceToALowNumberWithTheHardLimitBelowIt(SpawnMechanism m) throws Exception {
        passed(run(m.name(), "64", "64", "5"), 5);
    }

    @org.junit.jupiter.api.Test
    void highNumberKeptByClone() throws Exception {
        TestSupport.JvmResult r = run("CLONE", "64", "20000", "7000");
        passed(r, 7000);
        assertEquals("[0, 1, 2, 3, 7000]", r.value("child-fds"), "exactly stdio, ls's directory and 7000: " + r.out());
    }

    @org.junit.jupiter.api.Test
    void highNumberByPosixSpawnIsAClearError() throws Exception {
        String e = run("POSIX_SPAWN", "64", "20000", "7000").value("exception");
        assertTrue(e.startsWith("java.io.IOException: ") && e.contains("RLIMIT_NOFILE (64)") && e.contains("7000"), e);
    }

    @ParameterizedTest
    @EnumSource(SpawnMechanism.class)
    void childNumberAboveTheHardLimitIsRefused(SpawnMechanism m) throws Exception {
        String e = run(m.name(), "64", "64", "7000").value("exception");
        assertTrue(e.startsWith("java.io.IOException: ") && e.contains("child descriptor 7000")
                && e.contains("hard RLIMIT_NOFILE (64)"), e);
    }

    @ParameterizedTest
    @EnumSource(SpawnMechanism.class)
    void childNumberIntegerMaxIsRefused(SpawnMechanism m) throws Exception {
        String e = run(m.name(), "64", "20000", String.valueOf(Integer.MAX_VALUE)).value("exception");
        assertTrue(e.startsWith("java.io.IOException: ") && e.contains("RLIMIT_NOFILE (20000)")
                && e.contains(String.valueOf(Integer.MAX_VALUE)), e);
    }

    /** Without reserved low numbers the source stays at 7000 and /dev/null must be parked above it. */
    @ParameterizedTest
    @EnumSource(SpawnMechanism.class)
    void noLowSlotsWithALowLimit(SpawnMechanism m) throws Exception {
        passed(run(List.of("-Dfdkit.spawn.lowSlots=0"), m.name(), "64", "20000", "5"), 5);
    }
}
