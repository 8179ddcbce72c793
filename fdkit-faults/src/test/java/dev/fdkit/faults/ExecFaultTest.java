package dev.fdkit.faults;

import org.junit.jupiter.api.Test;

import java.util.ArrayList;
import java.util.List;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * {@code fdkit exec} as bin/fdkit starts it: the launcher's record of the descriptors its caller handed over
 * (bin/lib/caller-fds.sh, run here by bash exactly as bin/fdkit runs it) decides what --pass and --listen accept.
 */
class ExecFaultTest {
    /**
     * bash runs {@code setup} (as the caller would, e.g. opening descriptors), then what bin/fdkit does: records
     * the caller's descriptors and execs the CLI's JVM with {@code cli} as its arguments.
     */
    private static List<String> viaLauncher(String setup, String... cli) {
        List<String> cmd = new ArrayList<>(List.of("/bin/bash", "-c", setup + "\n. \"$0\"; fdkit_record_caller_fds \"$@\"; "
                + "exec \"" + Faultrun.javaCommand() + "\" --enable-native-access=ALL-UNNAMED -XX:TieredStopAtLevel=1 "
                + "-cp \"" + System.getProperty("java.class.path") + "\" dev.fdkit.cli.Main \"$@\"",
                Faultrun.repo().resolve("bin/lib/caller-fds.sh").toString()));
        cmd.addAll(List.of(cli));
        return cmd;
    }

    @Test
    void aDescriptorTheCallerDidNotHandOverIsRefused() throws Exception {
        // The JVM has descriptors of its own at 3 and up (its runtime image, its class path): none may reach CMD.
        for (String fd : new String[] {"3", "20"}) {
            Faultrun.Result r = Faultrun.jvm().runProgram(viaLauncher("", "exec", "--pass", fd + ":5", "--",
                    "sh", "-c", "echo ran"));
            assertEquals(123, r.exit(), r.toString());
            assertTrue(r.err().strip().lines().count() == 1 && r.err().contains("descriptor " + fd), r.toString());
            assertTrue(!r.out().contains("ran"), r.toString());
        }
        Faultrun.Result r = Faultrun.jvm().runProgram(viaLauncher("", "exec", "--listen=20=http", "--", "true"));
        assertEquals(123, r.exit(), r.toString());
    }

    @Test
    void aDescriptorTheCallerHandedOverPassesAndTheRecordDoesNotLeak() throws Exception {
        Faultrun.Result r = Faultrun.jvm().runProgram(viaLauncher("exec 20</etc/hostname", "exec", "--pass", "20:7",
                "--", "sh", "-c", "echo target=$(readlink /proc/$$/fd/7); echo record=${FDKIT_CALLER_FDS-none}"));
        assertEquals(0, r.exit(), r.toString());
        assertEquals("/etc/hostname", r.value("target"), r.toString());
        assertEquals("none", r.value("record"), r.toString());
    }

    @Test
    void withoutProcTheRecordStillHolds() throws Exception {
        Faultrun.Result r = Faultrun.jvm().hideProc().runProgram(viaLauncher("exec 20</dev/null", "exec",
                "--pass", "20", "--pass", "21", "--", "true"));
        assertEquals(123, r.exit(), r.toString());
        assertTrue(r.err().contains("descriptor 21"), r.toString());
    }

    @Test
    void closeRangeRefused() throws Exception {
        for (String errno : new String[] {"EPERM", "ENOSYS"}) {
            Faultrun.Result r = Faultrun.jvm().deny("close_range", errno).runProgram(viaLauncher("exec 20</dev/null",
                    "exec", "--pass", "20:3", "--", "sh", "-c", "ls /proc/$$/fd; exit 4"));
            assertEquals(4, r.exit(), r.toString());
            assertEquals(List.of("0", "1", "2", "3"), r.out().strip().lines().toList(), r.toString());
        }
    }
}
