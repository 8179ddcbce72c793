package dev.fdkit.bench;

import dev.fdkit.Fds;
import dev.fdkit.internal.FdScan;
import dev.fdkit.internal.ProcessCalls;

import java.io.IOException;
import java.io.PrintStream;
import java.lang.management.CompilationMXBean;
import java.lang.management.ManagementFactory;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.TreeSet;

import static dev.fdkit.internal.Json.quote;

/**
 * The in-process runner behind {@code fdkit bench}: measures every close, list and spawn method fdkit has against
 * the plain JDK ways, in this JVM, printing a table per descriptor count as it goes (spawn's tables once the whole
 * suite is measured).
 *
 * <p>It never touches the JVM's own descriptors: it chooses a base above the highest descriptor open when it starts
 * (plus {@link FdBlock#HEADROOM}), opens its N files there, and every close it times acts on base and up only.
 *
 * <p>Each point is timed with System.nanoTime around one call, reps times after a warm-up that lasts until the JIT
 * is quiet; each method runs its reps in a block of its own, as the C anchors do, and spawn takes one method through
 * every N before the next. Opening the N files is never timed.
 */
public final class Bench {
    /** Counts visited by close and list between 1000 and --max. */
    private static final int[] POWERS = {10_000, 100_000, 1_000_000, 10_000_000};
    /**
     * Warm-up per method before a suite's first point: at least this long, then on until the JIT has finished no
     * compilation for {@link #WARMUP_QUIET_NANOS}, so the paths being timed run as C2 code and no compiler thread
     * competes with them for the CPUs. A spawn path reaches C2 only after some 10,000 calls (about 6 s): with a
     * fixed 150 ms, the first points were timed on profiling code, with the compiler busy on one of two cores.
     */
    private static final long WARMUP_MIN_NANOS = 150_000_000L;
    /** How long the JIT must have finished nothing before a warm-up ends. */
    private static final long WARMUP_QUIET_NANOS = 1_000_000_000L;
    /** The longest warm-up per method, JIT quiet or not (a note says so when it is reached). */
    private static final long WARMUP_MAX_NANOS = 20_000_000_000L;

    private final BenchOptions options;
    private final PrintStream out;
    private final Progress progress;
    private final List<String> notes = new ArrayList<>();
    private int notesPrinted;
    private final List<Result> results = new ArrayList<>();
    private FdBlock block;
    private int max;
    private int jvmHighest;

    private Bench(BenchOptions options, PrintStream out, PrintStream err, boolean terminal) {
        this.options = options;
        this.out = out;
        this.progress = new Progress(err, terminal);
    }

    /**
     * Runs the suites named in {@code options}, printing to {@code out} (tables as it goes, or one JSON document at
     * the end) and progress to {@code err}; writes the plot if asked. Returns every point measured.
     */
    public static List<Result> run(BenchOptions options, PrintStream out, PrintStream err) throws Exception {
        boolean terminal = System.console() != null && System.console().isTerminal();
        return new Bench(options, out, err, terminal).run();
    }

    private List<Result> run() throws Exception {
        block = FdBlock.aboveJvm();
        jvmHighest = block.base() - 1 - FdBlock.HEADROOM; // the highest the block's base was chosen above
        long capacity = block.capacity();
        if (capacity < 1) {
            throw new IllegalStateException("RLIMIT_NOFILE (soft " + ProcessCalls.getrlimitNofile()[0] + ") leaves no room for "
                    + "descriptors above " + block.base() + "; raise it with 'ulimit -n'");
        }
        max = options.max();
        if (max > capacity) {
            max = (int) capacity;
            notes.add("--max " + options.max() + " lowered to " + max + ": RLIMIT_NOFILE's soft limit is "
                    + ProcessCalls.getrlimitNofile()[0] + " and the bench's descriptors start at " + block.base()
                    + " (raise the limit with 'ulimit -n' to go higher)");
        }
        if (!options.json()) printHeader();
        try {
            if (options.suites().contains(Suite.CLOSE)) closeSuite();
            if (options.suites().contains(Suite.LIST)) listSuite();
            if (options.suites().contains(Suite.SPAWN)) spawnSuite();
        } finally {
            progress.clear();
            block.closeAll();
        }
        if (options.json()) out.println(json());
        if (options.plot() != null) {
            Plot.write(results, machine(), options.plot());
            if (!options.json()) out.println("plot: " + options.plot());
        }
        out.flush();
        return List.copyOf(results);
    }

