package dev.fdkit.internal;

import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

import java.nio.file.Files;
import java.nio.file.Path;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** memfd_create through glibc's wrapper and by the system call's number (a glibc older than 2.27). */
class MemfdCreateTest {
    private static int create(boolean raw, String name, int flags) {
        return raw ? FileCalls.memfdCreateSyscall(name, flags) : FileCalls.memfdCreate(name, flags);
    }

    @ParameterizedTest
    @ValueSource(booleans = {false, true})
    void createsAnAnonymousFileThatTakesData(boolean raw) throws Exception {
        int fd = create(raw, "fdkit-test", FileCalls.MFD_CLOEXEC);
        assertTrue(fd >= 0, "memfd_create: " + Errno.describe(-fd));
        try {
            Path name = Path.of("/proc/self/fd/" + fd);
            assertEquals("/memfd:fdkit-test (deleted)", Files.readSymbolicLink(name).toString());
            assertEquals(FdCalls.FD_CLOEXEC, FdCalls.fcntl(fd, FdCalls.F_GETFD, 0) & FdCalls.FD_CLOEXEC);
            Files.writeString(name, "hello");
            assertEquals("hello", Files.readString(name));
        } finally {
            FdCalls.close(fd);
        }
    }

    @ParameterizedTest
    @ValueSource(booleans = {false, true})
    void unknownFlagsAreEinval(boolean raw) {
        assertEquals(-Errno.EINVAL, create(raw, "fdkit-test", 0x40000000));
    }
}
