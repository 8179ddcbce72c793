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

    /** One line per change, by number: "+ fd 7: file /tmp/x", "- fd 8: pipe pipe:[123]", "~ fd 9: ..." (replaced). */
    @Override
    public String toString() {
        if (isEmpty()) return "no change";
        List<String[]> lines = new ArrayList<>();
        for (FdInfo f : opened) lines.add(new String[] {Integer.toString(f.fd()), "+ " + f});
        for (FdInfo f : closed) lines.add(new String[] {Integer.toString(f.fd()), "- " + f});
        for (FdInfo f : replaced) lines.add(new String[] {Integer.toString(f.fd()), "~ " + f});
        lines.sort(Comparator.comparingInt(l -> Integer.parseInt(l[0])));
        StringBuilder sb = new StringBuilder();
        for (String[] l : lines) sb.append(sb.isEmpty() ? "" : "\n").append(l[1]);
        return sb.toString();
    }
}
