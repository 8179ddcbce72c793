package dev.fdkit.agent;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;

import static org.junit.jupiter.api.Assertions.assertTrue;

/** A JVM started from the tests' own class path, with or without the agent. */
final class ChildJvm {
    private ChildJvm() {}

    record Result(int exit, String out, String err) {
        List<String> lines() {
            return out.lines().toList();
        }
    }

    /** The packaged agent (the build runs these tests after packaging it). */
    static Path agentJar() {
        Path jar = Path.of(System.getProperty("fdkit.agent.jar", "target/fdkit-agent.jar"));
        assertTrue(Files.isRegularFile(jar), "no agent jar at " + jar + "; the tests run after 'package'");
        return jar;
    }

    static String javaagent(String options) {
        return "-javaagent:" + agentJar() + (options == null ? "" : "=" + options);
    }

    static List<String> command(List<String> jvmArgs, Class<?> main, String... args) {
        List<String> cmd = new ArrayList<>();
        cmd.add(ProcessHandle.current().info().command().orElseThrow());
        cmd.add("-XX:TieredStopAtLevel=1");
        cmd.add("-cp");
        cmd.add(classPath());
        cmd.addAll(jvmArgs);
        cmd.add(main.getName());
        cmd.addAll(List.of(args));
        return cmd;
    }

    /**
     * The tests' class path without the agent's own classes: in an application they exist only in the agent jar,
     * which the JVM appends to the class path itself (the build
     * gives the tests target/classes or the module's unshaded jar).
     */
    static String classPath() {
        Path target = Path.of("target").toAbsolutePath(), tests = target.resolve("test-classes");
        return java.util.Arrays.stream(System.getProperty("java.class.path").split(java.io.File.pathSeparator))
                .filter(e -> {
                    Path p = Path.of(e).toAbsolutePath();
                    return p.equals(tests) || !p.startsWith(target); // target/classes, or the unshaded jar
                })
                .collect(java.util.stream.Collectors.joining(java.io.File.pathSeparator));
    }

    static Result run(List<String> jvmArgs, Class<?> main, String... args) throws IOException, InterruptedException {
        return run(List.of(), Map.of(), jvmArgs, main, args);
    }

    /** The JVM started by the program {@code launcher} (with its arguments), with {@code env} added to ours. */
    static Result run(List<String> launcher, Map<String, String> env, List<String> jvmArgs, Class<?> main,
                      String... args) throws IOException, InterruptedException {
        List<String> cmd = new ArrayList<>(launcher);
        cmd.addAll(command(jvmArgs, main, args));
        ProcessBuilder pb = new ProcessBuilder(cmd);
        pb.environment().putAll(env);
        Process p = pb.start();
        p.getOutputStream().close();
        CompletableFuture<String> err = CompletableFuture.supplyAsync(() -> drain(p.getErrorStream()));
        String out = drain(p.getInputStream());
        if (!p.waitFor(90, TimeUnit.SECONDS)) {
            p.destroyForcibly().waitFor();
            throw new AssertionError("child JVM did not finish in 90 s; stdout so far:\n" + out);
        }
        return new Result(p.exitValue(), out, err.join());
    }

    private static String drain(java.io.InputStream in) {
        try (in) {
            return new String(in.readAllBytes(), StandardCharsets.UTF_8);
        } catch (IOException e) {
            throw new java.io.UncheckedIOException(e);
        }
    }
}
