package dev.fdkit.cli;

import java.io.OutputStream;
import java.io.PrintStream;

/**
 * The training run behind the CLI's AOT cache (JDK 25, {@code -XX:AOTCacheOutput}): the build runs this once on
 * the CLI jar, and the classes it loads and links, and the method profiles it gathers, are stored so that
 * {@code fdkit} starts with them ready. It runs the commands people start most, with their output discarded.
 */
final class AotTraining {
    private AotTraining() {}

    public static void main(String[] args) throws Exception {
        PrintStream out = System.out, err = System.err;
        PrintStream discard = new PrintStream(OutputStream.nullOutputStream());
        // A small process of our own to list, as 'fdkit ls PID' does.
        Process sleeper = new ProcessBuilder("sleep", "60").start();
        try {
            System.setOut(discard);
            System.setErr(discard);
            String pid = Long.toString(sleeper.pid());
            String[][] runs = {
                {"--help"}, {"--version"}, {"help", "ls"}, {"ls", "--help"}, {"exec", "--help"}, {"watch", "--help"},
                {"ls"}, {"ls", pid}, {"ls", "--json", pid}, {"ls", "--summary", pid}, {"ls", "--type", "socket"},
                {"watch", "--count", "1", "--interval", "0.01", pid}, {"ls", "no-such-pid"},
            };
            for (int round = 0; round < 3; round++) {
                for (String[] run : runs) Main.run(run);
            }
        } finally {
            System.setOut(out);
            System.setErr(err);
            sleeper.destroy();
            sleeper.waitFor();
        }
    }
}
