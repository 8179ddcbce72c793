package dev.fdkit.cli;

import org.junit.jupiter.api.Test;

import java.util.ArrayList;
import java.util.List;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

class HelpTextsTest {
    /** Every command's help as the jar stores it is what picocli prints for it now. */
    @Test
    void storedHelpIsWhatPicocliPrints() {
        List<List<String>> commands = HelpTexts.commands(Main.commandLine(), new ArrayList<>());
        assertTrue(commands.size() >= 9, commands.toString()); // fdkit, its six commands, agent's two
        for (List<String> command : commands) {
            List<String> args = new ArrayList<>(command);
            args.add("--help");
            String stored = HelpTexts.stored(args.toArray(String[]::new));
            assertNotNull(stored, "no stored help for " + args);
            assertEquals(HelpTexts.rendered(command), stored, "stored help of " + args);
        }
    }

    @Test
    void everyFormOfAHelpRequestPrintsTheStoredText() {
        String ls = HelpTexts.stored("ls", "--help");
        assertTrue(ls.startsWith("Usage: fdkit ls"), ls);
        assertEquals(ls, HelpTexts.stored("ls", "-h"));
        assertEquals(ls, HelpTexts.stored("help", "ls"));
        assertEquals(HelpTexts.stored("--help"), HelpTexts.stored("help"));
        assertEquals(HelpTexts.stored("--help"), HelpTexts.stored("-h"));
        assertTrue(HelpTexts.stored("agent", "attach", "--help").startsWith("Usage: fdkit agent attach"));
        var run = CapturedRun.run("help", "watch");
        assertEquals(0, run.exit());
        assertEquals(HelpTexts.stored("watch", "--help"), run.out());
    }

    /** Anything else goes to picocli, which reports errors and options after --help as it always did. */
    @Test
    void otherCommandLinesAreLeftToPicocli() {
        assertNull(HelpTexts.stored("ls", "--json", "--help"));
        assertNull(HelpTexts.stored("ls", "1"));
        assertNull(HelpTexts.stored("help", "nope"));
        assertNull(HelpTexts.stored("help", "../../Main.class"));
        assertNull(HelpTexts.stored("nope", "--help"));
        var run = CapturedRun.run("help", "nope");
        assertEquals(2, run.exit());
        assertTrue(run.err().contains("Unknown subcommand 'nope'"), run.err());
    }
}
