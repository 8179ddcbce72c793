package dev.fdkit.bench;

import dev.fdkit.spawn.FdProcessBuilder;
import dev.fdkit.spawn.SpawnMechanism;
import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.BenchmarkMode;
import org.openjdk.jmh.annotations.Level;
import org.openjdk.jmh.annotations.Mode;
import org.openjdk.jmh.annotations.OutputTimeUnit;
import org.openjdk.jmh.annotations.Param;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.annotations.State;
import org.openjdk.jmh.annotations.TearDown;
import org.openjdk.jmh.annotations.Warmup;
import org.openjdk.jmh.infra.BenchmarkParams;
import org.openjdk.jmh.infra.IterationParams;
import org.openjdk.jmh.profile.InternalProfiler;
import org.openjdk.jmh.results.AggregationPolicy;
import org.openjdk.jmh.results.IterationResult;
import org.openjdk.jmh.results.ScalarResult;
import org.openjdk.jmh.results.RunResult;
import org.openjdk.jmh.runner.Runner;
import org.openjdk.jmh.runner.RunnerException;
import org.openjdk.jmh.runner.options.OptionsBuilder;
import org.openjdk.jmh.runner.options.TimeValue;
import org.openjdk.jmh.runner.options.VerboseMode;

import java.io.FileInputStream;
import java.io.IOException;
import java.net.InetSocketAddress;
import java.lang.management.ManagementFactory;
import java.net.Socket;
import java.nio.channels.ServerSocketChannel;
import java.nio.channels.SocketChannel;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Collection;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.concurrent.TimeUnit;

/**
 * What the fdkit agent costs and saves: opening and closing a file, connecting and closing a socket, and a plain
 * ProcessBuilder start of /bin/true with N descriptors open, each without the agent and under each agent setting
 * (JMH's {@code -jvmArgsAppend -javaagent:fdkit-agent.jar=...}), with FdProcessBuilder's start as the target for
 * the routed one. {@link #main} runs every combination in one go and prints the ratios (see docs/BENCHMARKS.md).
 */
@State(Scope.Thread)
@BenchmarkMode(Mode.AverageTime)
@OutputTimeUnit(TimeUnit.MICROSECONDS)
@Warmup(iterations = 8, time = 1)
public class AgentBenchmark extends BenchmarkDefaults {
    /** Extra descriptors open in the JVM while each operation runs. */
    @Param({"10", "16000"})
    public int n;

    private FdBlock block;
    private ServerSocketChannel server;
    private Thread acceptor;

    /** JMH instantiates the state. */
    public AgentBenchmark() {}

    @Setup(Level.Trial)
    public void setUp() throws IOException {
        block = FdBlock.aboveJvm();
        block.open(n);
        server = ServerSocketChannel.open().bind(new InetSocketAddress("127.0.0.1", 0), 1024);
        // Accepts and closes at once, so connects never wait on a full backlog.
        acceptor = Thread.ofPlatform().daemon().start(() -> {
            while (server.isOpen()) {
                try (SocketChannel c = server.accept()) {
                    c.configureBlocking(true);
                } catch (IOException e) {
                    return;
                }
            }
        });
    }

    @Benchmark
    public int fileOpenClose() throws IOException {
        try (FileInputStream in = new FileInputStream("/etc/hostname")) {
            return in.available();
        }
    }

    @Benchmark
    public int socketConnectClose() throws IOException {
        try (Socket s = new Socket()) {
            s.setSoLinger(true, 0); // closes with a reset: no TIME_WAIT to run out of local ports
            s.connect(server.getLocalAddress());
            return s.getLocalPort();
        }
    }

    @Benchmark
    public int processBuilderStart() throws IOException, InterruptedException {
        return new ProcessBuilder(SpawnMethod.PROGRAM).inheritIO().start().waitFor();
    }

    /** What a routed ProcessBuilder start should come close to: fdkit's own builder, clone mechanism. */
    @Benchmark
    public int fdProcessBuilderStart() throws IOException, InterruptedException {
        return new FdProcessBuilder(SpawnMethod.PROGRAM).mechanism(SpawnMechanism.CLONE).inheritIO().start().waitFor();
    }

    @TearDown(Level.Trial)
    public void tearDown() throws IOException, InterruptedException {
        server.close();
        acceptor.join(5000);
        block.closeAll();
    }

    /** One JVM setting the benchmarks run under: its label and the -javaagent argument (null: no agent). */
    private record Setting(String label, String javaagent) {}

    /** One benchmark at one table size under one setting. */
    private record Run(String benchmark, int n, Setting setting) {}

