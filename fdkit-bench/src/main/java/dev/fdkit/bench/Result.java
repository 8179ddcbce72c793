package dev.fdkit.bench;

import java.util.List;

/**
 * One point of a benchmark: a method at one count (descriptors open, or spawning threads), with the median and
 * minimum of all its timed calls and its ratios to the anchors measured in the same rounds.
 *
 * @param suite        the suite
 * @param method       the method's label
 * @param n            descriptors open (spawn-threads: threads spawning)
 * @param medianMicros the median time of one call over every timed call of every round, in microseconds
 *                     (spawn-threads: wall time per spawn)
 * @param minMicros    the fastest timed call
 * @param calls        timed calls behind the median (spawn-threads: blocks)
 * @param rounds       rounds the method was measured in
 * @param ratios       its ratios to the anchors, one per table column (none for an anchor against itself)
 * @param extra        the suite's extra column (list: the table's FDSize; spawn-threads: spawns per second), or -1
 */
public record Result(Suite suite, String method, int n, double medianMicros, double minMicros, int calls, int rounds,
                     List<Ratio> ratios, double extra) {
    public Result {
        ratios = List.copyOf(ratios);
    }

    /** The ratio printed in {@code column}, or null. */
    public Ratio ratio(String column) {
        for (Ratio r : ratios) if (r.column().equals(column)) return r;
        return null;
    }
}
