package dev.fdkit.agent;

import org.junit.jupiter.api.Test;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** A @LeakCheck failure names the line that opened the leaked descriptor when the agent runs, and only that. */
class LeakCheckStacksTest {
    @Test
    void theLeakReportShowsTheOpeningFramesOfTheTestOnly() throws Exception {
        ChildJvm.Result r = ChildJvm.run(List.of("--enable-native-access=ALL-UNNAMED", ChildJvm.javaagent("spawn=off")),
                LeakReportMain.class);
        assertEquals(0, r.exit(), r.err());
        List<String> lines = r.lines();
        int row = -1;
        for (int i = 0; i < lines.size(); i++) if (lines.get(i).contains("/etc/hostname")) row = i;
        assertTrue(row >= 0, r.out());
        assertEquals("    opened by FileInputStream.<init> in thread \"main\"", lines.get(row + 1), r.out());
        assertEquals("      at dev.fdkit.agent.LeakingFixture.leaksAFile(LeakingFixture.java:" + leakLine() + ")",
                lines.get(row + 2), r.out());
        assertFalse(r.out().contains("org.junit"), "framework frames are trimmed:\n" + r.out());
    }

    @Test
    void withoutTheAgentTheReportIsAsBefore() throws Exception {
        ChildJvm.Result r = ChildJvm.run(List.of("--enable-native-access=ALL-UNNAMED"), LeakReportMain.class);
        assertTrue(r.out().contains("/etc/hostname"), r.out());
        assertFalse(r.out().contains("opened by"), r.out());
    }

    private static int leakLine() throws Exception {
        List<String> src = Files.readAllLines(Path.of("src/test/java/dev/fdkit/agent/LeakingFixture.java"));
        for (int i = 0; i < src.size(); i++) if (src.get(i).contains("// LEAK LINE")) return i + 1;
        throw new AssertionError("no LEAK LINE marker");
    }
}
