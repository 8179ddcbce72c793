package dev.fdkit.internal;

import java.util.Arrays;

/**
 * This process's descriptor numbers, each with the identity of its open file (inode and mount id, from statx on
 * the descriptor itself), and nothing else: one enumeration ({@link FdScan}) and one statx per descriptor, no
 * procfs lookup per descriptor. Enough to tell what appeared or changed between two moments at a fraction of a
 * full listing's cost: the leak check takes two per test and a full listing only when something changed.
 *
 * <p>Reopening the same file at the same number, or another eventfd where an eventfd was (anon inodes share one
 * inode), counts as unchanged: the number still holds the same kind of thing, nothing new is held.
 */
public final class IdentitySnapshot {
    private final int[] fds;
    private final long[] inodes;
    private final long[] mounts;

    private IdentitySnapshot(int[] fds, long[] inodes, long[] mounts) {
        this.fds = fds;
        this.inodes = inodes;
        this.mounts = mounts;
    }

    /** The numbers open now, ascending, without the descriptors this call itself uses. */
    public static IdentitySnapshot now() throws SyscallException {
        int[] fds = FdScan.open(0, Integer.MAX_VALUE);
        long[] inodes = new long[fds.length], mounts = new long[fds.length];
        long[] stat = new long[ProcFiles.STAT_FD_FIELDS];
        int kept = 0;
        for (int fd : fds) {
            if (ProcFiles.statFd(fd, stat) < 0) continue; // closed meanwhile
            fds[kept] = fd;
            inodes[kept] = stat[1];
            mounts[kept++] = stat[2];
        }
        return new IdentitySnapshot(Arrays.copyOf(fds, kept), Arrays.copyOf(inodes, kept),
                Arrays.copyOf(mounts, kept));
    }

    /** The numbers open here that were not open in {@code earlier}, or now hold another file; ascending. */
    public int[] changedSince(IdentitySnapshot earlier) {
        IntList out = new IntList();
        for (int i = 0; i < fds.length; i++) {
            if (!earlier.holds(fds[i], inodes[i], mounts[i])) out.add(fds[i]);
        }
        return out.toArray();
    }

    /** Whether {@code fd} is open in this snapshot on the file with this inode and mount id. */
    public boolean holds(int fd, long inode, long mountId) {
        int i = Arrays.binarySearch(fds, fd);
        return i >= 0 && inodes[i] == inode && mounts[i] == mountId;
    }
}
