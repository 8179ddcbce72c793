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
            "Only descriptors the bench opened itself, above all of the JVM's, are ever closed."},
        footer = {"", "Smoke run (CI): fdkit bench all --max 16 --reps 1"})
public final class BenchCommand implements Callable<Integer> {
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
     * @return 0 on success, 1 when a measurement failed, 2 for a usage error
     */
    public static int run(String... args) {
        return Main.execute(new CommandLine(new BenchCommand()), args);
    }


    @Spec
    CommandSpec spec;

    @Parameters(index = "0", arity = "0..1", paramLabel = "SUITE", defaultValue = "all",
            description = "close, list, spawn or all (default: ${DEFAULT-VALUE}).")
    String suite;

    @Option(names = "--max", paramLabel = "N", defaultValue = "" + BenchOptions.DEFAULT_MAX,
            description = "Largest descriptor count (default: ${DEFAULT-VALUE}; lowered to fit RLIMIT_NOFILE, with a "
                    + "note). close and list visit 4, 1000, the powers of ten below N, and N; spawn visits 10, 1000 "
                    + "and N.")
    int max;

    @Option(names = "--reps", paramLabel = "R", defaultValue = "" + BenchOptions.DEFAULT_REPS,
            description = "Timed repetitions per point; median and minimum are printed (default: ${DEFAULT-VALUE}).")
    int reps;

    @Option(names = "--json", description = "Print one JSON document (machine, settings, every point) instead of tables.")
    boolean json;

    @Option(names = "--plot", paramLabel = "FILE.svg|FILE.png",
            description = "Also draw time against descriptor count, one line per method, log scales, into FILE.")
    Path plot;

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
            options = new BenchOptions(suites, max, reps, json, plot);
        } catch (IllegalArgumentException e) {
            throw new CommandLine.ParameterException(spec.commandLine(), e.getMessage());
        }
        Bench.run(options, System.out, System.err);
        return 0;
    }
}
