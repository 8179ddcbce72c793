package dev.fdkit.spawn;

import org.junit.jupiter.api.Test;

import java.util.List;

import static org.junit.jupiter.api.Assertions.assertEquals;

/**
 * Reserving low descriptor numbers is an explicit call, not a side effect of asking which mechanism is selected;
 * it holds {@code fdkit.spawn.lowSlots} numbers plus the /dev/null they are duplicated from, once per JVM.
 */
class LowDescriptorsTest {
    @Test
    void selectedReservesNothingAndReserveHoldsLowSlotsOnce() throws Exception {
        var r = TestSupport.runJvm(List.of("-Dfdkit.spawn.lowSlots=5"), LowDescriptorsChildMain.class);
        assertEquals(0, r.exit(), r.err());
        int start = Integer.parseInt(r.value("start"));
        assertEquals(start, Integer.parseInt(r.value("after_selected")), r.out());
        assertEquals(start + 5 + 1, Integer.parseInt(r.value("after_reserve")), r.out());
        assertEquals(start + 5 + 1, Integer.parseInt(r.value("after_second_reserve").split(" ")[0]), r.out());
    }
}
