package dev.fdkit.internal;

import org.junit.jupiter.api.Test;

import java.io.File;
import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.util.Arrays;
import java.util.TreeSet;

import static java.lang.foreign.ValueLayout.JAVA_BYTE;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * The raw getdents64 system call, which a glibc older than 2.30 (no wrapper) gets, reads a directory as the
 * wrapper does.
 */
class GetdentsSyscallTest {
    @Test
    void rawSystemCallListsTheSameNamesAsTheJdk() {
        File dir = new File(System.getProperty("java.home"), "lib");
        TreeSet<String> expected = new TreeSet<>(Arrays.asList(dir.list()));
        expected.add(".");
        expected.add("..");
        TreeSet<String> seen = new TreeSet<>();
        int fd = FdCalls.open(dir.getPath(), FdCalls.O_RDONLY | FdCalls.O_DIRECTORY | FdCalls.O_CLOEXEC, 0);
        assertTrue(fd >= 0, "open: " + fd);
        try (Arena arena = Arena.ofConfined()) {
            MemorySegment buf = arena.allocate(1024, 8); // small: several calls, so the offset is carried over
            for (long n; (n = FileCalls.getdents64Syscall(fd, buf)) != 0; ) {
                assertTrue(n > 0, "getdents64: " + Errno.describe((int) -n));
                for (long off = 0; off < n; off += FileCalls.direntLength(buf, off)) {
                    long end = off + FileCalls.DIRENT64_NAME;
                    while (buf.get(JAVA_BYTE, end) != 0) end++;
                    seen.add(new String(buf.asSlice(off + FileCalls.DIRENT64_NAME, end - off - FileCalls.DIRENT64_NAME).toArray(JAVA_BYTE)));
                }
            }
        } finally {
            FdCalls.close(fd);
        }
        assertEquals(expected, seen);
    }
}
