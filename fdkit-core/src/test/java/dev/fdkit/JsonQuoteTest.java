package dev.fdkit;

import dev.fdkit.internal.Json;
import org.junit.jupiter.api.Test;

import static org.junit.jupiter.api.Assertions.assertEquals;

/** The quoting behind every --json output: a descriptor's target can hold any byte a file name can. */
class JsonQuoteTest {
    @Test
    void escapesQuotesBackslashesAndControlCharacters() {
        assertEquals("\"a\\\"b\\\\c\"", Json.quote("a\"b\\c"));
        assertEquals("\"x\\ny\\rz\\tw\"", Json.quote("x\ny\rz\tw"));
        assertEquals("\"\\u0001\\u001f \"", Json.quote("\u0001\u001f "));
        assertEquals("\"/tmp/caf\u00e9 (deleted)\"", Json.quote("/tmp/caf\u00e9 (deleted)"));
    }

    @Test
    void nullIsJsonNull() {
        assertEquals("null", Json.quote(null));
    }
}