    /** close and list: 4, 1000, the powers of ten below max, and max itself; each at most max. */
    static List<Integer> sizes(int max) {
        TreeSet<Integer> s = new TreeSet<>(List.of(Math.min(4, max), max));
        if (1000 < max) s.add(1000);
        for (int p : POWERS) if (p < max) s.add(p);
        return List.copyOf(s);
    }

    /** spawn: 10, 1000 and max; each at most max. */
    static List<Integer> spawnSizes(int max) {
        TreeSet<Integer> s = new TreeSet<>(List.of(Math.min(10, max), max));
        if (1000 < max) s.add(1000);
        return List.copyOf(s);
    }

    // ---- suites ------------------------------------------------------------------------------------------------

    private void closeSuite() throws Exception {
        List<CloseMethod> methods = CloseMethod.available(notes);
        int base = block.base();
        warmUp("close", methods.stream().map(CloseMethod::label).toList(), i -> {
            block.open(Math.min(8, max));
            methods.get(i).run(base);
            block.closeAll();
        });
        suiteHeader(Suite.CLOSE, "N distinct /dev/null files opened at " + base + ".." + " (not timed), then one call "
                + "closes (or marks close-on-exec) every descriptor from " + base + " to the end of the table");
        for (int n : sizes(max)) {
            progress.step("close N=" + n);
            long[][] t = new long[methods.size()][options.reps()];
            forEachRep(methods.size(), (rep, i) -> {
                CloseMethod m = methods.get(i);
                block.open(n);
                long start = System.nanoTime();
                m.run(base);
                long elapsed = System.nanoTime() - start;
                verifyClosed(m, n);
                block.closeAll();
                if (rep >= 0) t[i][rep] = elapsed;
            });
            group(Suite.CLOSE, n, methods.stream().map(CloseMethod::label).toList(), t, -1);
        }
    }

    private void verifyClosed(CloseMethod m, int n) throws IOException {
        int open = block.openCount();
        boolean ok = m.marks() ? open == n && block.closeOnExec(0) && block.closeOnExec(n - 1) : open == 0;
        if (!ok) {
            throw new IllegalStateException(m.label() + " left " + open + " of " + n + " descriptors open"
                    + (m.marks() ? " or unmarked" : "") + ": the measurement would be wrong");
        }
    }

    private void listSuite() throws Exception {
        List<ListMethod> methods = ListMethod.available(notes);
        warmUp("list", methods.stream().map(ListMethod::label).toList(), i -> methods.get(i).run());
        suiteHeader(Suite.LIST, "N distinct /dev/null files open at " + block.base() + ".., then each method finds "
                + "every open number; poll-nval and fcntl-probe visit every slot of the table (FDSize), which "
                + "never shrinks");
        for (int n : sizes(max)) {
            progress.step("list N=" + n);
            block.open(n);
            try {
                for (ListMethod m : methods) verifyListed(m, n);
                long[][] t = new long[methods.size()][options.reps()];
                forEachRep(methods.size(), (rep, i) -> {
                    long start = System.nanoTime();
                    methods.get(i).run(); // native calls: nothing here the JIT could drop
                    long elapsed = System.nanoTime() - start;
                    if (rep >= 0) t[i][rep] = elapsed;
                });
                group(Suite.LIST, n, methods.stream().map(ListMethod::label).toList(), t, FdScan.tableSize());
            } finally {
                block.closeAll();
            }
        }
        otherProcessSuite();
    }

    /** Listing another process in full, N descriptors held there: 10, 1000 and 15,000 (each at most max). */
    static List<Integer> otherProcessSizes(int max) {
        TreeSet<Integer> s = new TreeSet<>();
        for (int n : new int[] {10, 1000, 15_000}) s.add(Math.min(n, max));
        return List.copyOf(s);
    }

