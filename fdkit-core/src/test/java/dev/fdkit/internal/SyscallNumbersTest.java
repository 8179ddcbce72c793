package dev.fdkit.internal;

import dev.fdkit.internal.RawSyscalls.Syscall;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;
import org.junit.jupiter.params.provider.ValueSource;

import java.io.File;
import java.io.IOException;
import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.TreeSet;
import java.util.concurrent.TimeUnit;

import static java.lang.foreign.ValueLayout.JAVA_BYTE;
import static java.lang.foreign.ValueLayout.JAVA_LONG;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * The system calls fdkit makes by number: each number of this machine does what its name says (called through its
 * binding), and the numbers of every architecture with a table are the kernel headers' (expanded by the C
 * preprocessor: gcc for this machine's, Debian's gcc-aarch64-linux-gnu or gcc-x86-64-linux-gnu for the other; gcc
 * on Debian's linux-libc-dev-ppc64el-cross and linux-libc-dev-s390x-cross headers for ppc64le and s390x; the test
 * scripts install them).
 */
class SyscallNumbersTest {
    private static final int EAFNOSUPPORT = 97;
    @TempDir
    Path dir;
    private final List<Integer> opened = new ArrayList<>();

    @AfterEach
    void closeOpened() {
        for (int fd : opened) FdCalls.close(fd);
    }

    private int own(String what, int fd) {
        assertTrue(fd >= 0, what + ": " + (fd < 0 ? Errno.describe(-fd) : ""));
        opened.add(fd);
        return fd;
    }

    private static String link(int fd) throws IOException {
        return Files.readSymbolicLink(Path.of("/proc/self/fd/" + fd)).toString();
    }

    @ParameterizedTest
    @ValueSource(strings = {"x86_64", "aarch64", "ppc64le", "s390x"})
    void numbersAreTheKernelHeadersOnEachArchitecture(String arch) throws Exception {
        Map<String, Long> headers = headerNumbers(arch);
        for (Syscall sc : Syscall.values()) {
            assertEquals(headers.get(sc.cName), sc.numberOn(arch), arch + " __NR_" + sc.cName);
        }
    }

    @Test
    void aarch64LacksOpenReadlinkAndDup2SoNoneIsMadeByNumber() throws Exception {
        Map<String, Long> headers = headerNumbers("aarch64");
        for (String absent : List.of("open", "readlink", "dup2")) {
            assertFalse(headers.containsKey(absent), "aarch64 has __NR_" + absent);
            for (Syscall sc : Syscall.values()) assertFalse(sc.cName.equals(absent), sc.cName);
        }
    }

    /** Debian's multiarch directory and package of the kernel headers of the architectures read without a compiler. */
    private static final Map<String, String[]> HEADERS_ONLY = Map.of(
            "ppc64le", new String[] {"powerpc64le-linux-gnu", "linux-libc-dev-ppc64el-cross"},
            "s390x", new String[] {"s390x-linux-gnu", "linux-libc-dev-s390x-cross"});

