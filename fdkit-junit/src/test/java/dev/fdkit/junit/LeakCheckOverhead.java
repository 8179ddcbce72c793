package dev.fdkit.junit;

import dev.fdkit.Fds;
import dev.fdkit.internal.FdCalls;
import org.junit.jupiter.api.RepeatedTest;
import org.junit.platform.launcher.Launcher;
import org.junit.platform.launcher.LauncherDiscoveryRequest;
import org.junit.platform.launcher.core.LauncherDiscoveryRequestBuilder;
import org.junit.platform.launcher.core.LauncherFactory;
import org.junit.platform.launcher.listeners.SummaryGeneratingListener;

import java.util.Arrays;

import static org.junit.platform.engine.discovery.DiscoverySelectors.selectClass;

/**
 * What the leak check costs per test. Not a unit test: run it in its own JVM,
 * <pre>
 * java --enable-native-access=ALL-UNNAMED -cp "$(cat cp.txt)" dev.fdkit.junit.LeakCheckOverhead [EXTRA_FDS] [ROUNDS]
 * </pre>
 * It runs {@value #TESTS} empty tests through the JUnit launcher, once without and once with {@code @LeakCheck},
 * alternating for ROUNDS rounds (after one warm-up round each), and prints the median time per test of each and
 * their difference. EXTRA_FDS descriptors (pipes, a tenth of them TCP connections) are opened first, to show how
 * the cost grows with the table the check lists twice per test.
 */
public final class LeakCheckOverhead {
    static final int TESTS = 2000;

    @FixtureOnly
    static class Plain {
        @RepeatedTest(TESTS)
        void empty() {
        }
    }

    @FixtureOnly
    @LeakCheck
    static class Checked {
        @RepeatedTest(TESTS)
        void empty() {
        }
    }

    public static void main(String[] args) throws Exception {
        int extra = args.length > 0 ? Integer.parseInt(args[0]) : 0;
        int rounds = args.length > 1 ? Integer.parseInt(args[1]) : 5;
        int[] err = new int[1];
        for (int i = 0; i < extra * 9 / 10 / 2; i++) FdCalls.pipe2(FdCalls.O_CLOEXEC, err);
        var server = new java.net.ServerSocket(0, 1000, java.net.InetAddress.getLoopbackAddress());
        for (int i = 0; i < extra / 10 / 2; i++) {
            new java.net.Socket(java.net.InetAddress.getLoopbackAddress(), server.getLocalPort());
            server.accept();
        }
        Launcher launcher = LauncherFactory.create();
        run(launcher, Plain.class);
        run(launcher, Checked.class);
        double[] plain = new double[rounds], checked = new double[rounds];
        for (int r = 0; r < rounds; r++) {
            plain[r] = run(launcher, Plain.class);
            checked[r] = run(launcher, Checked.class);
        }
        Arrays.sort(plain);
        Arrays.sort(checked);
        double p = plain[rounds / 2], c = checked[rounds / 2];
        System.out.printf("open descriptors: %d; %d tests per run, %d rounds%n", Fds.list().size(), TESTS, rounds);
        System.out.printf("per test: plain %.1f us, @LeakCheck %.1f us, overhead %.1f us (median of rounds)%n",
                p, c, c - p);
    }

    /** Microseconds per test for one run of {@code fixture}. */
    private static double run(Launcher launcher, Class<?> fixture) {
        LauncherDiscoveryRequest request = LauncherDiscoveryRequestBuilder.request()
                .configurationParameter(FixtureOnly.KEY, "true")
                .selectors(selectClass(fixture)).build();
        SummaryGeneratingListener summary = new SummaryGeneratingListener();
        long t = System.nanoTime();
        launcher.execute(request, summary);
        long ns = System.nanoTime() - t;
        if (summary.getSummary().getTestsSucceededCount() != TESTS) {
            throw new IllegalStateException(fixture.getSimpleName() + ": " + summary.getSummary().getTestsFailedCount()
                    + " failed: " + summary.getSummary().getFailures().stream()
                    .map(f -> f.getException().getMessage()).toList());
        }
        return ns / 1e3 / TESTS;
    }
}
