package dev.fdkit.faults;

import dev.fdkit.spawn.FaultLauncher;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;

/**
 * A child JVM started under one hostile condition, made for real by the project's C launcher ({@link FaultLauncher},
 * tools/faultrun/faultrun.c): seccomp filters, descriptors opened before the limit is lowered, a low or full
 * RLIMIT_NOFILE, /proc covered in a private mount namespace, a noexec tmpfs. The JVM keeps the launcher's soft limit
 * ({@code -XX:-MaxFDLimit}); every run ends within its timeout, a hang failing the test.
 */
final class Faultrun {
    private final List<String> launcherArgs = new ArrayList<>();
    private final List<String> jvmArgs = new ArrayList<>();
    private final Map<String, String> env = new LinkedHashMap<>();
    private long timeoutSeconds = 60;
    private boolean hideProc;

    record Result(String what, int exit, String out, String err) {
        /** The value of the last "key=value" line of stdout. */
        String value(String key) {
            return out.lines().filter(l -> l.startsWith(key + "=")).map(l -> l.substring(key.length() + 1))
                    .reduce((a, b) -> b).orElseThrow(() -> new AssertionError(what + ": no " + key + "= in\n" + this));
        }

        @Override
        public String toString() {
            return what + " exited " + exit + "\n--- stdout\n" + out + "--- stderr\n" + err;
        }
    }

    static Faultrun jvm() {
        return new Faultrun();
    }

    /** A seccomp filter answers {@code syscall} with {@code errno} (EPERM or ENOSYS). */
    Faultrun deny(String syscall, String errno) {
        launcherArgs.addAll(List.of("--deny", syscall + ":" + errno));
        return this;
    }

    /** /dev/null open at each of {@code fds}, not close-on-exec, before the limits are set. */
    Faultrun highFds(int... fds) {
        for (int fd : fds) launcherArgs.addAll(List.of("--high-fd", String.valueOf(fd)));
        return this;
    }

    Faultrun nofile(long soft, long hard) {
        launcherArgs.addAll(List.of("--nofile", soft + ":" + hard));
        return this;
    }

    /** An empty tmpfs over /proc in a private mount namespace (skips where that needs more privilege). */
    Faultrun hideProc() {
        hideProc = true;
        launcherArgs.add("--hide-proc");
        return this;
    }

    /** A noexec tmpfs on {@code dir}, which becomes the JVM's java.io.tmpdir. */
    Faultrun noexecTmp(Path dir) {
        launcherArgs.addAll(List.of("--noexec-tmp", dir.toString()));
        jvmArgs.add("-Djava.io.tmpdir=" + dir);
        return this;
    }

    /** The environment variable {@code name} set to the child's own pid (it execs, keeping the launcher's). */
    Faultrun pidEnv(String name) {
        launcherArgs.addAll(List.of("--pid-env", name));
        return this;
    }

    Faultrun property(String name, String value) {
        jvmArgs.add("-D" + name + "=" + value);
        return this;
    }

    Faultrun env(String name, String value) {
        env.put(name, value);
        return this;
    }

    Faultrun timeout(long seconds) {
        timeoutSeconds = seconds;
        return this;
    }

    /** Runs {@code main} with {@code args} in the child JVM. */
    Result run(Class<?> main, String... args) throws IOException, InterruptedException {
        List<String> cmd = new ArrayList<>(List.of(javaCommand(), "--enable-native-access=ALL-UNNAMED",
                "-XX:-MaxFDLimit", "-XX:TieredStopAtLevel=1", "-XX:+UseSerialGC", "-Xshare:auto",
                "-cp", System.getProperty("java.class.path")));
        cmd.addAll(jvmArgs);
        cmd.add(main.getName());
        cmd.addAll(List.of(args));
        return exec(String.join(" ", launcherArgs) + " " + main.getSimpleName() + " " + String.join(" ", args), cmd);
    }

    /** Runs {@code program} (absolute path) and its arguments under the condition. */
    Result runProgram(List<String> program) throws IOException, InterruptedException {
        return exec(String.join(" ", launcherArgs) + " " + String.join(" ", program), program);
    }

    private Result exec(String what, List<String> program) throws IOException, InterruptedException {
        List<String> cmd = new ArrayList<>();
        cmd.add(FaultLauncher.path().toString());
        cmd.addAll(launcherArgs);
        cmd.add("--");
        cmd.addAll(program);
        ProcessBuilder pb = new ProcessBuilder(cmd);
        // Without /proc the dynamic loader cannot resolve java's $ORIGIN, so it is told where libjli is.
        if (hideProc) pb.environment().put("LD_LIBRARY_PATH", System.getProperty("java.home") + "/lib");
        pb.environment().putAll(env);
        Process p = pb.start();
        p.getOutputStream().close();
        ByteArrayOutputStream out = new ByteArrayOutputStream(), err = new ByteArrayOutputStream();
        Thread outPump = Thread.ofPlatform().daemon().start(() -> copy(p.getInputStream(), out));
        Thread errPump = Thread.ofPlatform().daemon().start(() -> copy(p.getErrorStream(), err));
        if (!p.waitFor(timeoutSeconds, TimeUnit.SECONDS)) {
            p.destroyForcibly().waitFor();
            outPump.join(2000);
            errPump.join(2000);
            throw new AssertionError(what + ": no answer within " + timeoutSeconds + " s (a hang); output so far:\n"
                    + out.toString(StandardCharsets.UTF_8) + err.toString(StandardCharsets.UTF_8));
        }
        outPump.join();
        errPump.join();
        Result r = new Result(what, p.exitValue(), out.toString(StandardCharsets.UTF_8),
                err.toString(StandardCharsets.UTF_8));
        FaultLauncher.assumeConditionMade(r.exit(), r.err());
        return r;
    }

    static String javaCommand() {
        return ProcessHandle.current().info().command().orElseThrow();
    }

    /** The repository's root (bin/, the modules). */
    static Path repo() {
        return Path.of(System.getProperty("fdkit.faults.repo", "..")).toAbsolutePath().normalize();
    }

    private static void copy(InputStream in, ByteArrayOutputStream out) {
        try {
            in.transferTo(out);
        } catch (IOException ignored) {
            // the child died; its exit code tells
        }
    }
}
