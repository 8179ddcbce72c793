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
import java.time.Instant;
import java.time.temporal.ChronoUnit;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;
import java.util.concurrent.BrokenBarrierException;
import java.util.concurrent.CyclicBarrier;
import java.util.concurrent.atomic.AtomicReference;

/**
 * The in-process runner behind {@code fdkit bench}: measures fdkit's close, list and spawn calls against the plain
 * JDK ways and against anchors doing the same work with nothing of fdkit around it (a C program it runs as a child
 * process; in this JVM, for close a bare FFM downcall and for spawn the C program's floors loaded as a library),
 * printing a table per descriptor count as it goes.
 *
 * <p>It never touches the JVM's own descriptors: it chooses a base above the highest descriptor open when it starts
 * (plus {@link FdBlock#HEADROOM}), opens its N files there, and every close it times acts on base and up only.
 *
 * <p>Methods and anchors are interleaved in rounds: in each round every method runs one block (one untimed call,
 * then {@code --reps} timed ones, System.nanoTime around each), in an order shuffled anew each round. A method's
 * ratio to an anchor is taken per round, from the two block medians of that round, so a machine whose speed drifts
 * over seconds moves both sides of each ratio; the table gives the median ratio over the rounds with an
 * order-statistic confidence interval ({@link Stats#ratio}). Opening the N files is never timed, and every Java
 * method is warmed up until the JIT is quiet before the first round.
 */
public final class Bench {
    /** The seed of the order the subjects run in, round by round (see {@link #rounds(String, List, int)}). */
    private static final long ORDER_SEED = 0x6664_6b69_74L;
    /** spawn-threads: how many threads spawn at once. */
    static final int[] SPAWN_THREADS = {1, 2, 4};
    /** spawn-threads: each thread makes this many spawns per timed rep of a block (throughput wants a longer block). */
    private static final int SPAWNS_PER_REP = 10;
    /** spawn-threads: the extra descriptors open meanwhile (at most --max). */
    private static final int SPAWN_THREADS_FDS = 1000;
    /**
     * Warm-up per method before a suite's first round: at least this long, then on until the JIT has finished no
     * compilation for {@link #WARMUP_QUIET_NANOS}, so the paths being timed run as C2 code and no compiler thread
     * competes with them for the CPUs. A spawn path reaches C2 only after some 10,000 calls (about 6 s): with a
     * fixed 150 ms, the first points were timed on profiling code, with the compiler busy on one of two cores.
     */
    private static final long WARMUP_MIN_NANOS = 150_000_000L;
    /** How long the JIT must have finished nothing before a warm-up ends. */
    private static final long WARMUP_QUIET_NANOS = 1_000_000_000L;
    /** The longest warm-up per method, JIT quiet or not (a note says so when it is reached). */
    private static final long WARMUP_MAX_NANOS = 20_000_000_000L;

    /**
     * Ratio columns: C is the C anchor doing the same work, FFM the bare downcall in this JVM; C+reaper (spawn,
     * fdkit's rows) the C floor started and waited for with the system calls fdkit makes around it, on the threads
     * that make them (a reaper thread woken per start, reading the child's /proc/PID/stat), JVM+pidfd (the same rows)
     * the floor with fdkit's calls on one thread, run in this JVM, and JVM+reaper the C+reaper design run in this JVM.
     */
    static final String C = "C", FFM = "FFM", C_REAPER = "C+reaper", JVM_PIDFD = "JVM+pidfd",
            JVM_REAPER = "JVM+reaper";
    private static final String C_PREFIX = "C ";
    private static final String C_FLOOR = "C shared-table floor";
    private static final String C_FLOOR_PIDFD = "C floor + pidfd/epoll";
    private static final String C_FLOOR_REAPER = "C floor + pidfd + reaper";
    private static final String C_FLOOR_READ = "C floor + pidfd + read";

