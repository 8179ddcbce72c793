package dev.fdkit;

import dev.fdkit.testing.ChildProcess;

import java.io.IOException;
import java.util.List;
import java.util.Map;

/** Runs a main class of the test class path in a fresh JVM: destructive scenarios must not touch the runner. */
final class ChildJvm {
    record Result(int exit, String out, String err) {
        List<String> lines() {
            return out.lines().toList();
        }
    }

    static Result run(List<String> jvmArgs, Class<?> main, String... args) throws IOException, InterruptedException {
        return run(jvmArgs, main.getName(), args);
    }

    /** Runs {@code main}, a class name or a Java source file (run by the source launcher), in a fresh JVM. */
    static Result run(List<String> jvmArgs, String main, String... args) throws IOException, InterruptedException {
        ChildProcess.Result r = ChildProcess.runJava(jvmArgs, main, List.of(args), Map.of());
        return new Result(r.exit(), r.out(), r.err());
    }
}
