package dev.fdkit;

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
}
