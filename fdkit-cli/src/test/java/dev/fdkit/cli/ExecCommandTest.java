package dev.fdkit.cli;

import org.junit.jupiter.api.Test;


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
    void closedDescriptorIsNamed() throws Exception {
        CliProcess.Result r = fdkit("exec", "--pass", "987:3", "--", "true");
        assertEquals(126, r.exit(), r.err());
        assertTrue(r.err().contains("descriptor 987") && r.err().contains("EBADF"), r.err());
    }
}