    private final BenchOptions options;
    private final PrintStream out;
    private final Progress progress;
    private final List<String> notes = new ArrayList<>();
    private int notesPrinted;
    private final List<Result> results = new ArrayList<>();
    private FdBlock block;
    private int max;
    private int jvmHighest;
    private CAnchor anchor;

    private Bench(BenchOptions options, PrintStream out, PrintStream err, boolean terminal) {
        this.options = options;
        this.out = out;
        this.progress = new Progress(err, terminal);
    }

    /**
     * Runs the suites named in {@code options} (or reads the results of {@code --from}), printing to {@code out}
     * (tables as it goes, or one JSON document at the end, and the comparison {@code --compare} asks for) and
     * progress to {@code err}; writes the plot if asked. Returns how many ratios {@code --compare} found to have
     * regressed (0 without it).
     */
    public static int run(BenchOptions options, PrintStream out, PrintStream err) throws Exception {
        boolean terminal = System.console() != null && System.console().isTerminal();
        return new Bench(options, out, err, terminal).run();
    }

    private int run() throws Exception {
        BenchJson.Document baseline = options.compare() == null ? null : BenchJson.read(options.compare());
        String machine;
        if (options.from() != null) {
            BenchJson.Document doc = BenchJson.read(options.from());
            results.addAll(doc.results());
            machine = doc.string("machine");
            if (!options.json()) printFrom(doc);
        } else {
            machine = machine();
            measure();
        }
        if (options.json()) out.println(BenchJson.write(header(), results));
        int regressions = baseline == null ? 0 : Compare.print(out, options.compare(), baseline.results(), results);
        if (options.plot() != null) {
            Plot.write(results, machine, options.plot());
            if (!options.json()) out.println("plot: " + options.plot());
        }
        out.flush();
        return regressions;
    }

    private void measure() throws Exception {
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
        if (CAnchor.shipped()) anchor = CAnchor.start();
        else notes.add("this jar has no C anchor for " + System.getProperty("os.arch") + ": the C rows and ratios are missing");
        if (!options.json()) printHeader();
        try {
            if (options.suites().contains(Suite.CLOSE)) closeSuite();
            if (options.suites().contains(Suite.LIST)) listSuite();
            if (options.suites().contains(Suite.SPAWN)) spawnSuite();
            if (options.suites().contains(Suite.SPAWN_THREADS)) spawnThreadsSuite();
        } finally {
            progress.clear();
            block.closeAll();
            if (anchor != null) anchor.close();
        }
        if (!options.json()) printNotes();
    }

    /**
     * close and list: 4, 1000 and max; each at most max. No points between: at 16,000 every round of the close suite
     * opens 16,000 files some 60 times, and a point at 10,000 cost a third of the default run's time.
     */
    static List<Integer> sizes(int max) {
        TreeSet<Integer> s = new TreeSet<>(List.of(Math.min(4, max), max));
        if (1000 < max) s.add(1000);
        return List.copyOf(s);
    }

    /** spawn: 10, 1000 and max; each at most max. */
    static List<Integer> spawnSizes(int max) {
        TreeSet<Integer> s = new TreeSet<>(List.of(Math.min(10, max), max));
        if (1000 < max) s.add(1000);
        return List.copyOf(s);
    }

    // ---- suites ------------------------------------------------------------------------------------------------

    /** A suite's start: every Java method warmed up, then the suite's heading. */
    private void begin(Suite suite, List<String> labels, Step warm) throws Exception {
        warmUp(suite.id(), labels, warm);
        suiteHeader(suite, block.base());
    }

