package dev.fdkit.bench;

import java.nio.file.Path;
import java.util.EnumSet;
import java.util.Objects;
import java.util.Set;

/**
 * What {@code fdkit bench} should run.
 *
 * @param suites which suites, run in the order close, list, spawn
 * @param max    the largest descriptor count (bounded at run time by RLIMIT_NOFILE)
 * @param reps   timed repetitions per point; the median and minimum are reported
 * @param json   print one JSON document instead of tables
 * @param plot   an .svg or .png file to draw the results into, or null
 */
public record BenchOptions(Set<Suite> suites, int max, int reps, boolean json, Path plot) {
    /** The default largest descriptor count. */
    public static final int DEFAULT_MAX = 16_000;
    /** The default number of timed repetitions per point. */
    public static final int DEFAULT_REPS = 21;

    public BenchOptions {
        Objects.requireNonNull(suites, "suites");
        if (suites.isEmpty()) throw new IllegalArgumentException("suites: name at least one of close, list, spawn");
        suites = Set.copyOf(EnumSet.copyOf(suites));
        if (max < 1) throw new IllegalArgumentException("--max must be >= 1, was " + max);
        if (reps < 1) throw new IllegalArgumentException("--reps must be >= 1, was " + reps);
        if (plot != null && !Plot.supported(plot)) {
            throw new IllegalArgumentException("--plot " + plot + ": the file name must end in .svg or .png");
        }
    }

    /** Parses "close", "list", "spawn" or "all". */
    public static Set<Suite> parseSuites(String name) {
        if (name == null || name.equals("all")) return EnumSet.allOf(Suite.class);
        for (Suite s : Suite.values()) if (s.id().equals(name)) return EnumSet.of(s);
        throw new IllegalArgumentException("unknown suite '" + name + "': use close, list, spawn or all");
    }
}
