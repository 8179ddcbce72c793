package dev.fdkit.testing;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;

/**
 * Runs a command, most often a child JVM like this one, to its end with stdout and stderr kept apart: how tests do
 * what must not touch the test runner's own JVM. One source shared by every module's tests (the parent pom adds
 * it); each module's helpers word their own results around it.
 */
public final class ChildProcess {
    private ChildProcess() {}

    /** How long a child may run before it is killed and the run fails. */
    public static final long TIMEOUT_SECONDS = 60;

    /** What a child did. */
    public record Result(long pid, int exit, String out, String err) {}

    /** java, flags and class path for a child JVM like this one; the main class and its arguments follow. */
    public static List<String> javaCommand() {
        return List.of(ProcessHandle.current().info().command().orElseThrow(), "--enable-native-access=ALL-UNNAMED",
                "-Xshare:auto", "-XX:TieredStopAtLevel=1", "-cp", System.getProperty("java.class.path"));
    }

    /**
     * Runs {@code main}, a class of the test class path or a Java source file (run by the source launcher), in a
     * fresh JVM like this one, with {@code jvmArgs} (system properties, say) before it and {@code env} added to
     * this process's environment.
     */
    public static Result runJava(List<String> jvmArgs, String main, List<String> args, Map<String, String> env)
            throws IOException, InterruptedException {
        List<String> cmd = new ArrayList<>(javaCommand());
        cmd.addAll(jvmArgs);
        cmd.add(main);
        cmd.addAll(args);
        return run(cmd, env);
    }

    /** Runs {@code cmd} with {@code env} added to this process's environment, stdin closed, to its end. */
    public static Result run(List<String> cmd, Map<String, String> env) throws IOException, InterruptedException {
        ProcessBuilder pb = new ProcessBuilder(cmd);
        pb.environment().putAll(env);
        Process p = pb.start();
        p.getOutputStream().close();
        ByteArrayOutputStream err = new ByteArrayOutputStream();
        Thread pump = Thread.ofPlatform().start(() -> {
            try {
                p.getErrorStream().transferTo(err);
            } catch (IOException ignored) {
                // the child died: its exit code tells
            }
        });
        String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        if (!p.waitFor(TIMEOUT_SECONDS, TimeUnit.SECONDS)) {
            p.destroyForcibly();
            throw new IOException("child process timed out: " + cmd);
        }
        pump.join();
        return new Result(p.pid(), p.exitValue(), out, err.toString(StandardCharsets.UTF_8));
    }
}
