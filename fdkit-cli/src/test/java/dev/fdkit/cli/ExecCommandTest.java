package dev.fdkit.cli;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Files;
import java.nio.file.Path;


import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * {@code fdkit exec} in a JVM of its own (the CLI's Main, as bin/fdkit runs it): the JVM becomes CMD with the same
 * pid, CMD's exit status is the process's, and CMD holds stdio plus exactly the descriptors named.
 */
class ExecCommandTest {
    private static CliProcess.Result fdkit(String... args) throws Exception {
        return CliProcess.run(args);
    }

    @Test
    void replacesTheCliProcess() throws Exception {
        CliProcess.Result r = fdkit("exec", "--pass", "0:5", "--listen", "1=out", "--env", "FDKIT_X=y z", "--cwd", "/tmp", "--",
                "sh", "-c", "echo pid=$$; echo listen=$LISTEN_PID:$LISTEN_FDS:$LISTEN_FDNAMES; echo x=$FDKIT_X; "
                        + "echo cwd=$(pwd); echo fds=$(ls /proc/self/fd | tr '\\n' ' '); exit 9");
        assertEquals(9, r.exit(), r.out() + r.err());
        assertEquals(String.valueOf(r.pid()), r.value("pid"), "CMD runs with the CLI's pid");
        assertEquals(r.pid() + ":1:out", r.value("listen"));
        assertEquals("y z", r.value("x"));
        assertEquals("/tmp", r.value("cwd"));
        // ls is sh's child: sh's 0-2, listen fd 3 and passed fd 5, plus ls's own directory at 4; no JVM jar
        assertEquals("0 1 2 3 4 5", r.value("fds").trim(), r.out());
    }

    @Test
    void missingCommandIs127() throws Exception {
        CliProcess.Result r = fdkit("exec", "--", "/nonexistent/fdkit-cmd");
        assertEquals(127, r.exit(), r.err());
        assertTrue(r.err().contains("/nonexistent/fdkit-cmd") && r.err().contains("ENOENT"), r.err());
    }

    @Test
    void descriptorNotHandedOverIsNamed() throws Exception {
        CliProcess.Result r = fdkit("exec", "--pass", "987:3", "--", "true");
        assertEquals(123, r.exit(), r.err());
        assertTrue(r.err().contains("descriptor 987") && r.err().lines().count() == 1, r.err());
    }

    @Test
    void exitStatusTellsTheFailuresApart(@TempDir Path tmp) throws Exception {
        CliProcess.Result dir = fdkit("exec", "--cwd", "/nonexistent/dir", "--", "true");
        assertEquals(124, dir.exit(), dir.err());
        assertTrue(dir.err().contains("/nonexistent/dir"), dir.err());
        Path plain = Files.writeString(tmp.resolve("not-executable"), "echo hi\n");
        CliProcess.Result notExecutable = fdkit("exec", "--", plain.toString());
        assertEquals(126, notExecutable.exit(), notExecutable.err());
        CliProcess.Result usage = fdkit("exec", "--pass", "x:3", "--", "true");
        assertEquals(2, usage.exit(), usage.err());
        assertTrue(usage.err().contains("--pass x:3"), usage.err());
        CliProcess.Result env = fdkit("exec", "--env", "NOEQUALS", "--", "true");
        assertEquals(2, env.exit(), env.err());
        CliProcess.Result help = fdkit("exec", "--help");
        for (String code : new String[] {"123", "124", "125", "126", "127"}) {
            assertTrue(help.out().contains("  " + code + "  "), help.out());
        }
    }
}
