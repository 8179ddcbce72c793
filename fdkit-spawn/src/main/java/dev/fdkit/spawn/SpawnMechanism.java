package dev.fdkit.spawn;

import dev.fdkit.spawn.internal.Mechanism;
import dev.fdkit.spawn.internal.Mechanisms;

import java.util.Optional;

/**
 * How {@link FdProcessBuilder} starts a child. Chosen once per JVM: the value of the system property
 * {@code fdkit.spawn.mechanism} ({@code auto|clone|posix-spawn}), or with {@code auto} the first that works
 * here; {@link FdProcessBuilder#mechanism(SpawnMechanism)} forces one for a builder.
 *
 * <p>Both guarantee the same thing, that the child holds exactly the descriptors named; they differ in cost.
 */
public enum SpawnMechanism {
    /**
     * fdkit's C helper: clone(CLONE_VM | CLONE_VFORK | CLONE_FILES) on a stack of its own; the child unshares
     * its table with close_range(first, ~0U, CLOSE_RANGE_UNSHARE) so the kernel copies only the slots below the
     * highest descriptor it keeps. The cost does not grow with the JVM's table (Linux 5.9+; the flat copy itself:
     * a kernel with the 2024 close_range fix). Where close_range is missing or refused (seccomp), the child takes a
     * copy of the whole table with unshare(CLONE_FILES) and closes what it does not keep, so the cost grows with
     * the table as posix-spawn's does. Needs Linux 5.2+ (CLONE_PIDFD).
     *
     * <p>Signals: caught ones start at SIG_DFL in the child, ignored ones stay ignored (as across exec). Where
     * clone3 works (Linux 5.5+, no seccomp filter refusing it) the kernel resets the caught ones at clone time
     * (CLONE_CLEAR_SIGHAND); elsewhere, or with {@code -Dfdkit.spawn.clone3=false}, the child asks for each
     * signal's disposition and resets the caught ones itself.
     */
    CLONE(Mechanism.CLONE),
    /**
     * glibc's posix_spawn with dup2, close and closefrom file actions (glibc 2.34+; changing directory needs
     * 2.29+). glibc's child copies the whole table first, so the cost grows with it. It cannot set LISTEN_PID to
     * the child's own pid nor the child's descriptor limit: builders that ask for those are refused. Where fdkit's
     * helper library does not load, it calls the C library's posix_spawn directly through FFM, with the same file
     * actions (one log line says so); then it is the only mechanism.
     */
    POSIX_SPAWN(Mechanism.POSIX_SPAWN);

    private final Mechanism implementation;

    SpawnMechanism(Mechanism implementation) {
        this.implementation = implementation;
    }

    /**
     * The value that selects this mechanism in {@code fdkit.spawn.mechanism}.
     *
     * @return the setting's value for this mechanism
     */
    public String propertyValue() {
        return implementation.settingValue();
    }

    Mechanism implementation() {
        return implementation;
    }

    static SpawnMechanism of(Mechanism implementation) {
        return implementation == Mechanism.CLONE ? CLONE : POSIX_SPAWN;
    }

    /**
     * The mechanism builders use unless told otherwise: {@code fdkit.spawn.mechanism}, else the first that works
     * here, found out on the first call and cached. Nothing else: reserving low descriptor numbers is
     * {@link FdProcessBuilder#reserveLowDescriptors()}.
     *
     * @throws UnsupportedOperationException with {@code auto}, when no mechanism works here (the message says why)
     * @return the mechanism
     */
    public static SpawnMechanism selected() {
        return of(Mechanisms.selected());
    }

    /**
     * Whether this mechanism works on this kernel, C library and sandbox.
     *
     * @return true if it does
     */
    public boolean isAvailable() {
        return Mechanisms.problem(implementation).isEmpty();
    }

    /**
     * Why this mechanism cannot be used here; empty when it can.
     *
     * @return the reason, or empty
     */
    public Optional<String> unavailableReason() {
        return Mechanisms.problem(implementation);
    }
}
