package dev.fdkit.bench;

import dev.fdkit.spawn.FdProcessBuilder;

import javax.management.ObjectName;
import java.io.File;
import java.io.IOException;
import java.lang.ProcessBuilder.Redirect;
import java.lang.management.ManagementFactory;
import java.lang.management.ThreadMXBean;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Locale;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLongArray;
import java.util.concurrent.locks.LockSupport;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * Many live children from one thread: N sleeping children (stdin from /dev/null, stdout and stderr discarded),
 * each with an onExit callback, started by fdkit's FdProcessBuilder and by the JDK's ProcessBuilder, each spawner
 * in a JVM of its own with native memory tracking. For each it reports the threads the JVM started for them, the
 * native memory NMT saw committed for them outside the Java heap (thread stacks apart), the time to start them
 * all, and how quickly each
 * exit is reported: half the children are killed one by one at a steady pace (kill to onExit completion, per
 * child), the other half all at once (last kill to last onExit completion).
 *
 * <p>Two more rows do the same with the C anchor ({@link CAnchor}, request {@code many}): a plain C program that
 * starts the children with posix_spawn, takes a pidfd of each and times each kill to its pidfd polling readable,
 * and the burst's last kill to every pidfd readable. In the first the killing thread itself waits, so the exit
 * wakes the thread that just ran: the kernel's share alone. In the second a thread of its own waits for the paced
 * exits, as fdkit's reaper and the JDK's waiting threads do: the exit then wakes a thread that slept, maybe on
 * the other CPU, and what that wake-up costs this machine shows in its tail. The JVM rows add reaping and the
 * onExit hop to the common pool.
 *
 * <pre>java --enable-native-access=ALL-UNNAMED -cp fdkit-bench/target/fdkit-bench.jar \
 *     dev.fdkit.bench.ManyChildrenBenchmark [--children N] [--pace-us U]</pre>
 */
public final class ManyChildrenBenchmark {
    private ManyChildrenBenchmark() {}

    private static final String[] CHILD = {"sleep", "1000"};
    private static final String RESULT = "RESULT ";

    public static void main(String[] args) throws Exception {
        int children = 5000;
        long paceMicros = 1000;
        String only = null;
        for (int i = 0; i < args.length; i++) {
            switch (args[i]) {
                case "--children" -> children = atLeast(1, args, ++i);
                case "--pace-us" -> paceMicros = atLeast(0, args, ++i);
                case "--one" -> only = value(args, ++i);
                default -> throw new IllegalArgumentException("unknown argument '" + args[i]
                        + "': use --children N, --pace-us MICROSECONDS");
            }
        }
        if (only != null) {
            System.out.println(RESULT + measure(only, children, paceMicros));
            return;
        }
        System.out.printf(Locale.ROOT, "%d sleeping children started from one thread; half killed every %d us, "
                + "half at once%n", children, paceMicros);
        System.out.println(C_ROW_NOTE);
        System.out.println();
        List<String[]> rows = new ArrayList<>();
        for (String spawner : List.of("fdkit", "ProcessBuilder")) rows.add(inChildJvm(spawner, children, paceMicros));
        if (CAnchor.shipped()) {
            try (CAnchor anchor = CAnchor.start()) {
                rows.add(cRow(anchor, children, paceMicros, false));
                rows.add(cRow(anchor, children, paceMicros, true));
            }
        } else {
            System.out.println("(no C anchor in this jar for " + System.getProperty("os.arch") + ": no C row)");
        }
        printTable(rows);
    }

    private static int atLeast(int min, String[] args, int i) {
        int v = Integer.parseInt(value(args, i));
        if (v < min) throw new IllegalArgumentException(args[i - 1] + " must be at least " + min + ": " + v);
        return v;
    }

    private static String value(String[] args, int i) {
        if (i >= args.length) throw new IllegalArgumentException(args[i - 1] + " needs a value");
        return args[i];
    }

    /** Runs one spawner in a fresh JVM with NMT, so that threads and native memory are its own. */
    private static String[] inChildJvm(String spawner, int children, long paceMicros)
            throws IOException, InterruptedException {
        String java = ProcessHandle.current().info().command().orElse("java");
        List<String> cmd = List.of(java, "-XX:NativeMemoryTracking=summary", "--enable-native-access=ALL-UNNAMED",
                "-cp", System.getProperty("java.class.path"), ManyChildrenBenchmark.class.getName(),
                "--one", spawner, "--children", Integer.toString(children), "--pace-us", Long.toString(paceMicros));
        Process p = new ProcessBuilder(cmd).redirectError(Redirect.INHERIT).start();
        String out = new String(p.getInputStream().readAllBytes());
        int status = p.waitFor();
        for (String line : out.split("\n")) {
            if (line.startsWith(RESULT)) return line.substring(RESULT.length()).split("\t");
        }
        throw new IOException(spawner + " run exited with " + status + " without a result:\n" + out);
    }

