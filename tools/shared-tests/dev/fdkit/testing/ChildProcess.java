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
        // Both streams on threads of their own: reading one here would block past the timeout on a hung child.
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        ByteArrayOutputStream err = new ByteArrayOutputStream();
        Thread outPump = pump(p.getInputStream(), out);
        Thread errPump = pump(p.getErrorStream(), err);
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(TIMEOUT_SECONDS);
        if (!p.waitFor(TIMEOUT_SECONDS, TimeUnit.SECONDS)) {
            p.descendants().forEach(ProcessHandle::destroyForcibly);
            p.destroyForcibly();
            throw new IOException("child process timed out after " + TIMEOUT_SECONDS + " s: " + cmd);
        }
        // A descendant that outlives the child may still hold its output open: bounded by the same deadline.
        for (Thread t : List.of(outPump, errPump)) {
            if (!t.join(java.time.Duration.ofNanos(Math.max(1, deadline - System.nanoTime())))) {
                throw new IOException("the output of " + cmd + " stayed open after it exited (a descendant holds it)");
            }
        }
        return new Result(p.pid(), p.exitValue(), out.toString(StandardCharsets.UTF_8),
                err.toString(StandardCharsets.UTF_8));
    }

    private static Thread pump(java.io.InputStream from, ByteArrayOutputStream to) {
        return Thread.ofPlatform().daemon().start(() -> {
            try {
                from.transferTo(to);
            } catch (IOException ignored) {
                // the child died: its exit code tells
            }
        });
    }
}
