package dev.fdkit.faults;

import dev.fdkit.CloseMechanism;
import org.junit.jupiter.api.DynamicTest;
import org.junit.jupiter.api.TestFactory;

import java.util.List;
import java.util.stream.Stream;

import static org.junit.jupiter.api.Assertions.assertEquals;

/**
 * The kernel's close_range self-test, case by case, against every close mechanism, and against the mechanism
 * chosen automatically when a seccomp filter refuses close_range(2). One child JVM per mechanism runs every case.
 */
class CloseRangeSelftestTest {
    private static final List<String> CASES = List.of("close_range", "close_range_unshare",
            "close_range_unshare_capped", "close_range_cloexec", "close_range_cloexec_unshare",
            "close_range_cloexec_syzbot", "close_range_cloexec_unshare_syzbot", "close_range_bitmap_corruption");

    @TestFactory
    Stream<DynamicTest> everyMechanism() {
        return Stream.of(CloseMechanism.values()).flatMap(m ->
                cases(m.propertyValue(), Faultrun.jvm().property("fdkit.close.mechanism", m.propertyValue())));
    }

    @TestFactory
    Stream<DynamicTest> closeRangeRefusedBySeccomp() {
        return Stream.of("EPERM", "ENOSYS").flatMap(errno ->
                cases("proc", Faultrun.jvm().deny("close_range", errno)));
    }

    @TestFactory
    Stream<DynamicTest> closeRangeRefusedWithoutProc() {
        return cases("brute", Faultrun.jvm().deny("close_range", "EPERM").hideProc());
    }

    /** One child JVM for all cases; each case is a test of its own, reported by name. */
    private static Stream<DynamicTest> cases(String mechanism, Faultrun run) {
        Faultrun.Result[] result = new Faultrun.Result[1];
        Throwable[] failed = new Throwable[1];
        return CASES.stream().map(c -> DynamicTest.dynamicTest(mechanism + ": " + c, () -> {
            if (failed[0] != null) throw failed[0]; // a hang or skip is reported once per case, not rerun
            if (result[0] == null) {
                try {
                    result[0] = run.timeout(300).run(CloseRangeSelftest.class);
                } catch (Throwable t) {
                    throw failed[0] = t;
                }
            }
            Faultrun.Result r = result[0];
            assertEquals(mechanism, r.value("mechanism"), r.toString());
            assertEquals("ok", r.value("case." + c), r.toString());
        }));
    }
}
