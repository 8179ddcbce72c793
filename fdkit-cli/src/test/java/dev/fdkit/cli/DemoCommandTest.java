package dev.fdkit.cli;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

class DemoCommandTest {
    @Test
    void opensListsClosesFromThreeAndListsAgain(@TempDir Path dir) throws Exception {
        Path a = Files.writeString(dir.resolve("a.txt"), "a"), b = Files.writeString(dir.resolve("b.txt"), "b");
        var r = CliProcess.run("demo", a.toString(), b.toString());
        assertEquals(0, r.exit(), r.err());
        List<String> lines = r.out().lines().toList();
        Matcher m = Pattern.compile("open (.*) -> fd (\\d+)").matcher(lines.get(0));
        assertTrue(m.matches(), lines.get(0));
        int fdA = Integer.parseInt(m.group(2));
        assertTrue(fdA >= 3);
        assertTrue(lines.contains("  fd " + fdA + ": file " + a), r.out());
        assertTrue(lines.stream().anyMatch(l -> l.equals("  fd " + (fdA + 1) + ": file " + b)), r.out());
        assertEquals("after closeFrom(3), open descriptors: 0 1 2", lines.get(lines.size() - 1), r.out());
    }

    @Test
    void missingFileIsOneLineAndNonZero() throws Exception {
        var r = CliProcess.run("demo", "/nonexistent/fdkit");
        assertNotEquals(0, r.exit());
        assertEquals(1, r.err().lines().count(), r.err());
        assertTrue(r.err().contains("/nonexistent/fdkit") && r.err().contains("ENOENT"), r.err());
    }

    @Test
    void everyCommandHasHelp() throws Exception {
        for (String cmd : new String[] {"demo", "ls"}) {
            var r = CliProcess.run(cmd, "--help");
            assertEquals(0, r.exit(), cmd + ": " + r.err());
            assertTrue(r.out().startsWith("Usage: fdkit " + cmd), r.out());
        }
    }

    @Test
    void unknownOptionIsOneClearLine() throws Exception {
        var r = CliProcess.run("ls", "--no-such-option");
        assertEquals(2, r.exit());
        assertEquals(1, r.err().lines().count(), r.err());
        assertTrue(r.err().contains("--no-such-option"), r.err());
    }

    @Test
    void missingPidIsOneClearLine() throws Exception {
        var r = CliProcess.run("ls", "999999999");
        assertEquals(1, r.exit());
        assertEquals(1, r.err().lines().count(), r.err());
        assertTrue(r.err().contains("no process with pid 999999999"), r.err());
    }
}
