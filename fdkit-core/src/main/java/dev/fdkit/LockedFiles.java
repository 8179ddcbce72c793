package dev.fdkit;

import dev.fdkit.internal.ProcFiles;

import java.util.Arrays;

/**
 * The inodes /proc/locks says a process may hold a lock on: POSIX and flock locks it took (the kernel names the
 * pid), and every OFD lock (owned by an open file description, pid -1). Listing this process, fdinfo is read only
 * for the files among these, where its "lock:" lines give each lock exactly; another process's fdinfo is read in
 * any case.
 */
final class LockedFiles {
    static final LockedFiles NONE = new LockedFiles(new long[0]);

    private final long[] inodes; // sorted

    private LockedFiles(long[] inodes) {
        this.inodes = inodes;
    }

    static LockedFiles ofProcess(long pid) {
        byte[] text = ProcFiles.read("/proc/locks", null);
        if (text == null || text.length == 0) return NONE;
        String p = Long.toString(pid);
        long[] found = new long[16];
        int n = 0;
        // "1: POSIX  ADVISORY  WRITE 1234 08:01:5678 0 EOF"; waiters: "1: -> POSIX ..."
        for (String line : new String(text, java.nio.charset.StandardCharsets.US_ASCII).split("\n")) {
            String[] t = line.trim().split("\\s+");
            int i = t.length > 1 && t[1].equals("->") ? 2 : 1;
            if (t.length < i + 7) continue;
            if (!t[i + 3].equals(p) && !t[i + 3].equals("-1")) continue;
            String dev = t[i + 4];
            int colon = dev.lastIndexOf(':');
            if (colon < 0) continue;
            try {
                if (n == found.length) found = Arrays.copyOf(found, n * 2);
                found[n++] = Long.parseLong(dev.substring(colon + 1));
            } catch (NumberFormatException e) {
                // not a line of the format above
            }
        }
        long[] sorted = Arrays.copyOf(found, n);
        Arrays.sort(sorted);
        return new LockedFiles(sorted);
    }

    boolean mayHold(long inode) {
        return inodes.length > 0 && Arrays.binarySearch(inodes, inode) >= 0;
    }
}
