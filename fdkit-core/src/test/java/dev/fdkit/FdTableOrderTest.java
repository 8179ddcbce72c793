package dev.fdkit;

import org.junit.jupiter.api.Test;

import java.util.List;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;

/** A table is by number whatever order its entries come in; the common ascending order is kept as it is. */
class FdTableOrderTest {
    private static FdInfo entry(int fd) {
        return new FdInfo(fd, FdKind.PIPE, "pipe:[" + fd + "]", true, AccessMode.READ, 0, 0, 15, fd, false, null,
                null, null);
    }

    @Test
    void entriesGivenOutOfOrderAreSortedByNumber() {
        FdTable t = new FdTable(1, List.of(entry(9), entry(3), entry(5), entry(0)));
        assertArrayEquals(new int[] {0, 3, 5, 9}, t.numbers());
        assertEquals(5, t.get(5).orElseThrow().fd());
    }

    @Test
    void entriesGivenInOrderStayInOrder() {
        List<FdInfo> given = List.of(entry(0), entry(1), entry(2), entry(1000));
        FdTable t = new FdTable(1, given);
        assertEquals(given, t.all());
        assertEquals(1000, t.get(1000).orElseThrow().fd());
    }
}