    /** __NR_name of every {@link Syscall} (and of open, readlink, dup2) on {@code arch}, where it has one. */
    private static Map<String, Long> headerNumbers(String arch) throws Exception {
        String host = System.getProperty("os.arch").equals("amd64") ? "x86_64" : System.getProperty("os.arch");
        List<String> cpp = new ArrayList<>(List.of(arch.equals(host) ? "gcc" : arch + "-linux-gnu-gcc", "-E", "-P"));
        String cc = cpp.get(0), header = "asm/unistd.h";
        String debianPackage = "gcc" + (arch.equals(host) ? "" : "-" + arch.replace('_', '-') + "-linux-gnu");
        String[] headersOnly = HEADERS_ONLY.get(arch);
        if (!arch.equals(host) && headersOnly != null) {
            // This machine's preprocessor on the other architecture's 64-bit table, which only defines numbers.
            Path include = Path.of("/usr", headersOnly[0], "include");
            debianPackage = headersOnly[1];
            Assumptions.assumeTrue(Files.isRegularFile(include.resolve("asm/unistd_64.h")), "the " + arch
                    + " kernel headers are missing, so its system call numbers cannot be checked (Debian's "
                    + debianPackage + ")");
            cc = "gcc";
            header = "asm/unistd_64.h";
            cpp = new ArrayList<>(List.of(cc, "-E", "-P", "-nostdinc", "-isystem", include.toString()));
        }
        cpp.addAll(List.of("-x", "c", "-"));
        StringBuilder source = new StringBuilder("#include <" + header + ">\n");
        List<String> names = new ArrayList<>(List.of("open", "readlink", "dup2"));
        for (Syscall sc : Syscall.values()) names.add(sc.cName);
        for (String name : names) source.append(name).append(" __NR_").append(name).append('\n');
        Process p;
        try {
            p = new ProcessBuilder(cpp).redirectError(ProcessBuilder.Redirect.DISCARD).start();
        } catch (IOException e) {
            Assumptions.abort(cc + " is missing, so the " + arch + " system call numbers cannot be checked ("
                    + "Debian's " + debianPackage + "): " + e.getMessage());
            throw e;
        }
        try (var in = p.getOutputStream()) {
            in.write(source.toString().getBytes(StandardCharsets.US_ASCII));
        }
        String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.US_ASCII);
        assertTrue(p.waitFor(60, TimeUnit.SECONDS), cc + " did not finish");
        Assumptions.assumeTrue(p.exitValue() == 0, cc + " cannot preprocess <asm/unistd.h> (exit "
                + p.exitValue() + "): the " + arch + " kernel headers are missing");
        Map<String, Long> numbers = new HashMap<>();
        for (String line : out.lines().toList()) {
            String[] words = line.trim().split("\\s+");
            if (words.length == 2 && words[1].matches("\\d+")) numbers.put(words[0], Long.parseLong(words[1]));
        }
        assertTrue(numbers.size() > 10, cc + " expanded too few numbers: " + out);
        return numbers;
    }

    /** Each number, called through its binding, does what the call of that name does. */
    @ParameterizedTest
    @EnumSource(Syscall.class)
    void eachNumberDoesWhatItsNameSays(Syscall sc) throws Exception {
        Path file = Files.writeString(dir.resolve("file"), "fdkit data");
        try (Arena arena = Arena.ofConfined()) {
            switch (sc) {
                case READ, WRITE -> {
                    int[] pipe = FdCalls.pipe2(FdCalls.O_CLOEXEC, null);
                    own("read end", pipe[0]);
                    own("write end", pipe[1]);
                    assertEquals(4, FdCalls.write(pipe[1], arena.allocateFrom("ping"), 4));
                    MemorySegment in = arena.allocate(16);
                    assertEquals(4, FdCalls.read(pipe[0], in, 16));
                    assertEquals("ping", new String(in.asSlice(0, 4).toArray(JAVA_BYTE), StandardCharsets.US_ASCII));
                }
                case CLOSE -> {
                    int fd = FdCalls.open("/dev/null", FdCalls.O_RDONLY | FdCalls.O_CLOEXEC, 0);
                    assertTrue(fd >= 0);
                    assertEquals(0, FdCalls.close(fd));
                    assertEquals(-Errno.EBADF, FdCalls.close(fd));
                }
                case LSEEK -> {
                    int fd = own("open", FdCalls.open(file.toString(), FdCalls.O_RDONLY | FdCalls.O_CLOEXEC, 0));
                    assertEquals(5, FdCalls.lseek(fd, 5, FdCalls.SEEK_SET));
                    assertEquals(5, FdCalls.lseek(fd, 0, FdCalls.SEEK_CUR));
                    assertEquals(-Errno.EINVAL, FdCalls.lseek(fd, -1, FdCalls.SEEK_SET));
                }
                case SOCKET -> {
                    int fd = own("socket", NetCalls.socket(NetCalls.AF_UNIX,
                            NetCalls.SOCK_DGRAM | NetCalls.SOCK_CLOEXEC, 0));
                    assertTrue(link(fd).startsWith("socket:["), link(fd));
                    assertEquals(NetCalls.SOCK_DGRAM, NetCalls.getsockoptInt(fd, NetCalls.SOL_SOCKET, NetCalls.SO_TYPE));
                    assertEquals(NetCalls.AF_UNIX, NetCalls.getsockoptInt(fd, NetCalls.SOL_SOCKET, NetCalls.SO_DOMAIN));
                    assertEquals(FdCalls.FD_CLOEXEC, FdCalls.fcntl(fd, FdCalls.F_GETFD, 0));
                    assertEquals(-EAFNOSUPPORT, NetCalls.socket(4096, NetCalls.SOCK_DGRAM, 0));
                }
                case EVENTFD2 -> {
                    int fd = own("eventfd", NetCalls.eventfd(0, NetCalls.EFD_CLOEXEC | NetCalls.EFD_NONBLOCK));
                    assertEquals("anon_inode:[eventfd]", link(fd));
                    assertEquals(FdCalls.FD_CLOEXEC, FdCalls.fcntl(fd, FdCalls.F_GETFD, 0));
                    assertEquals(-Errno.EAGAIN, NetCalls.eventfdDrain(fd), "a zero counter: nothing to read");
                    assertEquals(0, NetCalls.eventfdSignal(fd));
                    assertEquals(0, NetCalls.eventfdSignal(fd));
                    assertEquals(1, FdCalls.pollOne(fd, FdCalls.POLLIN, 0), "readable while the counter is not zero");
                    assertEquals(2, NetCalls.eventfdDrain(fd), "the two signals, read as one count");
                    assertEquals(0, FdCalls.pollOne(fd, FdCalls.POLLIN, 0), "the read zeroed the counter");
                    assertEquals(-Errno.EINVAL, NetCalls.eventfd(0, 1 << 30), "an unknown flag");
                }
                case FCNTL -> {
                    int fd = own("open", FdCalls.open("/dev/null", FdCalls.O_WRONLY | FdCalls.O_CLOEXEC, 0));
                    assertEquals(FdCalls.FD_CLOEXEC, FdCalls.fcntl(fd, FdCalls.F_GETFD, 0));
                    assertEquals(FdCalls.O_WRONLY, FdCalls.fcntl(fd, FdCalls.F_GETFL, 0) & FdCalls.O_ACCMODE);
                    assertEquals(0, FdCalls.fcntl(fd, FdCalls.F_SETFD, 0));
                    assertEquals(0, FdCalls.fcntl(fd, FdCalls.F_GETFD, 0));
                }
                case RT_SIGACTION -> {
                    // Reads SIGKILL's action, which is always SIG_DFL (0); a sigset size other than 8 is refused.
                    MemorySegment old = arena.allocate(64, 8);
                    old.set(JAVA_LONG, 0, -1L);
                    assertEquals(0, RawSyscalls.call(Syscall.RT_SIGACTION, 9, 0, old.address(), 8));
                    assertEquals(0L, old.get(JAVA_LONG, 0));
                    assertEquals(-Errno.EINVAL, RawSyscalls.call(Syscall.RT_SIGACTION, 9, 0, old.address(), 4));
                }
                case GETDENTS64 -> assertGetdentsListsWhatTheJdkLists(arena);
                case OPENAT -> {
                    int d = own("open dir", FdCalls.open(dir.toString(), FdCalls.O_RDONLY | FdCalls.O_DIRECTORY, 0));
                    int fd = own("openat", FileCalls.openat(d, arena.allocateFrom("file"), FdCalls.O_RDONLY, 0));
                    assertEquals(file.toString(), link(fd));
                    assertEquals(-Errno.ENOENT, FileCalls.openat(d, arena.allocateFrom("none"), FdCalls.O_RDONLY, 0));
                }
                case READLINKAT -> {
                    Path symlink = Files.createSymbolicLink(dir.resolve("link"), Path.of("some/target"));
                    MemorySegment buf = arena.allocate(64);
                    long n = FileCalls.readlinkat(FileCalls.AT_FDCWD, arena.allocateFrom(symlink.toString()), buf);
                    assertEquals("some/target", new String(buf.asSlice(0, n).toArray(JAVA_BYTE)));
                }
                case MEMFD_CREATE -> {
                    int fd = own("memfd_create", FileCalls.memfdCreate("fdkit-test", FileCalls.MFD_CLOEXEC));
                    assertEquals("/memfd:fdkit-test (deleted)", link(fd));
                    assertEquals(FdCalls.FD_CLOEXEC, FdCalls.fcntl(fd, FdCalls.F_GETFD, 0));
                    Files.writeString(Path.of("/proc/self/fd/" + fd), "hello");
                    assertEquals("hello", Files.readString(Path.of("/proc/self/fd/" + fd)));
                    assertEquals(-Errno.EINVAL, FileCalls.memfdCreate("fdkit-test", 0x40000000));
                }
                case STATX -> {
                    MemorySegment buf = arena.allocate(FileCalls.STATX);
                    assertEquals(0, FileCalls.statx(FileCalls.AT_FDCWD, arena.allocateFrom(file.toString()), 0,
                            FileCalls.STATX_INO | FileCalls.STATX_SIZE | FileCalls.STATX_TYPE, buf));
                    assertEquals(Files.getAttribute(file, "unix:ino"), FileCalls.statxIno(buf));
                    assertEquals(Files.size(file), FileCalls.statxSize(buf));
                    assertEquals(FileCalls.S_IFREG, FileCalls.statxMode(buf) & FileCalls.S_IFMT);
                }
                case PIDFD_OPEN -> {
                    int pidfd = own("pidfd_open", ProcessCalls.pidfdOpen(ProcessCalls.getpid(), 0));
                    assertEquals("anon_inode:[pidfd]", link(pidfd));
                }
                case PIDFD_SEND_SIGNAL -> {
                    int pidfd = own("pidfd_open", ProcessCalls.pidfdOpen(ProcessCalls.getpid(), 0));
                    assertEquals(0, ProcessCalls.pidfdSendSignal(pidfd, 0)); // signal 0: the checks only
                    int notPidfd = own("open", FdCalls.open("/dev/null", FdCalls.O_RDONLY | FdCalls.O_CLOEXEC, 0));
                    assertEquals(-Errno.EBADF, ProcessCalls.pidfdSendSignal(notPidfd, 0));
                }
                case IO_URING_SETUP -> {
                    // Zero entries are refused; a kernel may have io_uring disabled (EPERM) or predate it.
                    long r = RawSyscalls.call(Syscall.IO_URING_SETUP, 0, arena.allocate(120).address(), 0);
                    Assumptions.assumeFalse(r == -Errno.ENOSYS || r == -Errno.EPERM,
                            "io_uring is not available here: " + Errno.describe((int) -r));
                    assertEquals(-Errno.EINVAL, r);
                }
                case CLOSE_RANGE -> {
                    int a = FdCalls.open("/dev/null", FdCalls.O_RDONLY | FdCalls.O_CLOEXEC, 0);
                    int b = own("open", FdCalls.open("/dev/null", FdCalls.O_RDONLY | FdCalls.O_CLOEXEC, 0));
                    assertEquals(0, FdCalls.closeRange(a, a, 0)); // only the test's own descriptor
                    assertEquals(-Errno.EBADF, FdCalls.fcntl(a, FdCalls.F_GETFD, 0));
                    assertEquals(FdCalls.FD_CLOEXEC, FdCalls.fcntl(b, FdCalls.F_GETFD, 0));
                }
            }
        }
    }

    /** getdents64 with a small buffer (several calls, so the offset is carried over) names what File.list does. */
    private static void assertGetdentsListsWhatTheJdkLists(Arena arena) {
        File lib = new File(System.getProperty("java.home"), "lib");
        TreeSet<String> expected = new TreeSet<>(Arrays.asList(lib.list()));
        expected.add(".");
        expected.add("..");
        TreeSet<String> seen = new TreeSet<>();
        int fd = FdCalls.open(lib.getPath(), FdCalls.O_RDONLY | FdCalls.O_DIRECTORY | FdCalls.O_CLOEXEC, 0);
        assertTrue(fd >= 0, "open: " + fd);
        try {
            MemorySegment buf = arena.allocate(1024, 8);
            for (long n; (n = FileCalls.getdents64(fd, buf)) != 0; ) {
                assertTrue(n > 0, "getdents64: " + Errno.describe((int) -n));
                for (long off = 0; off < n; off += FileCalls.direntLength(buf, off)) {
                    long end = off + FileCalls.DIRENT64_NAME;
                    while (buf.get(JAVA_BYTE, end) != 0) end++;
                    seen.add(new String(buf.asSlice(off + FileCalls.DIRENT64_NAME,
                            end - off - FileCalls.DIRENT64_NAME).toArray(JAVA_BYTE)));
                }
            }
        } finally {
            FdCalls.close(fd);
        }
        assertEquals(expected, seen);
    }

    /** A pointer argument fails as a downcall's would: a heap segment or a closed one is refused, not passed. */
    @Test
    void pointerArgumentsMustBeLiveNativeMemory() {
        int fd = own("open", FdCalls.open("/dev/null", FdCalls.O_RDONLY | FdCalls.O_CLOEXEC, 0));
        assertThrows(IllegalArgumentException.class, () -> FdCalls.read(fd, MemorySegment.ofArray(new byte[8]), 8));
        MemorySegment closed;
        try (Arena arena = Arena.ofConfined()) {
            closed = arena.allocate(8);
        }
        assertThrows(IllegalStateException.class, () -> FdCalls.read(fd, closed, 8));
    }
}
