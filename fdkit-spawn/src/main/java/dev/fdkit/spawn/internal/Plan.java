package dev.fdkit.spawn.internal;

import java.util.Arrays;
import java.util.List;

/**
 * The descriptor plan the child follows: which source goes to which child number, which sources must move out
 * of the way first, which numbers stay, and the two bounds the child needs. Computed here so the C side only
 * follows it.
 *
 * <p>A source that is also another mapping's destination would be overwritten when that destination is placed
 * (a swap 5->3, 3->5; a chain 4->3, 3->2); those are duplicated above every source and destination first.
 */
public final class Plan {
    /** One descriptor for the child: {@code src} in the parent (or {@link NativeSpawn#SRC_DEVNULL}) at {@code dst}.
     * {@code optional}: when {@code src} is not open the destination stays closed (inherited stdio). */
    public record Mapping(int src, int dst, boolean optional) {}

    /** Triples (src, dst, flags) in order. */
    final int[] map;
    /** The child's descriptor numbers, ascending. */
    final int[] keep;
    /** close_range(first, ~0U, CLOSE_RANGE_UNSHARE): one above the highest source. */
    final int first;
    /** Above every source and destination: where moved sources and /dev/null go before placing. */
    final int hi;

    private Plan(int[] map, int[] keep, int first, int hi) {
        this.map = map;
        this.keep = keep;
        this.first = first;
        this.hi = hi;
    }

    public static Plan of(List<Mapping> mappings) {
        int n = mappings.size();
        int[] dsts = new int[n];
        int maxSrc = -1, maxAny = 2;
        for (int i = 0; i < n; i++) {
            Mapping m = mappings.get(i);
            dsts[i] = m.dst();
            maxSrc = Math.max(maxSrc, m.src());
            maxAny = Math.max(maxAny, Math.max(m.src(), m.dst()));
        }
        int[] keep = dsts.clone();
        Arrays.sort(keep);
        for (int i = 1; i < n; i++) {
            if (keep[i] == keep[i - 1]) throw new IllegalArgumentException("two descriptors for child descriptor " + keep[i]);
        }
        int[] map = new int[n * 3];
        for (int i = 0; i < n; i++) {
            Mapping m = mappings.get(i);
            boolean move = m.src() >= 0 && m.src() != m.dst() && Arrays.binarySearch(keep, m.src()) >= 0;
            map[3 * i] = m.src();
            map[3 * i + 1] = m.dst();
            map[3 * i + 2] = (move ? NativeSpawn.MAP_MOVE_FIRST : 0) | (m.optional() ? NativeSpawn.MAP_OPTIONAL : 0);
        }
        return new Plan(map, keep, maxSrc + 1, maxAny + 1);
    }
}
