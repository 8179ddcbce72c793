package dev.fdkit;

import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;

/**
 * What changed between two listings of one process: descriptors that appeared, that went away, and numbers that
 * now refer to a different file.
 *
 * @param opened   descriptors in the later listing only, by number
 * @param closed   descriptors in the earlier listing only, as they were there
 * @param replaced numbers that refer to another file in the later listing, as they are there
 */
public record FdDiff(List<FdInfo> opened, List<FdInfo> closed, List<FdInfo> replaced) {
    /** Copies the lists, so that the diff cannot change. */
    public FdDiff {
        opened = List.copyOf(opened);
        closed = List.copyOf(closed);
        replaced = List.copyOf(replaced);
    }

    /** {@return whether nothing changed} */
    public boolean isEmpty() {
        return opened.isEmpty() && closed.isEmpty() && replaced.isEmpty();
    }

    /**
     * What the later listing holds that the earlier did not: the opened descriptors and the replaced numbers (as
     * they are now), by number. For a leak check, these are the candidates.
     *
     * @return the opened and replaced descriptors, by number
     */
    public List<FdInfo> appeared() {
        List<FdInfo> all = new ArrayList<>(opened.size() + replaced.size());
        all.addAll(opened);
        all.addAll(replaced);
        all.sort(Comparator.comparingInt(FdInfo::fd));
        return List.copyOf(all);
    }

    /**
     * Every change, ascending by number; at one number what was closed comes before what was opened.
     *
     * @return the changes
     */
    public List<Change> changes() {
        List<Change> all = new ArrayList<>(closed.size() + opened.size() + replaced.size());
        for (FdInfo f : closed) all.add(new Change(Change.Kind.CLOSED, f));
        for (FdInfo f : opened) all.add(new Change(Change.Kind.OPENED, f));
        for (FdInfo f : replaced) all.add(new Change(Change.Kind.REPLACED, f));
        all.sort(Comparator.comparingInt((Change c) -> c.fd().fd()));
        return List.copyOf(all);
    }

    /** One line per change, as {@link #changes()} orders them; "no change" when there is none. */
    @Override
    public String toString() {
        if (isEmpty()) return "no change";
        StringBuilder sb = new StringBuilder();
        for (Change c : changes()) sb.append(sb.isEmpty() ? "" : "\n").append(c);
        return sb.toString();
    }

    /**
     * One change: a descriptor that was opened or replaced (as it is now), or closed (as it was).
     *
     * @param kind what happened at that number
     * @param fd   the descriptor
     */
    public record Change(Kind kind, FdInfo fd) {
        /** What happened at a number. */
        public enum Kind {
            /** Open now, not in the earlier table. */
            OPENED('+'),
            /** In the earlier table, closed now. */
            CLOSED('-'),
            /** Open in both, but the number now refers to another file. */
            REPLACED('~');

            private final char sign;

            Kind(char sign) {
                this.sign = sign;
            }

            /**
             * '+' opened, '-' closed, '~' the number now refers to another file.
             *
             * @return the sign
             */
            public char sign() {
                return sign;
            }
        }

        /** "+ fd 7: file /tmp/x", "- fd 8: pipe pipe:[123]", "~ fd 9: ...". */
        @Override
        public String toString() {
            return kind.sign() + " " + fd;
        }
    }
}
