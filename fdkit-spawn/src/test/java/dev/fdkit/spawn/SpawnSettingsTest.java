package dev.fdkit.spawn;

import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

import java.util.List;

import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * A spawn setting with a value fdkit does not accept fails the first spawn with an IllegalArgumentException that
 * names the setting, the value and what is accepted, instead of quietly meaning the default. Each in a fresh JVM:
 * the settings are read once per JVM.
 */
class SpawnSettingsTest {
    @ParameterizedTest
    @CsvSource(delimiter = '|', value = {
            "fdkit.spawn.clone3=yes | fdkit.spawn.clone3=yes is not one of true, false",
            "fdkit.spawn.mechanism=fork | fdkit.spawn.mechanism=fork is not one of auto, clone, posix-spawn",
            "fdkit.spawn.lowSlots=many | fdkit.spawn.lowSlots=many is not a whole number from 0 to 1024",
            "fdkit.spawn.libdir= | fdkit.spawn.libdir= is not a non-empty value",
            "fdkit.spawn.posixSpawnBinding=jni | fdkit.spawn.posixSpawnBinding=jni is not one of auto, helper, ffm"})
    void aBadValueIsNamedAtFirstUse(String setting, String message) throws Exception {
        var r = TestSupport.runJvm(List.of("-D" + setting), SignalsChildMain.class, "CLONE");
        assertNotEquals(0, r.exit(), r.out());
        assertTrue(r.err().contains("java.lang.IllegalArgumentException: " + message), r.err());
    }
}
