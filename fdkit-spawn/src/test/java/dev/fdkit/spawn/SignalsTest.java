package dev.fdkit.spawn;

import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

import java.util.ArrayList;
import java.util.List;

import static org.junit.jupiter.api.Assertions.assertEquals;

/**
 * A JVM started with SIGHUP and SIGINT ignored (as under nohup or in a background job) starts children that keep
 * them ignored, as exec does and as the JDK's children do, with no signal blocked: by every mechanism and both
 * clone paths (clone3 with CLONE_CLEAR_SIGHAND, and clone with the caught signals reset in the child).
 */
class SignalsTest {
    private static final long HUP_INT = 0b11; // bit sig-1

    @ParameterizedTest
    @CsvSource({"CLONE, true, auto", "CLONE, false, auto", "POSIX_SPAWN, true, auto", "POSIX_SPAWN, true, ffm"})
    void ignoredSignalsStayIgnoredInChildren(SpawnMechanism m, boolean clone3, String posixSpawnBinding) throws Exception {
        List<String> java = new ArrayList<>(TestSupport.jvmCommand());
        java.add(1, "-Dfdkit.spawn.clone3=" + clone3);
        java.add(1, "-Dfdkit.spawn.posixSpawnBinding=" + posixSpawnBinding);
        java.add(SignalsChildMain.class.getName());
        java.add(m.name());
        // The shell ignores HUP and INT, then becomes the JVM: the JVM inherits them ignored.
        List<String> cmd = new ArrayList<>(List.of("sh", "-c", "trap '' HUP INT; exec \"$@\"", "sh"));
        cmd.addAll(java);
        TestSupport.JvmResult r = TestSupport.runCommand(cmd);
        assertEquals(0, r.exit(), r.out() + r.err());
        long jvm = Long.parseUnsignedLong(r.value("jvm-SigIgn"), 16);
        long fdkit = Long.parseUnsignedLong(r.value("fdkit-SigIgn"), 16);
        long jdk = Long.parseUnsignedLong(r.value("jdk-SigIgn"), 16);
        assertEquals(HUP_INT, jvm & HUP_INT, "the JVM itself ignores HUP and INT: " + r.out());
        assertEquals("0", r.value("fdkit-exit"));
        assertEquals(Long.toHexString(jvm), Long.toHexString(fdkit), "the child ignores what the JVM ignores: " + r.out());
        // glibc's posix_spawn, which the JDK uses, also leaves its internal signals 32 and 33 ignored: compare 1-31.
        assertEquals(Long.toHexString(jdk & 0x7fffffffL), Long.toHexString(fdkit & 0x7fffffffL),
                "the same as the JDK's child: " + r.out());
        assertEquals(0L, Long.parseUnsignedLong(r.value("fdkit-SigBlk"), 16), r.out());
        if (m == SpawnMechanism.CLONE) assertEquals(String.valueOf(clone3), r.value("clone3"), r.out());
    }
}
