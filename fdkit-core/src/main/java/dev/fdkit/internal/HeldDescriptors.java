package dev.fdkit.internal;

import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;

/**
 * The descriptors fdkit opens once and keeps for the JVM's life (the spawn reaper's epoll set and eventfd, the
 * low numbers reserved for a child's sources), by number: they are fdkit's, so a leak check must not blame the
 * test during which the first child happened to open them. fdkit never closes them, so a number here always
 * names the descriptor that was added.
 */
public final class HeldDescriptors {
    private HeldDescriptors() {}

    private static final Set<Integer> HELD = ConcurrentHashMap.newKeySet();

    /** Records {@code fd}, opened by fdkit and kept open for good. */
    public static void add(int fd) {
        if (fd >= 0) HELD.add(fd);
    }

    /** Whether {@code fd} is one of fdkit's own, kept for good. */
    public static boolean contains(int fd) {
        return HELD.contains(fd);
    }
}
