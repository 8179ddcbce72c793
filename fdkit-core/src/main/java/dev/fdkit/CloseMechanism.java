package dev.fdkit;

import dev.fdkit.internal.Settings;

/**
 * How fdkit closes (or marks) a range of descriptors. Chosen once per JVM: the first that works here, or the one
 * named by the system property {@code fdkit.close.mechanism} ({@code auto|close-range|proc|brute}).
 */
public enum CloseMechanism {
    /** One close_range(2) call (Linux >= 5.9; CLOSE_RANGE_CLOEXEC from 5.11). */
    CLOSE_RANGE,
    /** Reads /proc/self/fd with getdents64(2) and closes what it lists, rescanning until nothing is left. */
    PROC,
    /** close(2) on every number up to RLIMIT_NOFILE, refused above a hard cap ({@code fdkit.brute.max}). */
    BRUTE;

    /**
     * The value that selects this mechanism in {@code fdkit.close.mechanism}.
     *
     * @return the setting's value for this mechanism
     */
    public String propertyValue() {
        return Settings.spelling(this);
    }
}
