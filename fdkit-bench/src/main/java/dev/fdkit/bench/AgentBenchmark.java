package dev.fdkit.bench;

import dev.fdkit.spawn.FdProcessBuilder;
import dev.fdkit.spawn.SpawnMechanism;
import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.BenchmarkMode;
import org.openjdk.jmh.annotations.Fork;
import org.openjdk.jmh.annotations.Level;
import org.openjdk.jmh.annotations.Measurement;
import org.openjdk.jmh.annotations.Mode;
import org.openjdk.jmh.annotations.OutputTimeUnit;
import org.openjdk.jmh.annotations.Param;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.annotations.State;
import org.openjdk.jmh.annotations.TearDown;
import org.openjdk.jmh.annotations.Warmup;
import org.openjdk.jmh.results.IterationResult;
import org.openjdk.jmh.results.RunResult;
import org.openjdk.jmh.runner.Runner;
import org.openjdk.jmh.runner.RunnerException;
import org.openjdk.jmh.runner.options.OptionsBuilder;
import org.openjdk.jmh.runner.options.TimeValue;
import org.openjdk.jmh.runner.options.VerboseMode;

import java.io.FileInputStream;
import java.io.IOException;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.nio.channels.ServerSocketChannel;
import java.nio.channels.SocketChannel;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
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
@Fork(value = 1, jvmArgsAppend = "--enable-native-access=ALL-UNNAMED")
@Warmup(iterations = 8, time = 1)
@Measurement(iterations = 5, time = 1)
public class AgentBenchmark {
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
     * Runs every benchmark under every setting, in rounds (each round runs each combination once, settings compared
     * one after another), with short JMH settings, then prints per combination the median and the lowest of all its
     * measured iterations, and the ratios the agent's targets are stated in, from the lowest: on a shared machine
     * other work only ever adds time, so the lowest is the steadiest estimate. Arguments: the fdkit agent jar;
     * optionally another agent jar to compare on the file benchmark (lib-file-leak-detector's jar with
     * dependencies; "" for none), the rounds (2) and the warm-up and measured iterations of one second (2, 3).
     */
    public static void main(String[] args) throws RunnerException {
        if (args.length < 1 || args.length > 5 || !Files.isRegularFile(Path.of(args[0]))) {
            System.err.println("usage: AgentBenchmark FDKIT_AGENT_JAR [OTHER_AGENT_JAR|\"\" [ROUNDS [WARMUP MEASURED]]]");
            System.exit(2);
        }
        String agent = Path.of(args[0]).toAbsolutePath().toString();
        String other = args.length > 1 && !args[1].isEmpty() ? Path.of(args[1]).toAbsolutePath().toString() : null;
        int rounds = args.length > 2 ? Integer.parseInt(args[2]) : 2;
        int warmup = args.length > 3 ? Integer.parseInt(args[3]) : 2, measured = args.length > 4 ? Integer.parseInt(args[4]) : 3;
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
        Map<Run, List<Double>> scores = new LinkedHashMap<>();
        for (int round = 1; round <= rounds; round++) {
            for (Run r : runs) {
                OptionsBuilder o = new OptionsBuilder();
                o.include(AgentBenchmark.class.getName() + "." + r.benchmark() + "$").param("n", Integer.toString(r.n()))
                        .warmupIterations(warmup).warmupTime(TimeValue.seconds(1))
                        .measurementIterations(measured).measurementTime(TimeValue.seconds(1))
                        .forks(1).verbosity(VerboseMode.SILENT)
                        .jvmArgsAppend(r.setting().javaagent() == null
                                ? new String[] {QUIET} : new String[] {QUIET, r.setting().javaagent()});
                RunResult result = new Runner(o.build()).runSingle();
                List<Double> mine = scores.computeIfAbsent(r, k -> new ArrayList<>());
                for (IterationResult it : result.getBenchmarkResults().iterator().next().getIterationResults()) {
                    mine.add(it.getPrimaryResult().getScore());
                }
                System.out.printf(Locale.ROOT, "round %d/%d  %-22s n=%-5d %-22s %12.2f us%n", round, rounds,
                        r.benchmark(), r.n(), r.setting().label(), result.getPrimaryResult().getScore());
            }
        }
        System.out.printf(Locale.ROOT, "%n%-22s %-6s %-40s %12s %12s%n", "benchmark", "n", "setting", "median us", "lowest us");
        scores.forEach((r, v) -> System.out.printf(Locale.ROOT, "%-22s %-6d %-40s %12.2f %12.2f%n", r.benchmark(), r.n(),
                r.setting().label(), median(v), lowest(v)));
        System.out.println();
        for (int n : new int[] {10, 16000}) {
            double jdk = lowest(scores.get(new Run("processBuilderStart", n, none)));
            double routed = lowest(scores.get(new Run("processBuilderStart", n, spawn)));
            double fd = lowest(scores.get(new Run("fdProcessBuilderStart", n, none)));
            System.out.printf(Locale.ROOT, "n=%d: a routed ProcessBuilder start takes 1/%.1f of the time without the "
                    + "agent, %.2fx FdProcessBuilder's%n", n, jdk / routed, routed / fd);
        }
        for (int n : new int[] {10, 16000}) {
            System.out.printf(Locale.ROOT, "n=%d: with stacks=on, file open+close takes %.2fx, socket connect+close "
                    + "%.2fx the time without the agent%n", n, ratio(scores, "fileOpenClose", n, stacks, none),
                    ratio(scores, "socketConnectClose", n, stacks, none));
        }
        if (otherAgent != null) {
            System.out.printf(Locale.ROOT, "n=10: with %s, file open+close takes %.2fx the time without an agent%n",
                    otherAgent.label(), ratio(scores, "fileOpenClose", 10, otherAgent, none));
        }
    }

    /** JMH itself uses sun.misc.Unsafe: without this every forked JVM prints JDK 24's warning about it. */
    private static final String QUIET = "--sun-misc-unsafe-memory-access=allow";

    private static double ratio(Map<Run, List<Double>> scores, String benchmark, int n, Setting a, Setting b) {
        return lowest(scores.get(new Run(benchmark, n, a))) / lowest(scores.get(new Run(benchmark, n, b)));
    }

    private static double lowest(List<Double> v) {
        return v.stream().mapToDouble(Double::doubleValue).min().orElseThrow();
    }

    private static double median(List<Double> v) {
        double[] s = v.stream().mapToDouble(Double::doubleValue).sorted().toArray();
        return s.length % 2 == 1 ? s[s.length / 2] : (s[s.length / 2 - 1] + s[s.length / 2]) / 2;
    }
}