    /**
     * The benchmark JVM's CPU time (all its threads: the JIT's and the collector's work for the agent count too) per
     * operation, by iteration. On a machine other work shares, time spent waiting for a core swells the wall-clock
     * score by whatever the others do meanwhile; this does not.
     */
    public static final class ProcessCpuTime implements InternalProfiler {
        static final String LABEL = "cpu";
        private final com.sun.management.OperatingSystemMXBean os =
                (com.sun.management.OperatingSystemMXBean) ManagementFactory.getOperatingSystemMXBean();
        private long before;

        /** JMH instantiates it in the benchmark JVM. */
        public ProcessCpuTime() {}

        @Override
        public String getDescription() {
            return "the benchmark JVM's CPU time per operation";
        }

        @Override
        public void beforeIteration(BenchmarkParams benchmark, IterationParams iteration) {
            before = os.getProcessCpuTime();
        }

        @Override
        public Collection<? extends org.openjdk.jmh.results.Result> afterIteration(BenchmarkParams benchmark,
                IterationParams iteration, IterationResult result) {
            long ops = result.getMetadata().getAllOps();
            double microsPerOp = ops == 0 ? Double.NaN : (os.getProcessCpuTime() - before) / 1000.0 / ops;
            return List.of(new ScalarResult(LABEL, microsPerOp, "us/op", AggregationPolicy.AVG));
        }
    }

    /** What one combination measured: per iteration, the wall-clock average and the CPU time per operation. */
    private record Scores(List<Double> wall, List<Double> cpu) {}

