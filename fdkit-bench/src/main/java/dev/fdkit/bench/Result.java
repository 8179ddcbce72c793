package dev.fdkit.bench;

import java.util.Arrays;

/**
 * One point of a benchmark: a method at one descriptor count, with the median and minimum of its timed reps and
 * its median's ratio to the best median at that count.
 */
public record Result(Suite suite, String method, int n, double medianMicros, double minMicros, double ratio, int reps) {

    /** The median and minimum, in microseconds, of per-rep times in nanoseconds; ratio is filled in later. */
    static Result of(Suite suite, String method, int n, long[] nanos) {
        long[] s = nanos.clone();
        Arrays.sort(s);
        int k = s.length;
        double median = k % 2 == 1 ? s[k / 2] : (s[k / 2 - 1] + s[k / 2]) / 2.0;
        return new Result(suite, method, n, median / 1000.0, s[0] / 1000.0, Double.NaN, k);
    }

    Result withRatio(double bestMedianMicros) {
        return new Result(suite, method, n, medianMicros, minMicros, medianMicros / bestMedianMicros, reps);
    }
}
