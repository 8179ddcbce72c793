package dev.fdkit.junit;

import org.junit.jupiter.api.Test;

import java.nio.charset.StandardCharsets;
import java.util.concurrent.TimeUnit;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * This module's public API, read from its compiled classes, is what api.txt records: an API change is always a
 * visible diff of that file (bin/api regenerates it).
 */
class ApiListingTest {
    @Test
    void theRecordedApiIsTheCompiledOne() throws Exception {
        Process p = new ProcessBuilder(ProcessHandle.current().info().command().orElseThrow(),
                "../tools/ApiListing.java", "--check", ".").redirectErrorStream(true).start();
        p.getOutputStream().close();
        String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        assertTrue(p.waitFor(60, TimeUnit.SECONDS), "the API listing tool hung");
        assertEquals(0, p.exitValue(), out);
    }
}
