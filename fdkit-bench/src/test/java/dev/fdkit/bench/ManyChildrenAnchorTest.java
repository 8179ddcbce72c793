package dev.fdkit.bench;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.stream.Stream;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * The C anchor's {@code many} request kills real sleeping children, answers one latency per paced child and the
 * burst, and leaves no child (not even a zombie) and no pidfd behind in the anchor; with the paced exits waited
 * for by a thread of their own too.
 */
class ManyChildrenAnchorTest {
    private static final int CHILDREN = 40;

    @ParameterizedTest
    @ValueSource(booleans = {false, true})
    void answersEveryPacedLatencyAndTheBurstAndLeavesNothingBehind(boolean waiterThread) throws IOException {
        try (CAnchor anchor = CAnchor.start()) {
            long[] answer = anchor.block("many " + CHILDREN + " 200" + (waiterThread ? " waiter" : ""));
            assertEquals(2 + CHILDREN / 2, answer.length, "start-all, burst, one latency per paced child");
            for (int i = 0; i < answer.length; i++) assertTrue(answer[i] > 0, "figure " + i + " is " + answer[i]);
            assertNothingLeft(anchor.pid());

            String[] row = ManyChildrenBenchmark.cRow(anchor, CHILDREN, 200, waiterThread);
            assertEquals(waiterThread ? ManyChildrenBenchmark.C_WAITER_SPAWNER : ManyChildrenBenchmark.C_SPAWNER, row[0]);
            assertEquals(List.of("-", "-", "-", "-"), List.of(row[1], row[2], row[3], row[4]), "threads and NMT");
            assertNothingLeft(anchor.pid());
        }
    }

    @Test
    void tooFewChildrenIsABadRequest() throws IOException {
        try (CAnchor anchor = CAnchor.start()) {
            IOException e = assertThrows(IOException.class, () -> anchor.block("many 1 200"));
            assertTrue(e.getMessage().contains("bad request 'many 1 200'"), e.getMessage());
            e = assertThrows(IOException.class, () -> anchor.block("many 40 200 waiters"));
            assertTrue(e.getMessage().contains("bad request 'many 40 200 waiters'"), e.getMessage());
            assertNothingLeft(anchor.pid());
        }
    }

    /** No child of the anchor (a zombie is still its child) and no descriptor but stdin, stdout and stderr. */
    private static void assertNothingLeft(long anchorPid) throws IOException {
        assertEquals(List.of(), ProcessHandle.of(anchorPid).orElseThrow().children().map(ProcessHandle::pid).toList(),
                "children of the anchor");
        try (Stream<Path> fds = Files.list(Path.of("/proc/" + anchorPid + "/fd"))) {
            assertEquals(List.of("0", "1", "2"), fds.map(p -> p.getFileName().toString()).sorted().toList(),
                    "descriptors open in the anchor");
        }
    }
}
