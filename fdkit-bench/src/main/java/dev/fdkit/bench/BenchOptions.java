package dev.fdkit.bench;

import java.nio.file.Path;
import java.util.EnumSet;
import java.util.Objects;
import java.util.Set;

/**
 * What {@code fdkit bench} should run.
 *
 * @param suites  which suites, run in the order close, list, spawn, spawn-threads
 * @param max     the largest descriptor count (bounded at run time by RLIMIT_NOFILE)
 * @param reps    timed calls per block (one block per method per round)
 * @param rounds  rounds; every method runs one block in each, in an order shuffled per round
 * @param json    print one JSON document instead of tables
 * @param plot    an .svg or .png file to draw the results into, or null
 * @param compare a previous {@code --json} output to compare every ratio against, or null
 * @param from    a previous {@code --json} output to take the results from instead of measuring, or null
 */
public record BenchOptions(Set<Suite> suites, int max, int reps, int rounds, boolean json, Path plot, Path compare,
                           Path from) {
    /** The default largest descriptor count. */
    public static final int DEFAULT_MAX = 16_000;
    /** The default number of timed calls per block. */
    public static final int DEFAULT_REPS = 3;
    /** The default number of rounds: 10 gives a 97.9% interval from the 2nd and 9th of the sorted ratios. */
    public static final int DEFAULT_ROUNDS = 10;

    public BenchOptions {
        Objects.requireNonNull(suites, "suites");
        if (suites.isEmpty()) throw new IllegalArgumentException("suites: name at least one of close, list, spawn");
        suites = Set.copyOf(EnumSet.copyOf(suites));
        if (max < 1) throw new IllegalArgumentException("--max must be >= 1, was " + max);
        if (reps < 1) throw new IllegalArgumentException("--reps must be >= 1, was " + reps);
        if (rounds < 1) throw new IllegalArgumentException("--rounds must be >= 1, was " + rounds);
        if (plot != null && !Plot.supported(plot)) {
            throw new IllegalArgumentException("--plot " + plot + ": the file name must end in .svg or .png");
        }
        if (json && compare != null) {
            throw new IllegalArgumentException("--compare prints tables: run it without --json");
        }
    }

    /** Parses "close", "list", "spawn", "spawn-threads" or "all". */
    public static Set<Suite> parseSuites(String name) {
        if (name == null || name.equals("all")) return EnumSet.allOf(Suite.class);
        return EnumSet.of(Suite.byId(name));
    }
}
