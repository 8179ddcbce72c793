package dev.fdkit.bench;

import java.io.PrintStream;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;

/**
 * {@code --compare FILE}: every ratio of this run beside the same ratio in a previous {@code --json} output (same
 * suite, N, method and column), flagged only when the two intervals share no point. Times are not compared: they
 * move with the machine, while a ratio to an anchor measured in the same rounds should not.
 *
 * <p>A regression, which makes {@code fdkit bench} exit with {@link BenchCommand#EXIT_REGRESSION}, is a ratio that
 * got worse (every ratio is a time over an anchor's time: higher is slower) beyond both intervals, each of which
 * covers its median with at least {@link Stats#LEVEL}. A ratio that got better is reported, never counted; so is
 * one that moved between intervals of fewer rounds (below 6 the interval is the range of a few values, and noise
 * moves it).
 */
final class Compare {
    private Compare() {}

    /** A line after its suite and N: method, column, now, baseline, verdict. */
    private static final String REST = "  %-" + Bench.METHOD_WIDTH + "s %-9s  %-24s  %-24s  %s%n";

    /** A ratio's identity across runs. */
    private record Key(Suite suite, int n, String method, String column) {}

    /** Prints the comparison; returns how many ratios regressed. */
    static int print(PrintStream out, Path file, List<Result> baseline, List<Result> now) {
        Map<Key, Ratio> before = index(baseline), after = index(now);
        out.println();
        out.println("== compare with " + file + ": each ratio now beside the baseline's, flagged only when the two "
                + "intervals do not overlap");
        out.printf(Locale.ROOT, "%-13s %7s" + REST, "suite", "N", "method", "vs",
                "now [CI]", "baseline [CI]", "verdict");
        int changed = 0, regressed = 0, compared = 0;
        for (Map.Entry<Key, Ratio> e : after.entrySet()) {
            Key k = e.getKey();
            Ratio was = before.get(k), is = e.getValue();
            String verdict;
            if (was == null) {
                verdict = "new (not in the baseline)";
            } else {
                compared++;
                if (is.disjointFrom(was)) {
                    changed++;
                    boolean slower = is.median() > was.median();
                    boolean counted = slower && is.level() >= Stats.LEVEL && was.level() >= Stats.LEVEL;
                    if (counted) regressed++;
                    verdict = (counted ? "REGRESSION: slower" : slower ? "CHANGED: slower" : "CHANGED: faster")
                            + String.format(Locale.ROOT, " relative to %s (x%.2f)", is.anchor(), is.median() / was.median())
                            + (slower && !counted ? ", not counted: an interval of fewer than 6 rounds" : "");
                } else {
                    verdict = "same";
                }
            }
            out.printf(Locale.ROOT, "%-13s %7d" + REST, k.suite().id(), k.n(), k.method(),
                    k.column(), Bench.format(is), was == null ? "-" : Bench.format(was), verdict);
        }
        for (Key k : before.keySet()) {
            if (!after.containsKey(k)) {
                out.printf(Locale.ROOT, "%-13s %7d" + REST, k.suite().id(), k.n(), k.method(),
                        k.column(), "-", Bench.format(before.get(k)), "not measured now");
            }
        }
        out.println("compare: " + changed + " of " + compared + " ratios changed beyond their intervals; "
                + regressed + " regression" + (regressed == 1 ? "" : "s") + " (slower beyond two "
                + String.format(Locale.ROOT, "%.0f%%", 100 * Stats.LEVEL) + " intervals)");
        return regressed;
    }

    private static Map<Key, Ratio> index(List<Result> results) {
        Map<Key, Ratio> m = new LinkedHashMap<>();
        for (Result r : results) for (Ratio q : r.ratios()) m.put(new Key(r.suite(), r.n(), r.method(), q.column()), q);
        return m;
    }
}
