package dev.fdkit;

import org.junit.jupiter.api.Test;

import java.util.List;

import static org.junit.jupiter.api.Assertions.assertEquals;

/**
 * This module's public API, read from its compiled classes, is what api.txt records: an API change is always a
 * visible diff of that file (bin/api regenerates it).
 */
class ApiListingTest {
    @Test
    void theRecordedApiIsTheCompiledOne() throws Exception {
        var r = ChildJvm.run(List.of(), "../tools/ApiListing.java", "--check", ".");
        assertEquals(0, r.exit(), r.out() + r.err());
    }
}
