package dev.fdkit.bench;

import dev.fdkit.Fds;

import java.io.IOException;
import java.net.URISyntaxException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;

/**
 * The ways to list another process's descriptors in full (kind, name, socket addresses): fdkit's library call in
 * this warm JVM, fdkit's CLI as a user runs it (a new JVM), and the tools it is measured against, lsfd and lsof.
 * Each command's output goes to /dev/null; its exit status must be 0.
 */
public enum LsMethod {
    /** Fds.list(pid) in this JVM, warm. */
    LIBRARY("Fds.list(pid) warm"),
    /** The CLI's ls in a new JVM started the way bin/fdkit starts it. */
    FDKIT_LS("fdkit ls PID"),
    /** util-linux's lsfd. */
    LSFD("lsfd -p PID"),
    /** lsof, without name or port lookups (-n -P). */
    LSOF("lsof -n -P -p PID");

    private static final String CLI_MAIN = "dev.fdkit.cli.Main";
    /** A command that takes longer than this is stopped and the bench fails. */
    private static final long COMMAND_TIMEOUT_SECONDS = 120;

    private final String label;

    LsMethod(String label) {
        this.label = label;
    }

    public String label() {
        return label;
    }

    /** Lists {@code pid} once; returns how many descriptors the library saw (0 for the commands). */
    public int run(long pid) throws IOException, InterruptedException {
        if (this == LIBRARY) return Fds.list(pid).size();
        Process p = new ProcessBuilder(command(pid)).redirectOutput(ProcessBuilder.Redirect.DISCARD)
                .redirectError(ProcessBuilder.Redirect.INHERIT).start();
        try {
            if (!p.waitFor(COMMAND_TIMEOUT_SECONDS, TimeUnit.SECONDS)) {
                throw new IllegalStateException(label + " took longer than " + COMMAND_TIMEOUT_SECONDS + " s");
            }
        } finally {
            p.destroyForcibly();
            p.waitFor();
        }
        if (p.exitValue() != 0) throw new IllegalStateException(label + " exited " + p.exitValue());
        return 0;
    }

    List<String> command(long pid) {
        String p = Long.toString(pid);
        return switch (this) {
            case LIBRARY -> throw new IllegalStateException("no command");
            case FDKIT_LS -> cli(p);
            case LSFD -> List.of("lsfd", "-p", p);
            case LSOF -> List.of("lsof", "-n", "-P", "-p", p);
        };
    }

    /**
     * The CLI's ls as bin/fdkit starts it: with the launcher's JVM options file, and from the CLI jar with the AOT
     * cache the build made for it when both are in the source tree this bench was built in; else the CLI's main
     * class from this class path (the options file still applies when found).
     */
    private static List<String> cli(String pid) {
        List<String> cmd = new ArrayList<>(List.of(java()));
        Path root = sourceTree();
        Path options = root == null ? null : root.resolve("fdkit-cli/src/main/launcher/fdkit.jvmopts");
        if (options != null && Files.isRegularFile(options)) cmd.add("@" + options);
        else cmd.add("--enable-native-access=ALL-UNNAMED");
        Path jar = root == null ? null : root.resolve("fdkit-cli/target/fdkit.jar");
        Path aot = root == null ? null : root.resolve("fdkit-cli/target/fdkit.aot");
        if (options != null && Files.isRegularFile(options) && Files.isRegularFile(jar) && Files.isRegularFile(aot)) {
            cmd.addAll(List.of("-XX:AOTCache=" + aot, "-jar", jar.toString()));
        } else {
            cmd.addAll(List.of("-cp", System.getProperty("java.class.path"), CLI_MAIN));
        }
        cmd.addAll(List.of("ls", pid));
        return cmd;
    }

    /** The fdkit source tree holding this class's jar or classes directory, or null (bounded: the path's depth). */
    private static Path sourceTree() {
        java.security.CodeSource source = LsMethod.class.getProtectionDomain().getCodeSource();
        if (source == null) return null;
        try {
            Path p = Path.of(source.getLocation().toURI());
            for (Path d = p.getParent(); d != null; d = d.getParent()) {
                if (Files.isDirectory(d.resolve("fdkit-cli/src/main/launcher"))) return d;
            }
        } catch (URISyntaxException | IllegalArgumentException e) {
            return null; // not a file: no source tree
        }
        return null;
    }

    private static String java() {
        return ProcessHandle.current().info().command().orElse("java");
    }

    /** The methods this machine can run, and a note for each one it cannot. */
    public static List<LsMethod> available(List<String> notes) {
        List<LsMethod> out = new ArrayList<>();
        for (LsMethod m : values()) {
            switch (m) {
                case LIBRARY -> out.add(m);
                case FDKIT_LS -> {
                    if (ClassLoader.getSystemResource(CLI_MAIN.replace('.', '/') + ".class") != null) out.add(m);
                    else notes.add("the fdkit CLI is not on this JVM's class path: " + m.label + " skipped");
                }
                case LSFD, LSOF -> {
                    String tool = m == LSFD ? "lsfd" : "lsof";
                    if (onPath(tool)) out.add(m);
                    else notes.add(tool + " is not installed (Debian: apt-get install "
                            + (m == LSFD ? "util-linux" : "lsof") + "): " + m.label + " skipped");
                }
            }
        }
        return out;
    }

    private static boolean onPath(String tool) {
        String path = System.getenv("PATH");
        if (path == null) return false;
        for (String dir : path.split(":")) {
            if (!dir.isEmpty() && Files.isExecutable(Path.of(dir, tool))) return true;
        }
        return false;
    }
}
