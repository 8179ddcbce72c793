package dev.fdkit.junit;

/** Keeps the exported package non-empty until the module's real classes arrive; delete then. */
final class Pending {
    private Pending() {}
}
