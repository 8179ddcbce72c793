package dev.fdkit.bench;

/**
 * A method's time over an anchor's, measured round by round: the median of the per-round ratios and a
 * distribution-free confidence interval for that median (see {@link Stats#ratio}).
 *
 * @param column the table column it is printed in ("C", "FFM", ...), naming the kind of anchor
 * @param anchor the anchor's label (the row it was divided by)
 * @param median the median over rounds of (method's block median / anchor's block median in the same round)
 * @param low    the interval's lower end
 * @param high   the interval's upper end
 * @param level  the probability that the interval covers the true median ratio (0 with a single round)
 */
public record Ratio(String column, String anchor, double median, double low, double high, double level) {
    /** Whether the two intervals share no point: the rule {@code --compare} flags a change by. */
    public boolean disjointFrom(Ratio other) {
        return high < other.low || other.high < low;
    }
}