    private void otherProcessSuite() throws Exception {
        List<LsMethod> methods = LsMethod.available(notes);
        List<String> labels = methods.stream().map(LsMethod::label).toList();
        if (!options.json()) {
            out.println();
            out.println("== list another process in full (kind, name, socket addresses): a JVM holding N "
                    + "descriptors, a quarter each of files, pipe ends, unix socketpair ends and TCP sockets; "
                    + "commands are timed from start to exit, output to /dev/null");
            printNotes();
        }
        for (int n : otherProcessSizes(max)) {
            progress.step("list another process N=" + n);
            Process holder = startHolder(n);
            try {
                long pid = holder.pid();
                int seen = LsMethod.LIBRARY.run(pid);
                if (seen < n) throw new IllegalStateException("Fds.list(" + pid + ") saw " + seen + " of " + n);
                long[][] t = new long[methods.size()][options.reps()];
                for (int i = 0; i < methods.size(); i++) {
                    LsMethod m = methods.get(i);
                    if (m == LsMethod.LIBRARY) warmUpOne("list another process", labels, i, j -> m.run(pid));
                    for (int rep = -1; rep < options.reps(); rep++) {
                        long start = System.nanoTime();
                        m.run(pid);
                        long elapsed = System.nanoTime() - start;
                        if (rep >= 0) t[i][rep] = elapsed;
                        progress.update(m.label() + ", rep " + (rep + 1) + "/" + options.reps());
                    }
                }
                group(Suite.LIST, n, labels, t, -1);
            } finally {
                holder.getOutputStream().close();
                if (!holder.waitFor(30, java.util.concurrent.TimeUnit.SECONDS)) holder.destroyForcibly().waitFor();
            }
        }
    }

    private static Process startHolder(int n) throws IOException {
        Process p = new ProcessBuilder(ProcessHandle.current().info().command().orElse("java"),
                "--enable-native-access=ALL-UNNAMED", "-cp", System.getProperty("java.class.path"),
                FdHolder.class.getName(), Integer.toString(n)).redirectError(ProcessBuilder.Redirect.INHERIT).start();
        String ready = new java.io.BufferedReader(new java.io.InputStreamReader(p.getInputStream())).readLine();
        if (!"ready".equals(ready)) {
            p.destroyForcibly();
            throw new IllegalStateException("the descriptor holder said " + ready + " instead of ready");
        }
        return p;
    }

    private void verifyListed(ListMethod m, int n) throws IOException {
        int[] found = m.run();
        int base = block.base();
        if (m.lists()) {
            int mine = 0;
            for (int fd : found) if (fd >= base && fd < base + n) mine++;
            if (mine != n) {
                throw new IllegalStateException(m.label() + " found " + mine + " of the " + n + " descriptors at "
                        + base + ".." + (base + n - 1));
            }
        } else if (found[0] < n) {
            throw new IllegalStateException(m.label() + " counted " + found[0] + " open, fewer than the " + n
                    + " the bench opened");
        }
    }

    private void spawnSuite() throws Exception {
        List<SpawnMethod> methods = SpawnMethod.available(notes);
        suiteHeader(Suite.SPAWN, "N extra distinct /dev/null files open at " + block.base() + "..; each method "
                + "starts " + SpawnMethod.PROGRAM + " and waits for it to exit (stdio inherited; NuProcess always makes "
                + "its own pipes)");
        // Method by method, each warmed up right before its points and taken through every N in a row, as a JMH
        // trial is: warming every method first left the first one's points to follow some 20 s of other spawners
        // (their children's exits still being torn down), and the machine's speed drifts over tens of seconds
        // (other tenants of a virtual machine), so one method's points seconds apart compare its N, which the
        // flatness of a spawn is about, better than points a minute apart would.
        List<Integer> sizes = spawnSizes(max);
        List<String> labels = methods.stream().map(SpawnMethod::label).toList();
        long[][][] t = new long[sizes.size()][methods.size()][options.reps()];
        for (int i = 0; i < methods.size(); i++) {
            SpawnMethod m = methods.get(i);
            warmUpOne("spawn", labels, i, j -> methods.get(j).run());
            for (int k = 0; k < sizes.size(); k++) {
                int n = sizes.get(k);
                progress.step("spawn " + m.label() + " N=" + n);
                block.open(n);
                try {
                    for (int rep = -1; rep < options.reps(); rep++) {
                        long start = System.nanoTime();
                        m.run();
                        long elapsed = System.nanoTime() - start;
                        if (rep >= 0) t[k][i][rep] = elapsed;
                        progress.update("rep " + (rep + 1) + "/" + options.reps());
                    }
                } finally {
                    block.closeAll();
                }
            }
        }
        for (int k = 0; k < sizes.size(); k++) group(Suite.SPAWN, sizes.get(k), labels, t[k], -1);
        if (!options.json()) printNotes(); // a warm-up cut short
    }

