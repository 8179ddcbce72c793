package dev.fdkit.bench;

import dev.fdkit.cli.Main;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;
import picocli.CommandLine.Spec;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Set;
import java.util.concurrent.Callable;

/**
 * {@code fdkit bench}: the main class of the fdkit-bench jar, which {@code bin/fdkit bench} runs. It lives here, not
 * in the CLI, so that the CLI carries none of JMH, NuProcess or the chart libraries.
 */
@Command(name = "fdkit bench", mixinStandardHelpOptions = true, version = "fdkit bench 0.1.0",
        description = {
            "Time fdkit's close, list and spawn mechanisms against the plain JDK ways, in this JVM, on this kernel.",
            "close: close every descriptor above N open files (close_range, CLOSE_RANGE_CLOEXEC, /proc scan, "
                    + "brute force, and the Files.list walk the close_range patch compared against).",
            "list: find every open descriptor number (poll, fcntl, getdents64 vs Files.list and the JMX count).",
            "spawn: start /bin/true and wait with N extra descriptors open (fdkit vs ProcessBuilder, NuProcess).",
            "spawn-threads: fdkit's default spawn from 1, 2 and 4 threads at once against the C floor from as many.",
            "Every method is measured in rounds interleaved with its anchors (a C program the bench runs, and for "
                    + "close a bare FFM downcall); each ratio is the median over rounds with a confidence interval.",
            "Only descriptors the bench opened itself, above all of the JVM's, are ever closed."},
        exitCodeListHeading = "%nExit status:%n",
        exitCodeList = {"0:done; with --compare: no ratio regressed",
            "1:a measurement failed",
            "2:a usage error",
            BenchCommand.EXIT_REGRESSION + ":--compare found a regression: a ratio slower than the baseline's "
                    + "beyond both intervals, each of 6 rounds or more"},
        footer = {"", "Smoke run (CI): fdkit bench all --max 16 --reps 1 --rounds 2",
            "Baseline: fdkit bench all --json > docs/bench-baseline.json; later: fdkit bench all --compare "
                    + "docs/bench-baseline.json"})
public final class BenchCommand implements Callable<Integer> {
    /** The exit status when {@code --compare} found a ratio that regressed (see {@link Compare}). */
    static final int EXIT_REGRESSION = 3;

    /**
     * Runs {@code fdkit bench} with the given arguments and exits with its status.
     *
     * @param args the arguments after "bench"
     */
    public static void main(String[] args) {
        System.exit(run(args));
    }

    /**
     * Runs {@code fdkit bench} and returns the exit code, with the CLI's error conventions (tests call this).
     *
     * @param args the arguments after "bench"
     * @return 0 on success, 1 when a measurement failed, 2 for a usage error, {@value #EXIT_REGRESSION} when
     *         {@code --compare} found a regression
     */
    public static int run(String... args) {
        return Main.execute(new CommandLine(new BenchCommand()), args);
    }


    @Spec
    CommandSpec spec;

    @Parameters(index = "0", arity = "0..1", paramLabel = "SUITE", defaultValue = "all",
            description = "close, list, spawn, spawn-threads or all (default: ${DEFAULT-VALUE}).")
    String suite;

    @Option(names = "--max", paramLabel = "N", defaultValue = "" + BenchOptions.DEFAULT_MAX,
            description = "Largest descriptor count (default: ${DEFAULT-VALUE}; lowered to fit RLIMIT_NOFILE, with a "
                    + "note). close and list visit 4, 1000 and N; spawn visits 10, 1000 and N.")
    int max;

    @Option(names = "--reps", paramLabel = "R", defaultValue = "" + BenchOptions.DEFAULT_REPS,
            description = "Timed calls per block: each round runs every method for one block (default: ${DEFAULT-VALUE}).")
    int reps;

    // Descriptions go through String.format: "%%" prints one "%".
    @Option(names = "--rounds", paramLabel = "R", defaultValue = "" + BenchOptions.DEFAULT_ROUNDS,
            description = "Rounds; the ratios' intervals come from the spread over rounds (6 or more give a 95%% "
                    + "interval; default: ${DEFAULT-VALUE}).")
    int rounds;

    @Option(names = "--json", description = "Print one JSON document (machine, settings, every point) instead of tables.")
    boolean json;

    @Option(names = "--plot", paramLabel = "FILE.svg|FILE.png",
            description = "Also draw time against descriptor count, one line per method, log scales, into FILE.")
    Path plot;

    @Option(names = "--compare", paramLabel = "FILE.json",
            description = "Print every ratio beside the same ratio in FILE (a previous --json output), flagging those "
                    + "whose intervals do not overlap; exit " + EXIT_REGRESSION + " if one got slower so.")
    Path compare;

    @Option(names = "--from", paramLabel = "FILE.json",
            description = "Take the results from FILE (a previous --json output) instead of measuring: prints its "
                    + "tables, or compares it with --compare.")
    Path from;

    /** Only picocli creates it. */
    private BenchCommand() {}

    @Override
    public Integer call() throws Exception {
        BenchOptions options;
        try {
            Set<Suite> suites = BenchOptions.parseSuites(suite);
            if (plot != null) {
                Path dir = plot.toAbsolutePath().getParent();
                if (dir != null && !Files.isDirectory(dir)) {
                    throw new IllegalArgumentException("--plot " + plot + ": directory " + dir + " does not exist");
                }
            }
            for (Path file : new Path[] {compare, from}) {
                if (file != null && !Files.isRegularFile(file)) {
                    throw new IllegalArgumentException((file == compare ? "--compare " : "--from ") + file
                            + ": no such file");
                }
            }
            options = new BenchOptions(suites, max, reps, rounds, json, plot, compare, from);
        } catch (IllegalArgumentException e) {
            throw new CommandLine.ParameterException(spec.commandLine(), e.getMessage());
        }
        return Bench.run(options, System.out, System.err) > 0 ? EXIT_REGRESSION : 0;
    }
}
