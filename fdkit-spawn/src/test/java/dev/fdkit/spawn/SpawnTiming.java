package dev.fdkit.spawn;

import java.lang.ProcessBuilder.Redirect;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * A quick timing of start + waitFor of /bin/true with N extra descriptors open, next to
 * the C anchor's spawn timing (docs/BENCHMARKS.md). Not a test and not the benchmark (fdkit-bench has the JMH one): a main to
 * run by hand.
 *
 * <pre>
 * java --enable-native-access=ALL-UNNAMED -cp target/classes:target/test-classes:FDKIT_CORE_JAR \
 *     dev.fdkit.spawn.SpawnTiming [REPS] [N...]
 * </pre>
 * Prints TSV: method, N, median_us, min_us. {@code -Dwarmup=K} (default 6000) spawns per fdkit method first.
 */
public final class SpawnTiming {
    interface Spawn {
        void run() throws Exception;
    }

    public static void main(String[] args) throws Exception {
        int reps = args.length > 0 ? Integer.parseInt(args[0]) : 201;
        int[] ns = args.length > 1 ? Arrays.stream(args, 1, args.length).mapToInt(Integer::parseInt).toArray()
                : new int[] {10, 1000, 16000};
        // As an application would at startup: pick the mechanism (and reserve the low numbers) before the
        // table grows.
        System.err.println("selected mechanism: " + SpawnMechanism.selected());
        Map<String, Spawn> methods = new LinkedHashMap<>();
        for (SpawnMechanism m : SpawnMechanism.values()) {
            methods.put("fdkit-" + m.propertyValue() + " inherit",
                    () -> check(new FdProcessBuilder("/bin/true").mechanism(m).inheritIO().start().waitFor()));
            methods.put("fdkit-" + m.propertyValue() + " pipes",
                    () -> check(new FdProcessBuilder("/bin/true").mechanism(m).start().waitFor()));
        }
        methods.put("ProcessBuilder inherit", () -> check(new ProcessBuilder("/bin/true").inheritIO().start().waitFor()));
        methods.put("ProcessBuilder pipes", () -> check(new ProcessBuilder("/bin/true").start().waitFor()));

        // Warm up every fdkit path until the JIT has compiled it, as a long-running application would have.
        int warm = Integer.getInteger("warmup", 6000);
        for (int i = 0; i < warm; i++) {
            for (Map.Entry<String, Spawn> e : methods.entrySet()) if (e.getKey().startsWith("fdkit")) e.getValue().run();
        }
        System.out.println("method\tN\tmedian_us\tmin_us");
        for (int n : ns) {
            int[] extra = TestSupport.openDevNull(n);
            try {
                for (Map.Entry<String, Spawn> e : methods.entrySet()) {
                    int r = e.getKey().startsWith("ProcessBuilder") && n > 1000 ? Math.min(reps, 41) : reps;
                    for (int i = 0; i < Math.min(r, 20); i++) e.getValue().run(); // settle at this N
                    double[] t = new double[r];
                    for (int i = 0; i < r; i++) {
                        long a = System.nanoTime();
                        e.getValue().run();
                        t[i] = (System.nanoTime() - a) / 1000.0;
                    }
                    Arrays.sort(t);
                    System.out.printf("%s\t%d\t%.1f\t%.1f%n", e.getKey(), n, t[r / 2], t[0]);
                }
            } finally {
                TestSupport.closeAll(extra);
            }
        }
    }

    private static void check(int exit) {
        if (exit != 0) throw new IllegalStateException("/bin/true exited " + exit);
    }
}