    // ---- loops -------------------------------------------------------------------------------------------------

    @FunctionalInterface
    private interface Step {
        void run(int method) throws Exception;
    }

    @FunctionalInterface
    private interface Timed {
        /** One timed run of method {@code method} in rep {@code rep} (-1: the untimed warm-up rep). */
        void run(int rep, int method) throws Exception;
    }

    /**
     * Runs each method for at least {@link #WARMUP_MIN_NANOS} and until the JIT has been quiet for
     * {@link #WARMUP_QUIET_NANOS} (once each in a one-rep smoke run).
     */
    private void warmUp(String suite, List<String> labels, Step step) throws Exception {
        for (int i = 0; i < labels.size(); i++) warmUpOne(suite, labels, i, step);
    }

    /** Warms up method {@code i} of {@code labels} as {@link #warmUp} does. */
    private void warmUpOne(String suite, List<String> labels, int i, Step step) throws Exception {
        progress.step(suite + " warm-up");
        CompilationMXBean jit = ManagementFactory.getCompilationMXBean();
        boolean watchJit = jit != null && jit.isCompilationTimeMonitoringSupported();
        long start = System.nanoTime(), lastCompile = start;
        long compileMillis = watchJit ? jit.getTotalCompilationTime() : 0;
        long calls = 0;
        while (true) {
            step.run(i);
            calls++;
            progress.update(labels.get(i) + " (method " + (i + 1) + "/" + labels.size() + "), " + calls + " calls");
            if (options.reps() == 1) break;
            long now = System.nanoTime();
            if (watchJit) {
                long c = jit.getTotalCompilationTime();
                if (c != compileMillis) {
                    compileMillis = c;
                    lastCompile = now;
                }
            }
            if (now - start < WARMUP_MIN_NANOS) continue;
            if (now - lastCompile >= WARMUP_QUIET_NANOS) break;
            if (now - start >= WARMUP_MAX_NANOS) {
                notes.add(suite + " warm-up of " + labels.get(i) + " stopped after " + WARMUP_MAX_NANOS / 1_000_000_000L
                        + " s (" + calls + " calls) with the JIT still compiling: its first points may be slow");
                break;
            }
        }
    }

    /**
     * Each method in a block of its own: one untimed run, then the timed reps, as the C anchors and JMH do. Taking
     * turns would charge one method for work another leaves behind (a ProcessBuilder child that copied and closed
     * a 16,000-slot table once doubled the next fdkit spawn's time that way).
     */
    private void forEachRep(int methods, Timed timed) throws Exception {
        for (int i = 0; i < methods; i++) {
            for (int rep = -1; rep < options.reps(); rep++) {
                timed.run(rep, i);
                progress.update("method " + (i + 1) + "/" + methods + ", rep " + (rep + 1) + "/" + options.reps());
            }
        }
    }

    // ---- output ------------------------------------------------------------------------------------------------

    private void group(Suite suite, int n, List<String> labels, long[][] nanos, int fdSize) {
        List<Result> rs = new ArrayList<>();
        for (int i = 0; i < labels.size(); i++) rs.add(Result.of(suite, labels.get(i), n, nanos[i]));
        double best = rs.stream().mapToDouble(Result::medianMicros).min().orElse(1);
        for (Result r : rs) results.add(r.withRatio(best));
        progress.clear();
        if (options.json()) return;
        for (Result r : results.subList(results.size() - rs.size(), results.size())) {
            out.printf(Locale.ROOT, "%7d  %-26s %11.1f %11.1f %8.2f%s%n", r.n(), r.method(), r.medianMicros(),
                    r.minMicros(), r.ratio(), fdSize > 0 ? String.format(Locale.ROOT, " %8d", fdSize) : "");
        }
        out.println();
        out.flush();
    }

