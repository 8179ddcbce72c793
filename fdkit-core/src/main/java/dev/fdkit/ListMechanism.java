package dev.fdkit;

import dev.fdkit.internal.Settings;

/**
 * How fdkit finds which descriptor numbers are open in its own process. Chosen once per JVM, or named by the system
 * property {@code fdkit.list.mechanism} ({@code auto|poll|fcntl|proc}).
 */
public enum ListMechanism {
    /**
     * One poll(2) with timeout 0 over every slot of the table, keeping those not answered with POLLNVAL. The
     * fastest question: the kernel checks the whole table in one call. It calls each open file's poll method,
     * which can wait on a FUSE daemon, so {@code auto} picks it only when no FUSE filesystem is mounted. poll
     * cannot see O_PATH descriptors, so each pass is checked against the kernel's count of open descriptors (the
     * size of /proc/self/fd, Linux 6.2+); when they differ, the slots poll called closed are asked with fcntl.
     */
    POLL,
    /** fcntl(F_GETFD) on every slot of the table: one call per slot, touches no file. */
    FCNTL,
    /** Reads /proc/self/fd with getdents64(2): cost is the kernel's procfs work per entry. */
    PROC;

    /**
     * The value that selects this mechanism in {@code fdkit.list.mechanism}.
     *
     * @return the setting's value for this mechanism
     */
    public String propertyValue() {
        return Settings.spelling(this);
    }
}