    private void closeSuite() throws Exception {
        List<CloseMethod> methods = CloseMethod.available(notes);
        int base = block.base();
        begin(Suite.CLOSE, methods.stream().map(CloseMethod::label).toList(), i -> {
            block.open(Math.min(8, max));
            methods.get(i).run(base);
            block.closeAll();
        });
        for (int n : sizes(max)) {
            progress.step("close N=" + n);
            List<Subject> subjects = new ArrayList<>();
            for (CloseMethod m : methods) {
                subjects.add(new Subject(m.label(), m.marks(), reps -> timed(reps, () -> {
                    block.open(n);
                    long start = System.nanoTime();
                    m.run(base);
                    long elapsed = System.nanoTime() - start;
                    verifyClosed(m, n);
                    block.closeAll();
                    return elapsed;
                })));
            }
            if (anchor != null) {
                for (String c : List.of("close_range", "close_range-cloexec", "readdir+close")) {
                    subjects.add(new Subject(C_PREFIX + c, c.endsWith("cloexec"),
                            reps -> anchor.block("close " + c + " " + n + " " + reps)));
                }
            }
            // Closing methods against the anchors that close, marking ones against the anchors that mark.
            group(Suite.CLOSE, n, subjects, rounds("close N=" + n, subjects), s -> List.of(
                    new Column(C, C_PREFIX + (s.marks() ? "close_range-cloexec" : "close_range")),
                    new Column(FFM, s.marks() ? CloseMethod.FFM_CLOSE_RANGE_CLOEXEC.label() : CloseMethod.FFM_CLOSE_RANGE.label())),
                    -1);
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
        begin(Suite.LIST, methods.stream().map(ListMethod::label).toList(), i -> methods.get(i).run());
        for (int n : sizes(max)) {
            progress.step("list N=" + n);
            block.open(n);
            try {
                for (ListMethod m : methods) verifyListed(m, n);
                int slots = FdScan.tableSize();
                List<Subject> subjects = new ArrayList<>();
                for (ListMethod m : methods) subjects.add(callTimed(m.label(), m::run));
                if (anchor != null) {
                    subjects.add(new Subject(C_PREFIX + "poll-nval", false,
                            reps -> anchor.block("list " + n + " " + reps + " " + slots)));
                }
                group(Suite.LIST, n, subjects, rounds("list N=" + n, subjects),
                        s -> List.of(new Column(C, C_PREFIX + "poll-nval")), slots);
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
        if (!options.json()) {
            out.println();
            out.println("== list another process in full (kind, name, socket addresses): a JVM holding N "
                    + "descriptors, a quarter each of files, pipe ends, unix socketpair ends and TCP sockets; "
                    + "commands are timed from start to exit, output to /dev/null; ratio column lsfd: against "
                    + "util-linux's lsfd, a C program");
            printNotes();
        }
        boolean warm = false;
        for (int n : otherProcessSizes(max)) {
            progress.step("list another process N=" + n);
            Process holder = startHolder(n);
            try {
                long pid = holder.pid();
                int seen = LsMethod.LIBRARY.run(pid);
                if (seen < n) throw new IllegalStateException("Fds.list(" + pid + ") saw " + seen + " of " + n);
                if (!warm) {
                    warmUpOne("list another process", List.of(LsMethod.LIBRARY.label()), 0, j -> LsMethod.LIBRARY.run(pid));
                    progress.step("list another process N=" + n);
                    warm = true;
                }
                List<Subject> subjects = new ArrayList<>();
                // One timed call per block, with no untimed one before it for the commands: each is a new
                // process reading /proc afresh, which a call before it does not warm, and a new JVM (fdkit ls)
                // takes most of a second: blocks of the usual size made this part alone take minutes.
                for (LsMethod m : methods) {
                    subjects.add(m == LsMethod.LIBRARY ? callTimed(m.label(), () -> m.run(pid))
                            : new Subject(m.label(), false, reps -> new long[] {timeOf(() -> m.run(pid))}));
                }
                group(Suite.LIST, n, subjects, rounds("list another process N=" + n, subjects, 1),
                        s -> List.of(new Column("lsfd", LsMethod.LSFD.label())), -1);
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
        List<SpawnMethod> floorsInJvm = InJvmAnchor.available(notes);
        List<SpawnMethod> warmed = new ArrayList<>(methods);
        warmed.addAll(floorsInJvm);
        begin(Suite.SPAWN, warmed.stream().map(SpawnMethod::label).toList(), i -> warmed.get(i).run());
        for (int n : spawnSizes(max)) {
            progress.step("spawn N=" + n);
            block.open(n);
            try {
                List<Subject> subjects = new ArrayList<>();
                for (SpawnMethod m : methods) subjects.add(callTimed(m.label(), m::run));
                if (anchor != null) {
                    // The C program holds n files of its own for all the blocks of this size, as this JVM does.
                    subjects.add(new Subject(C_FLOOR, false, reps -> anchor.block("spawn floor " + n + " " + reps)));
                    subjects.add(new Subject(C_FLOOR_PIDFD, false,
                            reps -> anchor.block("spawn floor-pidfd " + n + " " + reps)));
                    subjects.add(new Subject(C_FLOOR_REAPER, false,
                            reps -> anchor.block("spawn floor-reaper " + n + " " + reps)));
                    subjects.add(new Subject(C_FLOOR_READ, false,
                            reps -> anchor.block("spawn floor-read " + n + " " + reps)));
                    subjects.add(new Subject(C_PREFIX + "posix_spawn+closefrom_np", false,
                            reps -> anchor.block("spawn posix_spawn+closefrom_np " + n + " " + reps)));
                }
                // The same floors in this JVM, with this JVM's table (the n files among it), timed as fdkit is.
                for (SpawnMethod m : floorsInJvm) subjects.add(callTimed(m.label(), m::run));
                group(Suite.SPAWN, n, subjects, rounds("spawn N=" + n, subjects), s -> spawnColumns(s.label()), -1);
            } finally {
                block.closeAll();
            }
        }
    }

    /**
     * The floor is the headline. fdkit's rows also against fdkit's design written in C (the floor with fdkit's calls
     * and a reaper thread), which splits fdkit's gap into what that design costs the kernel and the scheduler (that
     * row against the floor) and what fdkit's Java adds; and against the floor with fdkit's calls run in this JVM,
     * whose own C column (against its twin in the C anchor) is what the JVM process costs; and against fdkit's
     * design in C run in this JVM, which leaves out what the JVM process costs: what fdkit's Java adds, in one process.
     */
    private static List<Column> spawnColumns(String label) {
        if (FdkitSpawn.isFdkit(label)) {
            return List.of(new Column(C, C_FLOOR), new Column(C_REAPER, C_FLOOR_REAPER),
                    new Column(JVM_PIDFD, InJvmAnchor.Floor.FLOOR_PIDFD.label()),
                    new Column(JVM_REAPER, InJvmAnchor.Floor.FLOOR_REAPER.label()));
        }
        for (InJvmAnchor.Floor f : InJvmAnchor.Floor.values()) {
            if (f.label().equals(label)) return List.of(new Column(C, outOfProcessTwin(f)));
        }
        return List.of(new Column(C, C_FLOOR));
    }

    /** The C anchor's row doing what {@code floor} does in this JVM. */
    private static String outOfProcessTwin(InJvmAnchor.Floor floor) {
        return switch (floor) {
            case FLOOR -> C_FLOOR;
            case FLOOR_PIDFD -> C_FLOOR_PIDFD;
            case FLOOR_REAPER -> C_FLOOR_REAPER;
        };
    }

    /**
     * fdkit's default spawn from 1, 2 and 4 threads at once against the C floor from as many threads, with
     * {@link #SPAWN_THREADS_FDS} extra descriptors open: one block is every thread making one untimed spawn, then
     * all starting together and each making reps x {@link #SPAWNS_PER_REP} spawns; its figure is the block's wall
     * time per spawn (the inverse of spawns per second).
     */
    private void spawnThreadsSuite() throws Exception {
        SpawnMethod fdkit = FdkitSpawn.DEFAULT;
        warmUpOne("spawn-threads", List.of(fdkit.label()), 0, i -> fdkit.run());
        int n = Math.min(SPAWN_THREADS_FDS, max);
        suiteHeader(Suite.SPAWN_THREADS, n);
        block.open(n);
        try {
            for (int threads : SPAWN_THREADS) {
                progress.step("spawn-threads T=" + threads);
                List<Subject> subjects = new ArrayList<>();
                subjects.add(new Subject(fdkit.label(), false,
                        reps -> new long[] {spawnFromThreads(fdkit, threads, reps * SPAWNS_PER_REP)}));
                if (anchor != null) {
                    subjects.add(new Subject(C_FLOOR, false, reps -> {
                        int spawns = reps * SPAWNS_PER_REP;
                        long wall = anchor.block("spawn-threads " + threads + " " + n + " " + spawns)[0];
                        return new long[] {wall / ((long) threads * spawns)};
                    }));
                }
                group(Suite.SPAWN_THREADS, threads, subjects, rounds("spawn-threads T=" + threads, subjects),
                        s -> List.of(new Column(C, C_FLOOR)), 0);
            }
        } finally {
            block.closeAll();
        }
    }

    /** One spawn-threads block: the wall time per spawn, in nanoseconds, of threads x spawns spawns. */
    private static long spawnFromThreads(SpawnMethod method, int threads, int spawns) throws Exception {
        CyclicBarrier start = new CyclicBarrier(threads + 1);
        AtomicReference<Throwable> failure = new AtomicReference<>();
        // Each thread reads the clock itself after the start: this thread may be scheduled only after the spawners
        // have done much of their work, and its own reading would then miss it.
        long[] began = new long[threads], ended = new long[threads];
        List<Thread> spawners = new ArrayList<>();
        for (int t = 0; t < threads; t++) {
            int index = t;
            spawners.add(Thread.ofPlatform().name("bench-spawner-" + t).start(() -> {
                try {
                    method.run(); // untimed, as every block's first call
                    start.await();
                    began[index] = System.nanoTime();
                    for (int k = 0; k < spawns; k++) method.run();
                    ended[index] = System.nanoTime();
                } catch (Throwable e) {
                    failure.compareAndSet(null, e);
                    start.reset(); // releases the others if it failed before the start
                }
            }));
        }
        try {
            start.await();
        } catch (BrokenBarrierException e) {
            // a spawner failed before the start: joined and reported below
        }
        for (Thread t : spawners) t.join(); // join: the clock readings are visible after it
        if (failure.get() != null) throw new IllegalStateException(method.label() + " failed from a thread", failure.get());
        long wall = java.util.Arrays.stream(ended).max().orElseThrow() - java.util.Arrays.stream(began).min().orElseThrow();
        return wall / ((long) threads * spawns);
    }

    // ---- rounds ------------------------------------------------------------------------------------------------

    /** One block of a method: one untimed call, then {@code reps} timed ones; returns their times in nanoseconds. */
    @FunctionalInterface
    private interface Block {
        long[] run(int reps) throws Exception;
    }

    /** A method or anchor of one round: its label, whether it marks close-on-exec rather than closing, its block. */
    private record Subject(String label, boolean marks, Block block) {}

    /** A ratio column: its name, and the label of the anchor a subject is divided by in it. */
    private record Column(String name, String anchor) {}

    @FunctionalInterface
    private interface TimedCall {
        /** One call; returns how long the part that counts took, in nanoseconds. */
        long time() throws Exception;
    }

    /**
     * A call with nothing to prepare, timed whole. What it returns is dropped, but each is native calls or a
     * process, which the JIT cannot remove.
     */
    @FunctionalInterface
    private interface Call {
        void run() throws Exception;
    }

    private static Subject callTimed(String label, Call call) {
        return new Subject(label, false, reps -> timed(reps, () -> timeOf(call)));
    }

    private static long timeOf(Call call) throws Exception {
        long start = System.nanoTime();
        call.run();
        return System.nanoTime() - start;
    }

    private static long[] timed(int reps, TimedCall call) throws Exception {
        long[] t = new long[reps];
        for (int rep = -1; rep < reps; rep++) {
            long elapsed = call.time();
            if (rep >= 0) t[rep] = elapsed;
        }
        return t;
    }

    /**
     * Every subject one block per round, in an order shuffled anew each round, so no subject always runs first after a
     * pause or always follows the same other one: a block runs while the one before it is still being cleaned up
     * after (a ProcessBuilder block at 16,000 descriptors leaves its reaper threads and freed tables behind), and an
     * order that only rotated would charge that to the same subject in every round. The shuffle's seed is fixed, so
     * two runs with the same subjects use the same orders. Returns [subject][round][rep].
     */
    private long[][][] rounds(String step, List<Subject> subjects) throws Exception {
        return rounds(step, subjects, options.reps());
    }

    /** {@link #rounds(String, List)} with blocks of {@code reps} timed calls. */
    private long[][][] rounds(String step, List<Subject> subjects, int reps) throws Exception {
        int count = subjects.size(), rounds = options.rounds();
        long[][][] t = new long[count][rounds][];
        java.util.Random shuffle = new java.util.Random(ORDER_SEED);
        List<Integer> order = new ArrayList<>();
        for (int i = 0; i < count; i++) order.add(i);
        for (int r = 0; r < rounds; r++) {
            java.util.Collections.shuffle(order, shuffle);
            for (int i : order) {
                Subject s = subjects.get(i);
                progress.update("round " + (r + 1) + "/" + rounds + ", " + s.label());
                long[] times = s.block().run(reps);
                if (times.length == 0) throw new IllegalStateException(s.label() + " timed nothing in " + step);
                t[i][r] = times;
            }
        }
        return t;
    }

    /** Turns one N's rounds into results: times over every call, ratios round by round; prints the rows. */
    private void group(Suite suite, int n, List<Subject> subjects, long[][][] t,
                       java.util.function.Function<Subject, List<Column>> columns, double extra) {
        List<String> labels = subjects.stream().map(Subject::label).toList();
        int rounds = options.rounds();
        double[][] blockMedian = new double[subjects.size()][rounds];
        for (int i = 0; i < subjects.size(); i++) for (int r = 0; r < rounds; r++) blockMedian[i][r] = Stats.median(t[i][r]);
        List<Result> rs = new ArrayList<>();
        for (int i = 0; i < subjects.size(); i++) {
            long[] all = java.util.Arrays.stream(t[i]).flatMapToLong(java.util.Arrays::stream).toArray();
            List<Ratio> ratios = new ArrayList<>();
            for (Column c : columns.apply(subjects.get(i))) {
                int a = labels.indexOf(c.anchor());
                if (a < 0 || a == i) continue; // anchor missing here, or the anchor itself
                double[] perRound = new double[rounds];
                for (int r = 0; r < rounds; r++) perRound[r] = blockMedian[i][r] / blockMedian[a][r];
                ratios.add(Stats.ratio(c.name(), c.anchor(), perRound));
            }
            double median = Stats.median(all) / 1000.0;
            double min = java.util.Arrays.stream(all).min().orElseThrow() / 1000.0;
            double x = suite == Suite.SPAWN_THREADS ? 1e6 / median : extra;
            rs.add(new Result(suite, labels.get(i), n, median, min, all.length, rounds, ratios, x));
        }
        results.addAll(rs);
        progress.clear();
        if (!options.json()) printGroup(rs);
    }

    // ---- warm-up -----------------------------------------------------------------------------------------------

    @FunctionalInterface
    private interface Step {
        void run(int method) throws Exception;
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

    // ---- output ------------------------------------------------------------------------------------------------

    /** The method column's width: the longest label, "C floor + pidfd + reaper in this JVM". */
    static final int METHOD_WIDTH = 36;
    private static final String ROW = "%7d  %-" + METHOD_WIDTH + "s %11.1f %11.1f";

    /** One N's rows, under a heading naming the ratio columns present. */
    private void printGroup(List<Result> rs) {
        Set<String> columns = new LinkedHashSet<>();
        for (Result r : rs) for (Ratio q : r.ratios()) columns.add(q.column());
        String extra = rs.stream().anyMatch(r -> r.extra() >= 0) ? extraName(rs.get(0).suite()) : null;
        StringBuilder head = new StringBuilder(String.format(Locale.ROOT, "%7s  %-" + METHOD_WIDTH + "s %11s %11s",
                rs.get(0).suite() == Suite.SPAWN_THREADS ? "T" : "N", "method", "median_us", "min_us"));
        for (String c : columns) head.append(String.format(Locale.ROOT, "  %-24s", "vs " + c + " [CI]"));
        if (extra != null) head.append(String.format(Locale.ROOT, " %9s", extra));
        out.println(head.toString().stripTrailing());
        for (Result r : rs) {
            StringBuilder row = new StringBuilder(String.format(Locale.ROOT, ROW, r.n(), r.method(), r.medianMicros(),
                    r.minMicros()));
            for (String c : columns) {
                Ratio q = r.ratio(c);
                row.append(String.format(Locale.ROOT, "  %-24s", q == null ? "-" : format(q)));
            }
            if (extra != null && r.extra() >= 0) row.append(String.format(Locale.ROOT, " %9.0f", r.extra()));
            out.println(row.toString().stripTrailing());
        }
        out.println();
        out.flush();
    }

    /** "1.02 [0.98, 1.05]": the median ratio over rounds and its interval. */
    static String format(Ratio q) {
        return String.format(Locale.ROOT, "%.2f [%.2f, %.2f]", q.median(), q.low(), q.high());
    }

    private static String extraName(Suite suite) {
        return switch (suite) {
            case LIST -> "FDSize";
            case SPAWN_THREADS -> "spawns/s";
            default -> "extra";
        };
    }

    /** What one timed call of the suite does; {@code x} is the bench's base descriptor (spawn-threads: N). */
    static String describe(Suite suite, int x) {
        return switch (suite) {
            case CLOSE -> "N distinct /dev/null files opened at " + x + ".. (not timed), then one call closes (or marks "
                    + "close-on-exec) every descriptor from " + x + " to the end of the table; the C anchor does the "
                    + "same from 3 in its own process. vs C: closing methods against C close_range, marking ones "
                    + "against C close_range-cloexec; vs FFM: the same against the bare downcall in this JVM";
            case LIST -> "N distinct /dev/null files open at " + x + ".., then each method finds every open number; "
                    + "poll-nval and fcntl-probe visit every slot of the table (FDSize), which never shrinks. vs C: "
                    + "against one poll(2) over as many slots in the single-threaded C anchor";
            case SPAWN -> "N extra distinct /dev/null files open at " + x + "..; each method starts "
                    + SpawnMethod.PROGRAM + " and waits for it to exit (stdio inherited; NuProcess always makes its own "
                    + "pipes). vs C: against the C floor, a child sharing the parent's memory and table that calls "
                    + "close_range(3, ~0U, CLOSE_RANGE_UNSHARE) and execs, with as many files open. "
                    + "'C floor + pidfd/epoll': the same child started and waited for with fdkit's system calls "
                    + "(clone3 with CLONE_PIDFD, a write to an eventfd in an epoll set, poll on the pidfd, waitid, "
                    + "close); its vs C is what those calls cost the kernel. vs C+reaper (fdkit's rows): against "
                    + "'C floor + pidfd + reaper', those calls with a reaper thread that the write wakes and that reads "
                    + "the child's /proc/PID/stat (the start time the JDK's ProcessHandle needs), as fdkit's does: that "
                    + "row's vs C is the cost of fdkit's design in C, fdkit's vs C+reaper what Java adds to it. "
                    + "'C floor + pidfd + read': the same read with no reaper, made by the spawning thread right after "
                    + "the start, where the JDK's own Process makes it. The three rows 'in this JVM' run the same C "
                    + "code loaded into this JVM and called through FFM once per spawn: their vs C "
                    + "(against the same floor in the C anchor) is what spawning from a JVM process costs; vs "
                    + "JVM+pidfd (fdkit's rows): against the pidfd one; vs JVM+reaper: against the reaper one, what "
                    + "fdkit's Java adds to its design, measured in one process";
            case SPAWN_THREADS -> "T threads each start " + SpawnMethod.PROGRAM + " and wait, over and over, all at "
                    + "once, " + x + " extra files open; median_us and min_us are the wall time of a block per spawn. "
                    + "vs C: against the C floor spawning from as many threads";
        };
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
        out.println(timing(options.rounds(), options.reps()));
        printNotes();
        out.flush();
    }

    static String timing(int rounds, int reps) {
        double level = Stats.ratio("", "", new double[rounds]).level();
        return "timing: " + rounds + " round" + (rounds == 1 ? "" : "s") + "; in each, every method and anchor runs a "
                + "block of one untimed call and " + reps + " timed (System.nanoTime around each; the C anchor "
                + "times its own with CLOCK_MONOTONIC), in an order shuffled anew each round; median_us and min_us "
                + "over every timed call, in microseconds; vs X = median over rounds of (block median / the anchor's "
                + "block median in the same round) [interval: order statistics of the per-round ratios, covering "
                + "the median with probability " + String.format(Locale.ROOT, "%.1f%%", 100 * level) + "]";
    }

    private void suiteHeader(Suite suite, int x) {
        if (options.json()) return;
        out.println();
        out.println("== " + suite.id() + ": " + describe(suite, x));
        printNotes();
        out.flush();
    }

    /** --from: the stored run's tables, as it printed them. */
    private void printFrom(BenchJson.Document doc) {
        out.println("fdkit bench: results from " + options.from() + ", measured " + doc.string("date") + " on "
                + doc.string("machine"));
        Object rounds = doc.header().get("rounds"), reps = doc.header().get("reps");
        if (rounds instanceof Double r && reps instanceof Double k) out.println(timing(r.intValue(), k.intValue()));
        if (doc.header().get("notes") instanceof List<?> ns) for (Object note : ns) out.println("note: " + note);
        int base = (int) Double.parseDouble(doc.string("base_fd").replace("?", "0"));
        Suite suite = null;
        List<Result> group = new ArrayList<>();
        for (Result r : results) {
            if (!group.isEmpty() && (group.get(0).n() != r.n() || group.get(0).suite() != r.suite())) {
                printGroup(group);
                group.clear();
            }
            if (r.suite() != suite) {
                suite = r.suite();
                out.println();
                out.println("== " + suite.id() + ": " + describe(suite, suite == Suite.SPAWN_THREADS
                        ? Math.min(SPAWN_THREADS_FDS, (int) Double.parseDouble(doc.string("max"))) : base));
            }
            group.add(r);
        }
        if (!group.isEmpty()) printGroup(group);
    }

    private Map<String, Object> header() {
        Map<String, Object> h = new LinkedHashMap<>();
        h.put("machine", machine());
        h.put("date", Instant.now().truncatedTo(ChronoUnit.SECONDS).toString());
        h.put("kernel", kernel());
        h.put("arch", System.getProperty("os.arch"));
        h.put("jdk", jdk());
        h.put("cpus", Runtime.getRuntime().availableProcessors());
        if (block != null) {
            h.put("rlimit_nofile", ProcessCalls.getrlimitNofile()[0]);
            h.put("close_mechanism", Fds.closeMechanism().propertyValue());
            h.put("list_mechanism", Fds.listMechanism().propertyValue());
            h.put("kernel_cloexec", Fds.kernelMarksCloseOnExec());
            h.put("jvm_highest_fd", jvmHighest);
            h.put("base_fd", block.base());
            h.put("max", max);
        }
        h.put("reps", options.reps());
        h.put("rounds", options.rounds());
        h.put("interval", "order statistics of the per-round ratios (see BENCHMARKS.md)");
        h.put("notes", List.copyOf(notes));
        return h;
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
}
