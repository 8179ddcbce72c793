package dev.fdkit;

import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;

/**
 * What changed between two listings of one process: descriptors that appeared, that went away, and numbers that
 * now refer to a different file.
 */
public record FdDiff(List<FdInfo> opened, List<FdInfo> closed, List<FdInfo> replaced) {
    public FdDiff {
        opened = List.copyOf(opened);
        closed = List.copyOf(closed);
        replaced = List.copyOf(replaced);
    }

    public boolean isEmpty() {
        return opened.isEmpty() && closed.isEmpty() && replaced.isEmpty();
    }

    /**
     * What the later listing holds that the earlier did not: the opened descriptors and the replaced numbers (as
     * they are now), by number. For a leak check, these are the candidates.
     */
    public List<FdInfo> appeared() {
        List<FdInfo> all = new ArrayList<>(opened.size() + replaced.size());
        all.addAll(opened);
        all.addAll(replaced);
        all.sort(Comparator.comparingInt(FdInfo::fd));
        return List.copyOf(all);
    }

    /**
     * One change: {@code sign} is '+' (opened), '-' (closed, as it was) or '~' (the number now holds another file,
     * as it is now).
     */
    public record Change(char sign, FdInfo info) {
        @Override
        public String toString() {
            return sign + " " + info;
        }
    }

    /** Every change, ascending by number; at one number a closing comes before an opening. */
    public List<Change> changes() {
        List<Change> all = new ArrayList<>(opened.size() + closed.size() + replaced.size());
        for (FdInfo f : closed) all.add(new Change('-', f));
        for (FdInfo f : opened) all.add(new Change('+', f));
        for (FdInfo f : replaced) all.add(new Change('~', f));
        all.sort(Comparator.comparingInt((Change c) -> c.info().fd())); // stable: the order above within a number
        return List.copyOf(all);
    }

    /** One line per change, by number: "+ fd 7: file /tmp/x", "- fd 8: pipe pipe:[123]", "~ fd 9: ..." (replaced). */
    @Override
    public String toString() {
        if (isEmpty()) return "no change";
        StringBuilder sb = new StringBuilder();
        for (Change c : changes()) sb.append(sb.isEmpty() ? "" : "\n").append(c);
        return sb.toString();
    }
}
