package dev.fdkit.spawn.internal;

import dev.fdkit.internal.Settings;
import org.junit.jupiter.api.Test;

import java.util.Locale;

import static org.junit.jupiter.api.Assertions.assertEquals;

/**
 * posix-spawn goes through the binding {@code fdkit.spawn.posixSpawnBinding} names, and unset through the helper
 * library where it loads; so a test run that sets it cannot quietly test the helper instead.
 */
class PosixSpawnBindingTest {
    @Test
    void theNamedBindingIsTheOneUsed() {
        String named = System.getProperty(Settings.SPAWN_POSIX_SPAWN_BINDING);
        PosixSpawnBinding expected = named == null || named.equals(Settings.AUTO) ? PosixSpawnBinding.HELPER
                : PosixSpawnBinding.valueOf(named.toUpperCase(Locale.ROOT));
        assertEquals(expected, Mechanisms.posixSpawnBinding());
    }
}
