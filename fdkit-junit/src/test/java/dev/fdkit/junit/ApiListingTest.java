package dev.fdkit.junit;

import org.junit.jupiter.api.Test;

/**
 * This module's public API, read from its compiled classes, is what api.txt records: an API change is always a
 * visible diff of that file (bin/api regenerates it).
 */
class ApiListingTest {
    @Test
    void theRecordedApiIsTheCompiledOne() throws Exception {
        GlobalSwitchTest.runJava("../tools/ApiListing.java", "--check", "."); // fails with the difference
    }
}
