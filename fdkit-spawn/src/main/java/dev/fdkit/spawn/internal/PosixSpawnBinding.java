package dev.fdkit.spawn.internal;

/**
 * How the posix-spawn mechanism reaches the C library's posix_spawn: through fdkit's helper library, or bound
 * directly through FFM where the helper does not load. Both follow the same plan with the same file actions; a
 * program cannot tell them apart. {@code fdkit.spawn.posixSpawnBinding} spells them as {@code Settings.spelling}
 * does: helper, ffm.
 */
public enum PosixSpawnBinding {
    HELPER,
    FFM
}
