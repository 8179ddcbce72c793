package dev.fdkit.cli;

import org.junit.jupiter.api.Test;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertSame;

/** Table cells escape control characters and backslashes as ls and lsfd do, wherever in the name they are. */
class LsColumnEscapeTest {
    @Test
    void aNameWithNothingToEscapeIsTheSameString() {
        String plain = "/tmp/plain name (deleted) \u00e9\u4e2d";
        assertSame(plain, LsColumn.escape(plain));
        assertSame("", LsColumn.escape(""));
    }

    @Test
    void eachControlCharacterAndTheBackslashIsEscaped() {
        assertEquals("a\\nb\\tc\\rd\\\\e\\x01f\\x7fg\\x1b", LsColumn.escape("a\nb\tc\rd\\e\u0001f\u007fg\u001b"));
    }

    @Test
    void whatNeedsEscapingFirstOrLastIsEscapedAndTheRestKept() {
        assertEquals("\\nname", LsColumn.escape("\nname"));
        assertEquals("name\\\\", LsColumn.escape("name\\"));
        assertEquals("/srv/\u00e9t\u00e9\\x02", LsColumn.escape("/srv/\u00e9t\u00e9\u0002"));
    }
}