    private void printHeader() {
        out.println("fdkit bench: " + machine());
        out.printf(Locale.ROOT, "fdkit here: close mechanism %s, list mechanism %s, CLOSE_RANGE_CLOEXEC %s, "
                        + "RLIMIT_NOFILE %d (hard %d)%n", Fds.closeMechanism().propertyValue(),
                Fds.listMechanism().propertyValue(), Fds.kernelMarksCloseOnExec() ? "yes" : "no",
                ProcessCalls.getrlimitNofile()[0], ProcessCalls.getrlimitNofile()[1]);
        out.println("safety: this JVM's own descriptors are all at or below " + jvmHighest + "; the bench opens its "
                + "own at " + block.base() + " and up and only ever closes from " + block.base() + " upward "
                + "(close_range(" + block.base() + ", ~0U) and its equivalents), never the JVM's");
        out.println("timing: median and minimum of " + options.reps() + " timed call" + (options.reps() == 1 ? "" : "s")
                + " per point after warm-up (System.nanoTime around each call), in microseconds; "
                + "ratio = median / best median at the same N");
        printNotes();
        out.flush();
    }

    private void suiteHeader(Suite suite, String what) {
        if (options.json()) return;
        out.println();
        out.println("== " + suite.id() + ": " + what);
        printNotes();
        out.printf(Locale.ROOT, "%7s  %-26s %11s %11s %8s%s%n", "N", "method", "median_us", "min_us", "ratio",
                suite == Suite.LIST ? "   FDSize" : "");
        out.flush();
    }

    private void printNotes() {
        for (; notesPrinted < notes.size(); notesPrinted++) out.println("note: " + notes.get(notesPrinted));
    }

    static String kernel() {
        try {
            return Files.readString(Path.of("/proc/sys/kernel/osrelease")).trim();
        } catch (IOException e) {
            return System.getProperty("os.version");
        }
    }

    static String jdk() {
        return Runtime.version() + " (" + System.getProperty("java.vm.name") + ", " + System.getProperty("java.vendor")
                + ")";
    }

    /** One line naming the machine: kernel, architecture, JDK, CPUs. */
    static String machine() {
        return "Linux " + kernel() + " " + System.getProperty("os.arch") + ", JDK " + jdk() + ", "
                + Runtime.getRuntime().availableProcessors() + " CPUs";
    }

    private String json() {
        StringBuilder sb = new StringBuilder("{\n");
        field(sb, "kernel", kernel()).append(",\n");
        field(sb, "arch", System.getProperty("os.arch")).append(",\n");
        field(sb, "jdk", jdk()).append(",\n");
        sb.append("  \"cpus\": ").append(Runtime.getRuntime().availableProcessors()).append(",\n");
        sb.append("  \"rlimit_nofile\": ").append(ProcessCalls.getrlimitNofile()[0]).append(",\n");
        field(sb, "close_mechanism", Fds.closeMechanism().propertyValue()).append(",\n");
        field(sb, "list_mechanism", Fds.listMechanism().propertyValue()).append(",\n");
        sb.append("  \"kernel_cloexec\": ").append(Fds.kernelMarksCloseOnExec()).append(",\n");
        sb.append("  \"jvm_highest_fd\": ").append(jvmHighest).append(",\n");
        sb.append("  \"base_fd\": ").append(block.base()).append(",\n");
        sb.append("  \"max\": ").append(max).append(",\n");
        sb.append("  \"reps\": ").append(options.reps()).append(",\n");
        sb.append("  \"notes\": [");
        for (int i = 0; i < notes.size(); i++) sb.append(i == 0 ? "" : ", ").append(quote(notes.get(i)));
        sb.append("],\n  \"results\": [");
        for (int i = 0; i < results.size(); i++) {
            Result r = results.get(i);
            sb.append(i == 0 ? "\n    " : ",\n    ")
                    .append("{\"suite\": ").append(quote(r.suite().id()))
                    .append(", \"method\": ").append(quote(r.method()))
                    .append(", \"n\": ").append(r.n())
                    .append(String.format(Locale.ROOT, ", \"median_us\": %.3f, \"min_us\": %.3f, \"ratio\": %.4f",
                            r.medianMicros(), r.minMicros(), r.ratio()))
                    .append(", \"reps\": ").append(r.reps()).append('}');
        }
        return sb.append(results.isEmpty() ? "]\n}" : "\n  ]\n}").toString();
    }

    private static StringBuilder field(StringBuilder sb, String key, String value) {
        return sb.append("  ").append(quote(key)).append(": ").append(quote(value));
    }
}
