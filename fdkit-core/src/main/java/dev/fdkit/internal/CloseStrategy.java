package dev.fdkit.internal;

/**
 * How {@link Closer} closes or marks a range. The public API names each, by the same name, as a
 * {@code dev.fdkit.CloseMechanism}; {@code fdkit.close.mechanism} spells it as {@link Settings#spelling} does.
 */
public enum CloseStrategy { CLOSE_RANGE, PROC, BRUTE }
