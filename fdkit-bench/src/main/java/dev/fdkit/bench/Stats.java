package dev.fdkit.bench;

import java.util.Arrays;

/** Medians and the order-statistic confidence interval of a median, for the bench's rounds. */
final class Stats {
    /** The interval's target coverage: the widest pair of order statistics that reaches it is chosen. */
    static final double LEVEL = 0.95;

    private Stats() {}

    static double median(double[] values) {
        double[] s = values.clone();
        Arrays.sort(s);
        int k = s.length;
        return k % 2 == 1 ? s[k / 2] : (s[k / 2 - 1] + s[k / 2]) / 2.0;
    }

    static double median(long[] values) {
        return median(Arrays.stream(values).asDoubleStream().toArray());
    }

    /**
     * The median of per-round ratios with a nonparametric interval: for R rounds sorted, [x(k), x(R+1-k)] covers
     * the true median with probability 1 - 2 P(Binomial(R, 1/2) &lt;= k-1), whatever the distribution, as long as
     * the rounds are independent. k is the largest for which that reaches {@link #LEVEL}; with fewer than 6 rounds
     * no k does, and the interval is [min, max] with its lower coverage given.
     */
    static Ratio ratio(String column, String anchor, double[] perRound) {
        double[] s = perRound.clone();
        Arrays.sort(s);
        int r = s.length;
        int k = 1;
        while (k + 1 <= (r + 1) / 2 && coverage(r, k + 1) >= LEVEL) k++;
        return new Ratio(column, anchor, median(s), s[k - 1], s[r - k], coverage(r, k));
    }

    /** P(x(k) &lt;= median &lt;= x(R+1-k)) for R independent draws: 1 - 2 P(Binomial(R, 1/2) &lt;= k-1). */
    static double coverage(int rounds, int k) {
        double tail = 0, term = Math.pow(0.5, rounds); // C(R, 0) / 2^R
        for (int i = 0; i < k; i++) {
            tail += term;
            term = term * (rounds - i) / (i + 1);
        }
        return Math.max(0, 1 - 2 * tail);
    }
}