    static final String C_SPAWNER = "C (pidfd, kernel only)", C_WAITER_SPAWNER = "C (pidfd, waiter thread)";
    private static final String C_ROW_NOTE = C_SPAWNER + ": the C anchor's children (posix_spawn, a pidfd each), "
            + "timed from pidfd_send_signal(SIGKILL) to the pidfd polling readable (the burst: to every pidfd "
            + "readable) by the killing thread itself; the kernel's share. " + C_WAITER_SPAWNER + ": the same, the "
            + "paced exits waited for by a second thread, which each exit has to wake, as fdkit's reaper and the "
            + "JDK's waiting threads are woken. fdkit's and the JDK's rows add reaping and the onExit hop to the "
            + "common pool. Threads and NMT do not apply to the C rows (-).";

    /**
     * The C anchor's run of the same experiment, the paced exits waited for by the killing thread or by a
     * {@code waiterThread} of their own: answers start-all, burst, then the paced latencies, in ns.
     */
    static String[] cRow(CAnchor anchor, int children, long paceMicros, boolean waiterThread) throws IOException {
        if (children < 2) throw new IllegalArgumentException("--children must be at least 2 for the C row: " + children);
        String request = "many " + children + " " + paceMicros + (waiterThread ? " waiter" : "");
        long[] answer = anchor.block(request);
        if (answer.length != 2 + children / 2) {
            throw new IOException("the C anchor answered " + answer.length + " figures to '" + request
                    + "', expected " + (2 + children / 2));
        }
        double[] paced = new double[children / 2];
        for (int i = 0; i < paced.length; i++) paced[i] = answer[2 + i] / 1e6;
        Arrays.sort(paced);
        return new String[] {waiterThread ? C_WAITER_SPAWNER : C_SPAWNER, "-", "-", "-", "-", ms(answer[0] / 1e6), ms(quantile(paced, 0.5)),
                ms(quantile(paced, 0.9)), ms(quantile(paced, 0.99)), ms(paced[paced.length - 1]), ms(answer[1] / 1e6)};
    }

    private static final String[] HEADER = {"spawner", "threads started", "peak threads", "NMT non-heap MiB",
            "thread stacks MiB", "start all ms", "paced kill->onExit p50 ms", "p90", "p99", "max",
            "burst: last kill->last onExit ms"};

    private static void printTable(List<String[]> rows) {
        int[] width = new int[HEADER.length];
        for (int c = 0; c < HEADER.length; c++) {
            width[c] = HEADER[c].length();
            for (String[] r : rows) width[c] = Math.max(width[c], r[c].length());
        }
        StringBuilder sb = new StringBuilder();
        for (String[] r : concat(HEADER, rows)) {
            for (int c = 0; c < r.length; c++) sb.append(c == 0 ? "| " : " | ").append(pad(r[c], width[c], c > 0));
            sb.append(" |\n");
            if (r == HEADER) {
                for (int c = 0; c < r.length; c++) sb.append(c == 0 ? "|" : "|").append("-".repeat(width[c] + 2));
                sb.append("|\n");
            }
        }
        System.out.print(sb);
    }

    private static List<String[]> concat(String[] first, List<String[]> rest) {
        List<String[]> all = new ArrayList<>();
        all.add(first);
        all.addAll(rest);
        return all;
    }

    private static String pad(String s, int width, boolean right) {
        String fill = " ".repeat(width - s.length());
        return right ? fill + s : s + fill;
    }

    // ---------------------------------------------------------------- one spawner, in this JVM

