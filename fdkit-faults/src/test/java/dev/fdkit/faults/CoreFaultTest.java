package dev.fdkit.faults;

import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

import static org.junit.jupiter.api.Assertions.assertEquals;

/** Closing and scanning where the fast path is refused: low limits, descriptors above them, no /proc, a full table. */
class CoreFaultTest {
    private static final int[] ABOVE_SOFT = {5000, 5001, 5002, 5003, 5004, 5005, 5006, 5007, 5008, 5009};

    @ParameterizedTest(name = "with /proc hidden: {0}")
    @ValueSource(booleans = {false, true})
    void bruteForceClosesAboveTheSoftLimit(boolean hideProc) throws Exception {
        Faultrun run = Faultrun.jvm().highFds(ABOVE_SOFT).nofile(64, 20000).property("fdkit.close.mechanism", "brute");
        if (hideProc) run.hideProc();
        Faultrun.Result r = run.run(CoreScenarios.class, "closefrom", "5000", "5000", "5005", "5009");
        assertEquals("[]", r.value("left"), r.toString());
    }

    @ParameterizedTest(name = "with /proc hidden: {0}")
    @ValueSource(booleans = {false, true})
    void bruteForceClosesAboveTheHardLimit(boolean hideProc) throws Exception {
        Faultrun run = Faultrun.jvm().highFds(7000, 7001, 7002).nofile(64, 64).property("fdkit.close.mechanism", "brute");
        if (hideProc) run.hideProc();
        Faultrun.Result r = run.run(CoreScenarios.class, "closefrom", "7000", "7000", "7001", "7002");
        assertEquals("[]", r.value("left"), r.toString());
    }

    @ParameterizedTest(name = "list mechanism {0}")
    @ValueSource(strings = {"auto", "poll", "fcntl"})
    void withoutProcScansSeeAboveTheSoftLimit(String list) throws Exception {
        for (long hard : new long[] {20000, 64}) {
            Faultrun.Result r = Faultrun.jvm().hideProc().highFds(7000).nofile(64, hard)
                    .property("fdkit.list.mechanism", list).run(CoreScenarios.class, "scan", "7000");
            assertEquals("true", r.value("numbers_has"), r.toString());
            assertEquals("7000", r.value("highest"), r.toString());
            assertEquals("7000", r.value("next"), r.toString());
        }
    }

    @ParameterizedTest(name = "refused with {0}")
    @ValueSource(strings = {"EPERM", "ENOSYS"})
    void closeRangeNamedButRefusedIsTheErrnoException(String errno) throws Exception {
        Faultrun.Result r = Faultrun.jvm().deny("close_range", errno).property("fdkit.close.mechanism", "close-range")
                .run(CoreScenarios.class, "refused");
        assertEquals("close-range", r.value("mechanism"), r.toString());
        assertEquals("dev.fdkit.ErrnoException", r.value("type"), r.toString());
        assertEquals("close_range(1048576, ~0U, 0): " + errno, r.value("message").replaceFirst(" \\(.*", ""),
                r.toString());
    }

    @ParameterizedTest(name = "list mechanism {0}")
    @ValueSource(strings = {"poll", "proc"})
    void procMechanismOnAFullTableFallsBack(String list) throws Exception {
        Faultrun.Result r = Faultrun.jvm().nofile(256, 256).property("fdkit.close.mechanism", "proc")
                .property("fdkit.list.mechanism", list).run(CoreScenarios.class, "full-table");
        assertEquals("proc", r.value("mechanism"), r.toString());
        assertEquals("none", r.value("error"), r.toString());
        assertEquals("true", r.value("listed_all"), r.toString());
        assertEquals("0", r.value("left"), r.toString());
        assertEquals("true", r.value("below_kept"), r.toString());
    }
}
