package dev.fdkit.spawn;

import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * A JVM started with SIGHUP and SIGINT ignored (as under nohup or in a background job) still starts children with
 * no signal ignored and none blocked: by every mechanism and both clone paths (clone3 with CLONE_CLEAR_SIGHAND, and
 * clone with each signal reset in the child).
 */
class SignalsTest {
    @ParameterizedTest
    @CsvSource({"CLONE, true", "CLONE, false", "POSIX_SPAWN, true"})
    void childrenStartWithDefaultDispositions(SpawnMechanism m, boolean clone3) throws Exception {
        List<String> java = new ArrayList<>(TestSupport.jvmCommand());
        java.add(1, "-Dfdkit.spawn.clone3=" + clone3);
        java.add(SignalsChildMain.class.getName());
        java.add(m.name());
        // The shell ignores HUP and INT, then becomes the JVM: the JVM inherits them ignored.
        String script = "trap '' HUP INT; exec \"$@\"";
        List<String> cmd = new ArrayList<>(List.of("sh", "-c", script, "sh"));
        cmd.addAll(java);
        Process p = new FdProcessBuilder(cmd).start();
        String out = TestSupport.readAll(p.getInputStream());
        String err = TestSupport.readAll(p.getErrorStream());
        assertTrue(p.waitFor(60, TimeUnit.SECONDS));
        assertEquals(0, p.exitValue(), out + err);
        List<String> lines = out.lines().toList();
        String jvm = lines.getFirst();
        assertTrue(jvm.startsWith("jvm SigIgn:") && !jvm.startsWith("jvm SigIgn:0000000000000000"),
                "the JVM itself ignores HUP and INT: " + jvm);
        assertTrue(lines.contains("SigBlk:\t0000000000000000"), out);
        assertTrue(lines.contains("SigIgn:\t0000000000000000"), "no ignored signal reaches the child: " + out);
        assertTrue(lines.contains("exit=0"), out);
        if (m == SpawnMechanism.CLONE) assertTrue(lines.contains("clone3=" + clone3), out);
        assertNotEquals(-1, out.indexOf("SigIgn"));
    }
}
