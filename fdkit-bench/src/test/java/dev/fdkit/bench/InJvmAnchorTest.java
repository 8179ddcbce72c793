package dev.fdkit.bench;

import dev.fdkit.Fds;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import java.util.concurrent.atomic.AtomicReference;
import java.util.stream.Collectors;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * The C floors loaded into this JVM (libfdkit-anchor.so) start the program for real, from any thread, report its
 * exit status and their own failures, and leave no child or descriptor behind.
 */
class InJvmAnchorTest {
    @Test
    void theLibraryIsInTheJar() {
        assertTrue(InJvmAnchor.shipped(), "the build puts " + InJvmAnchor.LIBRARY + " for "
                + System.getProperty("os.arch") + " in the jar");
    }

    @Test
    void eachFloorRunsTheProgramAndReturnsItsExitStatus(@TempDir Path dir) throws IOException {
        InJvmAnchor anchor = InJvmAnchor.get();
        // A program that leaves a mark and exits 42: only a real exec of it gives both.
        Path script = dir.resolve("exit42");
        Files.writeString(script, "#!/bin/sh\necho ran > \"$0.ran\"\nexit 42\n");
        Files.setPosixFilePermissions(script, PosixFilePermissions.fromString("rwx------"));
        Path mark = dir.resolve("exit42.ran");
        for (InJvmAnchor.Floor f : InJvmAnchor.Floor.values()) {
            assertEquals(0, anchor.spawnAndWait(f), f + ": " + SpawnMethod.PROGRAM);
            assertEquals(1, anchor.spawnAndWait(f.id(), "/bin/false"), f + ": /bin/false");
            assertEquals(127, anchor.spawnAndWait(f.id(), dir.resolve("missing").toString()), f + ": exec fails");
            Files.deleteIfExists(mark);
            assertEquals(42, anchor.spawnAndWait(f.id(), script.toString()), f + ": the script");
            assertEquals("ran\n", Files.readString(mark), f + ": the script ran");
        }
    }

    @Test
    void anUnknownMethodIsAnErrorNamingIt() throws IOException {
        InJvmAnchor anchor = InJvmAnchor.get();
        for (int method : new int[] {7, -1}) {
            IOException e = assertThrows(IOException.class, () -> anchor.spawnAndWait(method, SpawnMethod.PROGRAM));
            assertTrue(e.getMessage().contains("unknown spawn method " + method), e.getMessage());
        }
    }

    @Test
    void spawnsFromSeveralThreadsAtOnceLeaveNoChildAndNoDescriptor() throws Exception {
        InJvmAnchor anchor = InJvmAnchor.get();
        // The first pidfd and reaper spawns make the library's epoll sets and its reaper thread, kept for the JVM's
        // life.
        for (InJvmAnchor.Floor f : InJvmAnchor.Floor.values()) anchor.spawnAndWait(f);
        Set<Long> childrenBefore = children();
        int[] before = Fds.numbers();
        AtomicReference<Throwable> failure = new AtomicReference<>();
        List<Thread> threads = new ArrayList<>();
        for (int t = 0; t < 3; t++) {
            threads.add(Thread.ofPlatform().start(() -> {
                try {
                    for (int i = 0; i < 10; i++) {
                        for (InJvmAnchor.Floor f : InJvmAnchor.Floor.values()) {
                            int status = anchor.spawnAndWait(f);
                            if (status != 0) throw new AssertionError(f + " returned " + status);
                        }
                    }
                } catch (Throwable e) {
                    failure.compareAndSet(null, e);
                }
            }));
        }
        for (Thread t : threads) t.join();
        assertNull(failure.get(), () -> "a spawning thread failed: " + failure.get());
        assertArrayEquals(before, Fds.numbers(), "descriptors open before and after");
        Set<Long> left = children();
        left.removeAll(childrenBefore);
        assertEquals(Set.of(), left, "children left behind (unreaped)");
    }

    private static Set<Long> children() {
        return ProcessHandle.current().children().map(ProcessHandle::pid).collect(Collectors.toSet());
    }
}