    private static String measure(String spawner, int n, long paceMicros) throws Exception {
        ThreadMXBean threads = ManagementFactory.getThreadMXBean();
        // The common pool runs onExit's dependent actions for both spawners: started before counting.
        java.util.concurrent.CompletableFuture.runAsync(() -> {}).get();
        long startedBefore = threads.getTotalStartedThreadCount(); // the spawner's own threads count from here
        threads.resetPeakThreadCount();
        start(spawner).destroyForcibly().waitFor(); // loads the spawner's classes before the memory baseline
        System.gc();
        NativeMemory before = NativeMemory.now();

        Process[] procs = new Process[n];
        AtomicLongArray exitSeen = new AtomicLongArray(n);
        CountDownLatch exited = new CountDownLatch(n);
        long t0 = System.nanoTime();
        for (int i = 0; i < n; i++) {
            procs[i] = start(spawner);
            int k = i;
            procs[i].onExit().thenRun(() -> {
                exitSeen.set(k, System.nanoTime());
                exited.countDown();
            });
        }
        long startAll = System.nanoTime() - t0;
        Thread.sleep(200); // whatever the spawner starts per child has started
        long started = threads.getTotalStartedThreadCount() - startedBefore;
        NativeMemory grown = NativeMemory.now().minus(before);

        long[] killedAt = new long[n];
        int half = n / 2;
        long pace = TimeUnit.MICROSECONDS.toNanos(paceMicros);
        long next = System.nanoTime();
        for (int i = 0; i < half; i++) { // paced: one kill at a time, each exit reported on its own
            for (long wait; (wait = next - System.nanoTime()) > 0; ) LockSupport.parkNanos(wait); // leaves the CPU
            killedAt[i] = System.nanoTime();
            procs[i].destroyForcibly();
            next = killedAt[i] + pace;
        }
        for (int i = half; i < n; i++) { // a burst
            killedAt[i] = System.nanoTime();
            procs[i].destroyForcibly();
        }
        if (!exited.await(120, TimeUnit.SECONDS)) throw new IllegalStateException("not every exit was reported");
        long peak = threads.getPeakThreadCount();

        double[] paced = new double[half];
        for (int i = 0; i < half; i++) paced[i] = (exitSeen.get(i) - killedAt[i]) / 1e6;
        Arrays.sort(paced);
        long lastOnExit = 0;
        for (int i = half; i < n; i++) lastOnExit = Math.max(lastOnExit, exitSeen.get(i));
        double burst = (lastOnExit - killedAt[n - 1]) / 1e6;
        return String.join("\t", spawner, Long.toString(started), Long.toString(peak), mib(grown.nonHeap()), mib(grown.threads()),
                ms(startAll / 1e6), ms(quantile(paced, 0.5)), ms(quantile(paced, 0.9)), ms(quantile(paced, 0.99)),
                ms(paced.length == 0 ? 0 : paced[paced.length - 1]), ms(burst));
    }

    private static Process start(String spawner) throws IOException {
        File devNull = new File("/dev/null");
        return switch (spawner) {
            case "fdkit" -> new FdProcessBuilder(CHILD).redirectInput(devNull).redirectOutput(Redirect.DISCARD)
                    .redirectError(Redirect.DISCARD).start();
            case "ProcessBuilder" -> new ProcessBuilder(CHILD).redirectInput(devNull).redirectOutput(Redirect.DISCARD)
                    .redirectError(Redirect.DISCARD).start();
            default -> throw new IllegalArgumentException("unknown spawner '" + spawner + "': fdkit or ProcessBuilder");
        };
    }

    private static double quantile(double[] sorted, double q) {
        return sorted.length == 0 ? 0 : sorted[Math.min(sorted.length - 1, (int) (q * sorted.length))];
    }

    private static String ms(double v) {
        return String.format(Locale.ROOT, "%.2f", v);
    }

    private static String mib(long bytes) {
        return String.format(Locale.ROOT, "%.1f", bytes / (1024.0 * 1024.0));
    }

    private static final Pattern NMT_LINE = Pattern.compile("^-?\\s*(\\w[\\w ]*?)\\s*\\(reserved=\\d+KB, committed=(\\d+)KB\\)",
            Pattern.MULTILINE);
    private static final Pattern NMT_TOTAL = Pattern.compile("Total: reserved=\\d+KB, committed=(\\d+)KB");

    /**
     * Committed native memory as one NMT summary reports it, in bytes: everything outside the Java heap (whose size
     * the collector changes as it likes), and the "Thread" category. One report per point, so both figures are of
     * the same moment and the VM walks its memory once.
     */
    private record NativeMemory(long nonHeap, long threads) {
        static NativeMemory now() throws Exception {
            String summary = (String) ManagementFactory.getPlatformMBeanServer().invoke(
                    new ObjectName("com.sun.management:type=DiagnosticCommand"), "vmNativeMemory",
                    new Object[] {new String[] {"summary", "scale=KB"}}, new String[] {String[].class.getName()});
            return new NativeMemory(committed(summary, "Total") - committed(summary, "Java Heap"),
                    committed(summary, "Thread"));
        }

        NativeMemory minus(NativeMemory earlier) {
            return new NativeMemory(nonHeap - earlier.nonHeap, threads - earlier.threads);
        }

        /** Committed KB of a summary category ("Thread", "Java Heap") or of the total, in bytes. */
        private static long committed(String summary, String category) {
            Matcher m = category.equals("Total") ? NMT_TOTAL.matcher(summary) : NMT_LINE.matcher(summary);
            while (m.find()) {
                if (category.equals("Total") || m.group(1).equals(category)) {
                    return Long.parseLong(m.group(category.equals("Total") ? 1 : 2)) * 1024;
                }
            }
            throw new IllegalStateException("no NMT figure for " + category
                    + " (run with -XX:NativeMemoryTracking=summary)");
        }
    }
}
