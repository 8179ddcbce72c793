package dev.fdkit.spawn;

import dev.fdkit.spawn.internal.EnvironMain;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

import static org.junit.jupiter.api.Assertions.assertEquals;

/**
 * A spawn without envp gives the child the process's environ as it is at that moment: a variable native code set
 * with setenv(3) after the JVM started reaches the child, as it does with the JDK's ProcessBuilder; this process's
 * socket-activation variables do not.
 */
class EnvironTest {

    @ParameterizedTest
    @ValueSource(strings = {"clone", "posix-spawn", "posix-spawn-ffm", "exec"})
    void childGetsTheCurrentEnviron(String how) throws Exception {
        TestSupport.JvmResult r = TestSupport.runJvm(EnvironMain.class, how);
        assertEquals(0, r.exit(), r.out() + r.err());
        assertEquals("null", r.value("java-sees"), "System.getenv is the JVM-start snapshot");
        assertEquals("set-after-start", r.value("child"), r.out() + r.err());
        assertEquals("", r.value("listen"), "this process's LISTEN_FDS does not reach the child: " + r.out());
    }
}
