package dev.fdkit.spawn;

/** Keeps the exported package non-empty until the module's real classes arrive; delete then. */
final class Pending {
    private Pending() {}
}
