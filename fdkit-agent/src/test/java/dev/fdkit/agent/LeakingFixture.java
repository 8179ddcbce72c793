package dev.fdkit.agent;

import dev.fdkit.junit.LeakCheck;
import org.junit.jupiter.api.Test;

import java.io.FileInputStream;
import java.util.ArrayList;
import java.util.List;

/** Run by {@link LeakReportMain} only (its name keeps the build from running it): a test that leaks a file. */
@LeakCheck
class LeakingFixture {
    static final List<Object> KEPT = new ArrayList<>();

    @Test
    void leaksAFile() throws Exception {
        KEPT.add(new FileInputStream("/etc/hostname")); // LEAK LINE
    }
}