    /**
     * Runs every benchmark under every setting, in rounds (each round runs each combination once, settings compared
     * one after another), with short JMH settings, then prints per combination the median wall-clock time and the
     * median CPU time per operation (see {@link ProcessCpuTime}) over all its measured iterations, and the ratios
     * the agent's targets are stated in: of CPU times for files and sockets, of wall-clock times for starts. Arguments: the fdkit agent jar; optionally another
     * agent jar to compare on the file benchmark (lib-file-leak-detector's jar with dependencies; "" for none), the
     * rounds (2) and the warm-up and measured iterations of one second (4, 3: with less, the JIT still compiles the
     * agent's path while CPU time is measured).
     */
    public static void main(String[] args) throws RunnerException {
        if (args.length < 1 || args.length > 5 || !Files.isRegularFile(Path.of(args[0]))) {
            System.err.println("usage: AgentBenchmark FDKIT_AGENT_JAR [OTHER_AGENT_JAR|\"\" [ROUNDS [WARMUP MEASURED]]]");
            System.exit(2);
        }
        String agent = Path.of(args[0]).toAbsolutePath().toString();
        String other = args.length > 1 && !args[1].isEmpty() ? Path.of(args[1]).toAbsolutePath().toString() : null;
        int rounds = args.length > 2 ? Integer.parseInt(args[2]) : 2;
        int warmup = args.length > 3 ? Integer.parseInt(args[3]) : 4, measured = args.length > 4 ? Integer.parseInt(args[4]) : 3;
        Setting none = new Setting("no agent", null);
        Setting spawn = new Setting("spawn=on,stacks=off", "-javaagent:" + agent + "=spawn=on,stacks=off");
        Setting stacks = new Setting("spawn=off,stacks=on", "-javaagent:" + agent + "=spawn=off,stacks=on");
        Setting otherAgent = other == null ? null : new Setting(Path.of(other).getFileName().toString(), "-javaagent:" + other);

        List<Run> runs = new ArrayList<>();
        for (int n : new int[] {10, 16000}) {
            runs.add(new Run("fileOpenClose", n, none));
            runs.add(new Run("fileOpenClose", n, stacks));
            if (otherAgent != null && n == 10) runs.add(new Run("fileOpenClose", n, otherAgent));
            runs.add(new Run("socketConnectClose", n, none));
            runs.add(new Run("socketConnectClose", n, stacks));
            runs.add(new Run("processBuilderStart", n, none));
            runs.add(new Run("processBuilderStart", n, spawn));
            runs.add(new Run("processBuilderStart", n, stacks));
            runs.add(new Run("fdProcessBuilderStart", n, none));
        }
        Map<Run, Scores> scores = new LinkedHashMap<>();
        for (int round = 1; round <= rounds; round++) {
            for (Run r : runs) {
                OptionsBuilder o = new OptionsBuilder();
                o.include(AgentBenchmark.class.getName() + "." + r.benchmark() + "$").param("n", Integer.toString(r.n()))
                        .warmupIterations(warmup).warmupTime(TimeValue.seconds(1))
                        .measurementIterations(measured).measurementTime(TimeValue.seconds(1))
                        .forks(1).verbosity(VerboseMode.SILENT).addProfiler(ProcessCpuTime.class.getName())
                        .jvmArgsAppend(r.setting().javaagent() == null ? JVM_ARGS
                                : java.util.stream.Stream.concat(java.util.Arrays.stream(JVM_ARGS),
                                        java.util.stream.Stream.of(r.setting().javaagent())).toArray(String[]::new));
                RunResult result = new Runner(o.build()).runSingle();
                Scores mine = scores.computeIfAbsent(r, k -> new Scores(new ArrayList<>(), new ArrayList<>()));
                for (IterationResult it : result.getBenchmarkResults().iterator().next().getIterationResults()) {
                    mine.wall().add(it.getPrimaryResult().getScore());
                    mine.cpu().add(it.getSecondaryResults().get(ProcessCpuTime.LABEL).getScore());
                }
                System.out.printf(Locale.ROOT, "round %d/%d  %-22s n=%-5d %-22s %12.2f us wall %12.2f us CPU%n", round,
                        rounds, r.benchmark(), r.n(), r.setting().label(), result.getPrimaryResult().getScore(),
                        median(mine.cpu()));
            }
        }
        System.out.printf(Locale.ROOT, "%n%-22s %-6s %-40s %14s %14s%n", "benchmark", "n", "setting", "wall us/op",
                "CPU us/op");
        scores.forEach((r, v) -> System.out.printf(Locale.ROOT, "%-22s %-6d %-40s %14.2f %14.2f%n", r.benchmark(),
                r.n(), r.setting().label(), median(v.wall()), median(v.cpu())));
        // A start's work is mostly the child's, which the JVM's CPU time leaves out: starts compare by wall clock.
        System.out.println("\nRatios of the medians, wall-clock (CPU time in brackets):");
        for (int n : new int[] {10, 16000}) {
            System.out.printf(Locale.ROOT, "n=%d: a routed ProcessBuilder start takes 1/%s of the time without the "
                    + "agent and %sx FdProcessBuilder's%n", n,
                    ratio(scores, new Run("processBuilderStart", n, none), new Run("processBuilderStart", n, spawn),
                            false),
                    ratio(scores, new Run("processBuilderStart", n, spawn), new Run("fdProcessBuilderStart", n, none),
                            false));
            System.out.printf(Locale.ROOT, "n=%d: with stacks=on, a ProcessBuilder start takes %sx the time without "
                    + "the agent%n", n,
                    ratio(scores, new Run("processBuilderStart", n, stacks), new Run("processBuilderStart", n, none),
                            false));
        }
        System.out.println("Ratios of the medians, CPU time (wall-clock in brackets):");
        for (int n : new int[] {10, 16000}) {
            System.out.printf(Locale.ROOT, "n=%d: with stacks=on, a file open+close takes %sx, a socket connect+close "
                    + "%sx the time without the agent%n", n,
                    ratio(scores, new Run("fileOpenClose", n, stacks), new Run("fileOpenClose", n, none), true),
                    ratio(scores, new Run("socketConnectClose", n, stacks), new Run("socketConnectClose", n, none),
                            true));
        }
        if (otherAgent != null) {
            System.out.printf(Locale.ROOT, "n=10: with %s, a file open+close takes %sx the time without an agent%n",
                    otherAgent.label(), ratio(scores, new Run("fileOpenClose", 10, otherAgent),
                            new Run("fileOpenClose", 10, none), true));
        }
    }

    /**
     * The benchmark JVM's flags, as {@code @Fork} gives them (options given here replace the annotation's), and
     * quiet about JMH's own use of sun.misc.Unsafe.
     */
    private static final String[] JVM_ARGS = {"--enable-native-access=ALL-UNNAMED", "--sun-misc-unsafe-memory-access=allow"};

    /** a/b of the medians, CPU time first or wall-clock first, the other in brackets. */
    private static String ratio(Map<Run, Scores> scores, Run a, Run b, boolean cpuFirst) {
        Scores x = scores.get(a), y = scores.get(b);
        double cpu = median(x.cpu()) / median(y.cpu()), wall = median(x.wall()) / median(y.wall());
        return String.format(Locale.ROOT, "%.2f (%.2f)", cpuFirst ? cpu : wall, cpuFirst ? wall : cpu);
    }

    private static double median(List<Double> v) {
        double[] s = v.stream().mapToDouble(Double::doubleValue).sorted().toArray();
        return s.length % 2 == 1 ? s[s.length / 2] : (s[s.length / 2 - 1] + s[s.length / 2]) / 2;
    }
}
