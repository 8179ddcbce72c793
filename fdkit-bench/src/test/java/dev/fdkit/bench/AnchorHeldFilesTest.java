package dev.fdkit.bench;

import org.junit.jupiter.api.Test;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.stream.Stream;

import static org.junit.jupiter.api.Assertions.assertEquals;

/**
 * The C anchor holds a spawn block's files for the next spawn block of the same size, as the bench's JVM holds its
 * own, and starts every other kind of block from a clean table: a list block after spawns counts only its own.
 * floor-reaper's thread and descriptors last for its block only.
 */
class AnchorHeldFilesTest {
    @Test
    void spawnBlocksShareTheirFilesAndOtherBlocksStartClean() throws IOException {
        try (CAnchor anchor = CAnchor.start()) {
            anchor.block("spawn floor 50 2");
            assertEquals(3 + 50, openIn(anchor.pid()), "stdio and the 50 files, kept after the block");
            anchor.block("spawn floor-pidfd 50 2");
            assertEquals(3 + 50 + 2, openIn(anchor.pid()), "the same files and the reaper's eventfd and epoll set");
            anchor.block("spawn floor-reaper 50 2");
            assertEquals(3 + 50 + 2, openIn(anchor.pid()), "floor-reaper closed its reaper's own two descriptors");
            try (Stream<Path> tasks = Files.list(Path.of("/proc/" + anchor.pid() + "/task"))) {
                assertEquals(1, tasks.count(), "floor-reaper's reaper thread ended with its block");
            }
            anchor.block("spawn floor-read 50 2");
            assertEquals(3 + 50 + 2, openIn(anchor.pid()), "floor-read closed every /proc/PID/stat it read");
            anchor.block("spawn floor 20 2");
            assertEquals(3 + 20, openIn(anchor.pid()), "another size: its own files only");
            // The list block checks that poll finds exactly stdio and its own 5 files, so any held file fails it.
            anchor.block("list 5 2 0");
            assertEquals(3, openIn(anchor.pid()), "the list block closed its files and held none");
            anchor.block("spawn-threads 2 30 2");
            assertEquals(3 + 30, openIn(anchor.pid()), "spawn-threads holds its files as spawn does");
            anchor.block("close close_range 10 2");
            assertEquals(3, openIn(anchor.pid()), "the close block started clean and closed its files");
        }
    }

    private static long openIn(long pid) throws IOException {
        try (Stream<Path> fds = Files.list(Path.of("/proc/" + pid + "/fd"))) {
            return fds.count();
        }
    }
}
