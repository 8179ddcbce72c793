package dev.fdkit;

/** The flags of close_range(2). */
public enum CloseRangeFlag {
    /**
     * CLOSE_RANGE_UNSHARE: the calling task first gets its own copy of the descriptor table, then closes in it.
     *
     * <p>In a JVM every thread shares one descriptor table, so this splits the calling Java thread off from the
     * rest of the JVM: afterwards that thread no longer sees descriptors other threads open, and the JVM's
     * own descriptors it closes stay open for every other thread. It is meant for a thread that is about to
     * execve a new program (as {@code fdkit-spawn}'s exec-in-place does), not for everyday use.
     */
    UNSHARE(1 << 1),
    /** CLOSE_RANGE_CLOEXEC: mark the descriptors close-on-exec instead of closing them. */
    CLOEXEC(1 << 2);

    final int bit;

    CloseRangeFlag(int bit) {
        this.bit = bit;
    }

    static int bits(CloseRangeFlag... flags) {
        int b = 0;
        for (CloseRangeFlag f : flags) b |= java.util.Objects.requireNonNull(f, "flags contains null").bit;
        return b;
    }
}
