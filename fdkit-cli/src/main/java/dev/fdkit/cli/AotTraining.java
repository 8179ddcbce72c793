package dev.fdkit.cli;

import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.io.OutputStream;
import java.io.PrintStream;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.nio.charset.StandardCharsets;

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
        // A small process of our own to list, as 'fdkit ls PID' does; and a large one with sockets, so that the
        // classes of the parallel listing and of socket resolution are in the cache too.
        Process sleeper = new ProcessBuilder("sleep", "60").start();
        Process holder = null;
        try (ServerSocket server = new ServerSocket(0, 50, InetAddress.getLoopbackAddress())) {
            holder = startHolder(server.getLocalPort());
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
                if (holder != null) Main.run("ls", Long.toString(holder.pid()));
            }
        } finally {
            System.setOut(out);
            System.setErr(err);
            for (Process p : new Process[] {sleeper, holder}) {
                if (p == null) continue;
                p.destroy();
                p.waitFor();
            }
        }
    }

    /** Descriptors the large process holds: more than the listing's threshold for describing in parallel. */
    private static final int HOLDER_FILES = 2500;

    /**
     * A shell holding {@link #HOLDER_FILES} files, a pipe, a TCP connection to {@code port} and a UDP socket, or
     * null where it cannot be started (no bash, a descriptor limit too low): the training then goes without it.
     */
    private static Process startHolder(int port) throws IOException, InterruptedException {
        String script = "ulimit -n " + (HOLDER_FILES + 64) + " || exit 1\n"
                + "for ((i = 0; i < " + HOLDER_FILES + "; i++)); do exec {f}</dev/null || exit 1; done\n"
                + "exec {t}<>/dev/tcp/127.0.0.1/" + port + " {u}<>/dev/udp/127.0.0.1/" + port + " {p}< <(:)"
                + " || exit 1\n"
                + "echo ready\nexec sleep 60\n";
        Process p;
        try {
            p = new ProcessBuilder("bash", "-c", script).redirectError(ProcessBuilder.Redirect.DISCARD).start();
        } catch (IOException e) {
            return null; // no bash
        }
        String line = new BufferedReader(new InputStreamReader(p.getInputStream(), StandardCharsets.UTF_8))
                .readLine();
        if ("ready".equals(line)) return p;
        p.destroy();
        p.waitFor();
        return null;
    }
}
