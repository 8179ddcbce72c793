package dev.fdkit.agent;

import dev.fdkit.internal.FdCalls;
import dev.fdkit.spawn.FdProcessBuilder;
import dev.fdkit.spawn.SpawnMechanism;

import java.io.File;
import java.io.IOException;
import java.lang.ProcessBuilder.Redirect;
import java.util.Map;
import java.util.TreeMap;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.LongAdder;

/**
 * Decides, for each ProcessImpl.start, whether fdkit starts the child or the JDK does, and counts both with the
 * reason. fdkit starts it only where the result cannot be told apart from the JDK's: everything ProcessBuilder
 * passes down maps onto {@link FdProcessBuilder}, and where the start fails, the JDK's own path runs it again so
 * the exception, message and cause are exactly the JDK's (no child ran: a failed start leaves nothing behind).
 */
final class SpawnRouter {
    static final String HELPER_UNAVAILABLE = "fdkit's spawn helper is unavailable here";
    static final String LAUNCH_MECHANISM_SET = "jdk.lang.Process.launchMechanism is set";
    static final String START_FAILED = "fdkit could not start it; the JDK's path reported its own error";

    private final String unavailable;
    private final LongAdder routed = new LongAdder();
    private final Map<String, LongAdder> jdk = new ConcurrentHashMap<>();

    /** @param unavailable why fdkit's clone spawn cannot run here, or null when it can */
    SpawnRouter(String unavailable) {
        this.unavailable = unavailable;
    }

    static SpawnRouter create() {
        String problem = SpawnMechanism.CLONE.unavailableReason().orElse(null);
        if (problem == null) SpawnMechanism.selected(); // reserves low numbers for children's pipes, early
        return new SpawnRouter(problem);
    }

    String unavailableReason() {
        return unavailable;
    }

    /** The bridge's spawn handle: a Process, or null for the JDK's path. */
    Process start(String[] cmd, Map<String, String> env, String dir, Redirect[] redirects, boolean redirectErrorStream) {
        String reason = jdkReason();
        if (reason != null) return jdkPath(reason);
        FdProcessBuilder b = new FdProcessBuilder(cmd).mechanism(SpawnMechanism.CLONE)
                .redirectErrorStream(redirectErrorStream);
        if (dir != null) b.directory(new File(dir));
        if (env != null) {
            Map<String, String> e = b.environment();
            e.clear();
            e.putAll(env);
        }
        int[] toNext = null;
        if (redirects != null) {
            for (int i = 0; i < 3; i++) {
                if (!JdkFields.REDIRECT_PIPE.isInstance(redirects[i])) continue;
                if (i == 0) {
                    // startPipeline: stdin is the previous stage's output, which ProcessBuilder closes afterwards
                    b.passFd(JdkFields.fd(JdkFields.pipeFd(redirects[0])), 0);
                } else {
                    // stdout feeds the next stage: the read end goes into the placeholder, as ProcessImpl does
                    toNext = FdCalls.pipe2(FdCalls.O_CLOEXEC, null);
                    if (toNext == null) return jdkPath(START_FAILED);
                    b.passFd(toNext[1], i);
                }
            }
            b.redirectInput(plain(redirects[0])).redirectOutput(plain(redirects[1])).redirectError(plain(redirects[2]));
        }
        try {
            Process p = b.start();
            if (toNext != null) {
                for (int i = 1; i < 3; i++) {
                    if (JdkFields.REDIRECT_PIPE.isInstance(redirects[i])) JdkFields.setFd(JdkFields.pipeFd(redirects[i]), toNext[0]);
                }
                toNext[0] = -1;
            }
            routed.increment();
            return p;
        } catch (IOException | RuntimeException e) {
            return jdkPath(START_FAILED);
        } finally {
            if (toNext != null) {
                FdCalls.close(toNext[1]);
                if (toNext[0] >= 0) FdCalls.close(toNext[0]);
            }
        }
    }

    /** A pipeline link becomes PIPE for the builder: passFd on that number overrides it. */
    private static Redirect plain(Redirect r) {
        return JdkFields.REDIRECT_PIPE.isInstance(r) ? Redirect.PIPE : r;
    }

    private String jdkReason() {
        if (unavailable != null) return HELPER_UNAVAILABLE;
        if (System.getProperty("jdk.lang.Process.launchMechanism") != null) return LAUNCH_MECHANISM_SET;
        return null;
    }

    private Process jdkPath(String reason) {
        jdk.computeIfAbsent(reason, k -> new LongAdder()).increment();
        return null;
    }

    long routed() {
        return routed.sum();
    }

    long jdkStarts() {
        return jdk.values().stream().mapToLong(LongAdder::sum).sum();
    }

    Map<String, Long> jdkStartsByReason() {
        Map<String, Long> out = new TreeMap<>();
        jdk.forEach((k, v) -> out.put(k, v.sum()));
        return out;
    }
}
