package dev.fdkit.internal;

/**
 * How {@link FdScan} finds open descriptors. The public API names each, by the same name, as a
 * {@code dev.fdkit.ListMechanism}; {@code fdkit.list.mechanism} spells it as {@link Settings#spelling} does.
 */
public enum ListStrategy { POLL, FCNTL, PROC }
