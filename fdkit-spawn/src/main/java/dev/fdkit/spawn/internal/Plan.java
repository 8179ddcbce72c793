package dev.fdkit.spawn.internal;

import dev.fdkit.internal.ProcessCalls;

import java.util.Arrays;
import java.util.List;

/**
 * The descriptor plan the child follows: which source goes to which child number, which sources must move out
 * of the way first, which numbers stay, and the two bounds the child needs. Computed here so the C side only
 * follows it.
 *
 * <p>A source that is also another mapping's destination would be overwritten when that destination is placed
 * (a swap 5->3, 3->5; a chain 4->3, 3->2); those are parked above every source and destination first.
 */
public final class Plan {
    /** One descriptor for the child: {@code src} in the parent (or {@link NativeSpawn#SRC_DEVNULL}) at {@code dst}.
     * {@code optional}: when {@code src} is not open the destination stays closed (inherited stdio). */
    public record Mapping(int src, int dst, boolean optional) {}

    /** In placing order. */
    final List<Mapping> mappings;
    /** Per mapping: {@code fdkit_map.flags}. */
    final int[] flags;
    /** The child's descriptor numbers, ascending. */
    final int[] keep;
    /** close_range(first, ~0U, CLOSE_RANGE_UNSHARE): one above the highest source. */
    final int first;
    /** One above the highest destination. */
    final int hi;

    private Plan(List<Mapping> mappings, int[] flags, int[] keep, int first, int hi) {
        this.mappings = mappings;
        this.flags = flags;
        this.keep = keep;
        this.first = first;
        this.hi = hi;
    }

    /**
     * @throws IllegalArgumentException when two mappings share a destination, or a destination is not below the
     *                                  hard RLIMIT_NOFILE (no process may hold such a number)
     */
    public static Plan of(List<Mapping> mappings) {
        int n = mappings.size();
        int[] keep = new int[n];
        int maxSrc = -1;
        for (int i = 0; i < n; i++) {
            keep[i] = mappings.get(i).dst();
            maxSrc = Math.max(maxSrc, mappings.get(i).src());
        }
        Arrays.sort(keep);
        for (int i = 1; i < n; i++) {
            if (keep[i] == keep[i - 1]) throw new IllegalArgumentException("two descriptors for child descriptor " + keep[i]);
        }
        int maxDst = n == 0 ? -1 : keep[n - 1];
        if (maxDst > 2) requireBelowHardLimit(maxDst);
        int[] flags = new int[n];
        for (int i = 0; i < n; i++) {
            Mapping m = mappings.get(i);
            boolean move = m.src() >= 0 && m.src() != m.dst() && Arrays.binarySearch(keep, m.src()) >= 0;
            flags[i] = (move ? SpawnAbi.MAP_MOVE_FIRST : 0) | (m.optional() ? SpawnAbi.MAP_OPTIONAL : 0);
        }
        return new Plan(List.copyOf(mappings), flags, keep, maxSrc + 1, maxDst + 1);
    }

    /** The child can raise its soft limit to place a descriptor, but not past the hard one. */
    private static void requireBelowHardLimit(int dst) {
        long hard = ProcessCalls.getrlimitNofile()[1]; // -1: RLIM_INFINITY
        if (hard >= 0 && dst >= hard) {
            throw new IllegalArgumentException("child descriptor " + dst + " is not below the hard RLIMIT_NOFILE ("
                    + hard + "): the kernel refuses descriptor numbers at or above it");
        }
    }
}
