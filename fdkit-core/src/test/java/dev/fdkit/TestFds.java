package dev.fdkit;

import dev.fdkit.internal.FdCalls;
import dev.fdkit.internal.ProcessCalls;

import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * Descriptors a test owns: /dev/null duplicated onto numbers far above anything the JVM holds, so closing ranges
 * there cannot hit the runner's own files (new JVM descriptors take the lowest free numbers).
 */
final class TestFds {
    private TestFds() {}

    /** A base number well above every open descriptor of this JVM. */
    static int highBase() throws ErrnoException {
        int highest = Fds.highestOpen().orElse(2);
        long soft = ProcessCalls.getrlimitNofile()[0];
        int base = Math.max(highest + 100, 4096);
        assertTrue(soft < 0 || base + 1000 < soft, "RLIMIT_NOFILE " + soft + " too low for tests at " + base);
        return base;
    }

    /** Opens /dev/null at exactly {@code fd}; close-on-exec as asked. */
    static void openAt(int fd, boolean cloexec) {
        int tmp = FdCalls.open("/dev/null", FdCalls.O_RDONLY | FdCalls.O_CLOEXEC, 0);
        assertTrue(tmp >= 0, "open /dev/null");
        int r = FdCalls.dup3(tmp, fd, cloexec ? FdCalls.O_CLOEXEC : 0);
        FdCalls.close(tmp);
        assertTrue(r == fd, "dup3 onto " + fd + " gave " + r);
    }

    static boolean cloexec(int fd) {
        int f = FdCalls.fcntl(fd, FdCalls.F_GETFD, 0);
        assertTrue(f >= 0, "fd " + fd + " should be open");
        return (f & FdCalls.FD_CLOEXEC) != 0;
    }

    /** Closes [first, last] one by one (no fdkit code involved), for cleanup. */
    static void closeAll(int first, int last) {
        for (int fd = first; fd <= last; fd++) FdCalls.close(fd);
    }
}
