package dev.fdkit;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.Collections;
import java.util.Comparator;
import java.util.EnumMap;
import java.util.Iterator;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.function.Predicate;

/** A snapshot of a process's open descriptors, sorted by number. Immutable. */
public final class FdTable implements Iterable<FdInfo> {
    private final long pid;
    private final List<FdInfo> fds;

    FdTable(long pid, List<FdInfo> fds) {
        this.pid = pid;
        FdInfo[] sorted = fds.toArray(new FdInfo[0]);
        // A listing comes in directory order, which procfs gives ascending: checking is cheaper than sorting.
        if (!ascending(sorted)) Arrays.sort(sorted, Comparator.comparingInt(FdInfo::fd));
        this.fds = List.of(sorted);
    }

    private static boolean ascending(FdInfo[] fds) {
        for (int i = 1; i < fds.length; i++) if (fds[i - 1].fd() > fds[i].fd()) return false;
        return true;
    }

    /** {@return the process this listing is of} */
    public long pid() {
        return pid;
    }

    /** {@return every descriptor of the listing, by number} */
    public List<FdInfo> all() {
        return fds;
    }

    /** {@return how many descriptors the listing holds} */
    public int size() {
        return fds.size();
    }

    /** {@return the descriptor numbers, ascending} */
    public int[] numbers() {
        int[] n = new int[fds.size()];
        for (int i = 0; i < n.length; i++) n[i] = fds.get(i).fd();
        return n;
    }

    /**
     * The entry for one descriptor number.
     *
     * @param fd the number
     * @return its entry, or empty when the listing does not hold it
     */
    public Optional<FdInfo> get(int fd) {
        int lo = 0, hi = fds.size() - 1;
        while (lo <= hi) {
            int mid = (lo + hi) >>> 1;
            int at = fds.get(mid).fd();
            if (at < fd) lo = mid + 1;
            else if (at > fd) hi = mid - 1;
            else return Optional.of(fds.get(mid));
        }
        return Optional.empty();
    }

    /**
     * The changes from this listing to {@code later}: {@code opened} are in {@code later} only, {@code closed} in
     * this one only (as they were here), {@code replaced} are numbers whose file changed (as they are in later).
     *
     * @param later a later listing of the same process
     * @return the changes
     */
    public FdDiff diff(FdTable later) {
        List<FdInfo> opened = new ArrayList<>(), closed = new ArrayList<>(), replaced = new ArrayList<>();
        int i = 0, j = 0;
        List<FdInfo> a = fds, b = later.fds;
        while (i < a.size() || j < b.size()) {
            if (j == b.size() || (i < a.size() && a.get(i).fd() < b.get(j).fd())) {
                closed.add(a.get(i++));
            } else if (i == a.size() || b.get(j).fd() < a.get(i).fd()) {
                opened.add(b.get(j++));
            } else {
                if (!a.get(i).sameFileAs(b.get(j))) replaced.add(b.get(j));
                i++;
                j++;
            }
        }
        return new FdDiff(opened, closed, replaced);
    }

    /**
     * {@return the descriptors {@code filter} accepts, as a table of the same process}
     *
     * @param filter which entries to keep
     */
    public FdTable filter(Predicate<FdInfo> filter) {
        List<FdInfo> kept = new ArrayList<>();
        for (FdInfo f : fds) if (filter.test(f)) kept.add(f);
        return new FdTable(pid, kept);
    }

    /** {@return how many descriptors of each kind, in {@link FdKind} order; kinds with none are absent} */
    public Map<FdKind, Integer> countByKind() {
        Map<FdKind, Integer> counts = new EnumMap<>(FdKind.class);
        for (FdInfo f : fds) counts.merge(f.kind(), 1, Integer::sum);
        return Collections.unmodifiableMap(counts);
    }

    @Override
    public Iterator<FdInfo> iterator() {
        return fds.iterator();
    }

    @Override
    public String toString() {
        StringBuilder sb = new StringBuilder("FdTable[pid " + pid + ", " + fds.size() + " open]");
        for (FdInfo f : fds) sb.append("\n  ").append(f);
        return sb.toString();
    }
}
