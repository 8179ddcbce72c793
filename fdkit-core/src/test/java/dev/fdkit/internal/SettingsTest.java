package dev.fdkit.internal;

import dev.fdkit.CloseMechanism;
import org.junit.jupiter.api.Test;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Optional;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

class SettingsTest {
    @Test
    void flagsAcceptTrueAndFalseOnly() {
        assertTrue(Settings.flag("fdkit.x", null, true));
        assertFalse(Settings.flag("fdkit.x", " false ", true));
        assertTrue(Settings.flag("fdkit.x", "true", false));
        for (String bad : new String[] {"yes", "1", "TRUE", ""}) {
            var e = assertThrows(IllegalArgumentException.class, () -> Settings.flag("fdkit.x", bad, true));
            assertEquals("fdkit.x=" + bad + " is not one of true, false", e.getMessage());
        }
    }

    @Test
    void numbersMustBeWholeAndInRange() {
        assertEquals(7, Settings.number("fdkit.n", null, 7, 0, 10));
        assertEquals(10, Settings.number("fdkit.n", "10", 7, 0, 10));
        for (String bad : new String[] {"11", "-1", "1.5", "ten", ""}) {
            var e = assertThrows(IllegalArgumentException.class, () -> Settings.number("fdkit.n", bad, 7, 0, 10));
            assertEquals("fdkit.n=" + bad + " is not a whole number from 0 to 10", e.getMessage());
        }
    }

    @Test
    void choicesNameEveryAcceptedValue() {
        assertEquals(Optional.of(CloseMechanism.PROC),
                Settings.choice("fdkit.c", "proc", CloseMechanism.values(), CloseMechanism::propertyValue));
        assertEquals(Optional.empty(),
                Settings.choice("fdkit.c", null, CloseMechanism.values(), CloseMechanism::propertyValue));
        var e = assertThrows(IllegalArgumentException.class,
                () -> Settings.choice("fdkit.c", "auto", CloseMechanism.values(), CloseMechanism::propertyValue));
        assertEquals("fdkit.c=auto is not one of close-range, proc, brute", e.getMessage());
    }

    @Test
    void mechanismsAcceptAuto() {
        String name = "fdkit.test.mechanism";
        try {
            System.setProperty(name, "auto");
            assertEquals(Optional.empty(),
                    Settings.mechanism(name, CloseMechanism.values(), CloseMechanism::propertyValue));
            System.setProperty(name, "brute");
            assertEquals(Optional.of(CloseMechanism.BRUTE),
                    Settings.mechanism(name, CloseMechanism.values(), CloseMechanism::propertyValue));
            System.setProperty(name, "fast");
            var e = assertThrows(IllegalArgumentException.class,
                    () -> Settings.mechanism(name, CloseMechanism.values(), CloseMechanism::propertyValue));
            assertEquals(name + "=fast is not one of auto, close-range, proc, brute", e.getMessage());
        } finally {
            System.clearProperty(name);
        }
    }

    @Test
    void theReadmeDocumentsEverySetting() throws IOException {
        String readme = Files.readString(Path.of("..", "README.md"));
        for (String name : Settings.ALL) {
            assertTrue(readme.contains("| `" + name + "` |"), "README.md's settings table has no row for " + name);
        }
    }
}
