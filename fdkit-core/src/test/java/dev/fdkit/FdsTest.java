package dev.fdkit;

import dev.fdkit.internal.CloseStrategy;
import dev.fdkit.internal.Closer;
import dev.fdkit.internal.FdCalls;
import dev.fdkit.internal.FdScan;
import dev.fdkit.internal.ListStrategy;
import dev.fdkit.internal.NetCalls;
import dev.fdkit.internal.SyscallException;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;

import java.io.IOException;
import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.util.Arrays;
import java.util.List;
import java.util.stream.IntStream;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** Semantics of every Fds call, on descriptors the test opened far above the JVM's own. */
class FdsTest {
    int base;

    @BeforeEach
    void setUp() throws ErrnoException {
        base = TestFds.highBase();
    }

    @AfterEach
    void tearDown() {
        TestFds.closeAll(base, base + 1100);
    }

    private void openRange(int first, int last) {
        for (int fd = first; fd <= last; fd++) TestFds.openAt(fd, false);
    }

    private static int[] open(int first, int last) {
        return IntStream.rangeClosed(first, last).filter(Fds::isOpen).toArray();
    }

    @ParameterizedTest
    @EnumSource(CloseStrategy.class)
    void closesExactlyTheRange(CloseStrategy m) throws IOException {
        openRange(base, base + 9);
        Closer.closeRange(m, base + 2, base + 6, 0);
        assertArrayEquals(new int[] {base, base + 1, base + 7, base + 8, base + 9}, open(base, base + 9));
    }

    @ParameterizedTest
    @EnumSource(CloseStrategy.class)
    void singleDescriptorRange(CloseStrategy m) throws IOException {
        openRange(base, base + 2);
        Closer.closeRange(m, base + 1, base + 1, 0);
        assertArrayEquals(new int[] {base, base + 2}, open(base, base + 2));
    }

    @ParameterizedTest
    @EnumSource(CloseStrategy.class)
    void rangeToTheEndOfTheTable(CloseStrategy m) throws IOException {
        openRange(base, base + 4);
        TestFds.openAt(base + 1000, false);
        Closer.closeRange(m, base + 3, -1, 0);
        assertArrayEquals(new int[] {base, base + 1, base + 2}, open(base, base + 1000));
    }

    @ParameterizedTest
    @EnumSource(CloseStrategy.class)
    void emptyAndPastTheTableRangesCloseNothing(CloseStrategy m) throws IOException {
        openRange(base, base + 2);
        Closer.closeRange(m, base + 500, base + 600, 0); // nothing open there
        Closer.closeRange(m, Integer.MAX_VALUE - 1, -1, 0); // far past any table
        assertArrayEquals(new int[] {base, base + 1, base + 2}, open(base, base + 2));
    }

    @ParameterizedTest
    @EnumSource(CloseStrategy.class)
    void cloexecFlagMarksInsteadOfClosing(CloseStrategy m) throws IOException {
        openRange(base, base + 5);
        Closer.closeRange(m, base + 1, base + 3, FdCalls.CLOSE_RANGE_CLOEXEC);
        assertArrayEquals(IntStream.rangeClosed(base, base + 5).toArray(), open(base, base + 5));
        boolean[] expected = {false, true, true, true, false, false};
        for (int i = 0; i < 6; i++) assertEquals(expected[i], TestFds.cloexec(base + i), "fd " + (base + i));
    }

    @Test
    void eachPublicMechanismNamesOneInternalStrategy() {
        assertEquals(Arrays.stream(CloseStrategy.values()).map(Enum::name).toList(),
                Arrays.stream(CloseMechanism.values()).map(Enum::name).toList());
        assertEquals(Arrays.stream(ListStrategy.values()).map(Enum::name).toList(),
                Arrays.stream(ListMechanism.values()).map(Enum::name).toList());
        assertEquals(List.of("close-range", "proc", "brute"),
                Arrays.stream(CloseMechanism.values()).map(CloseMechanism::propertyValue).toList());
        assertEquals(List.of("poll", "fcntl", "proc"),
                Arrays.stream(ListMechanism.values()).map(ListMechanism::propertyValue).toList());
        assertEquals(Fds.closeMechanism().name(), Closer.selected().name());
        assertEquals(Fds.listMechanism().name(), FdScan.selected().name());
    }

    @Test
    void publicCallsUseTheSelectedMechanism() throws ErrnoException {
        openRange(base, base + 3);
        Fds.closeRange(base, base + 1);
        assertArrayEquals(new int[] {base + 2, base + 3}, open(base, base + 3));
        Fds.markCloseOnExec(base + 2, base + 2);
        assertTrue(TestFds.cloexec(base + 2));
        assertFalse(TestFds.cloexec(base + 3));
        Fds.closeFrom(base);
        assertArrayEquals(new int[0], open(base, base + 3));
        assertTrue(Arrays.asList(CloseMechanism.values()).contains(Fds.closeMechanism()));
    }

    @Test
    void badRangesNameBothValues() {
        var e = assertThrows(IllegalArgumentException.class, () -> Fds.closeRange(10, 5));
        assertTrue(e.getMessage().contains("first=10") && e.getMessage().contains("last=5"), e.getMessage());
        e = assertThrows(IllegalArgumentException.class, () -> Fds.closeRange(-1, 5));
        assertTrue(e.getMessage().contains("first=-1"), e.getMessage());
        assertThrows(IllegalArgumentException.class, () -> Fds.closeFromExcept(-3));
        assertThrows(IllegalArgumentException.class, () -> Fds.closeFromExcept(base, -1));
        assertThrows(IllegalArgumentException.class, () -> Fds.detach(7, 6));
        assertThrows(NullPointerException.class, () -> Fds.closeRange(base, base, (CloseRangeFlag) null));
    }

    @Test
    void closeFromExceptKeepsTheListAndClosesTheGaps() throws ErrnoException {
        openRange(base, base + 20);
        // unsorted, duplicated, below first, and MAX_FD: all fine
        Fds.closeFromExcept(base + 2, base + 15, base + 5, base + 5, 3, base + 6, Fds.MAX_FD);
        assertArrayEquals(new int[] {base, base + 1, base + 5, base + 6, base + 15}, open(base, base + 20));
    }

    @Test
    void closeFromExceptAtTheEdges() throws ErrnoException {
        openRange(base, base + 5);
        Fds.closeFromExcept(base, base); // keep the first number itself
        assertArrayEquals(new int[] {base}, open(base, base + 5));
        openRange(base + 1, base + 5);
        Fds.closeFromExcept(base, base + 5); // keep the last one
        assertArrayEquals(new int[] {base + 5}, open(base, base + 5));
        openRange(base, base + 4);
        Fds.closeFromExcept(base); // keep nothing
        assertArrayEquals(new int[0], open(base, base + 5));
    }

    @Test
    void bruteForceRefusesAboveItsCap() {
        String old = System.getProperty("fdkit.brute.max");
        System.setProperty("fdkit.brute.max", "100");
        try {
            var e = assertThrows(SyscallException.class, () -> Closer.closeRange(CloseStrategy.BRUTE, base, -1, 0));
            assertTrue(e.getMessage().contains("cap of 100"), e.getMessage());
        } finally {
            if (old == null) System.clearProperty("fdkit.brute.max");
            else System.setProperty("fdkit.brute.max", old);
        }
    }

    @Test
    void detachKeepsNumbersReleasesFilesAndKeepsCloexec() throws Exception {
        int[] pair = NetCalls.socketpair(NetCalls.AF_UNIX, NetCalls.SOCK_STREAM, 0, null);
        assertTrue(pair != null);
        int mine = base + 3, peer = base + 4;
        assertEquals(mine, FdCalls.dup3(pair[0], mine, FdCalls.O_CLOEXEC));
        assertEquals(peer, FdCalls.dup2(pair[1], peer));
        FdCalls.close(pair[0]);
        FdCalls.close(pair[1]);
        TestFds.openAt(base + 2, false);

        Fds.detach(base + 2, base + 3);

        assertTrue(Fds.isOpen(mine) && Fds.isOpen(base + 2), "numbers stay taken");
        assertTrue(TestFds.cloexec(mine), "close-on-exec kept");
        assertFalse(TestFds.cloexec(base + 2), "no close-on-exec kept");
        assertEquals("/dev/null", Fds.list().get(mine).orElseThrow().target());
        try (Arena arena = Arena.ofConfined()) {
            MemorySegment buf = arena.allocate(16);
            assertEquals(0, FdCalls.read(peer, buf, 16), "the peer sees EOF: the socket was released");
        }
        assertTrue(Fds.isOpen(peer));
    }

    @Test
    void nextOpenAndHighestOpen() throws ErrnoException {
        TestFds.openAt(base + 7, false);
        TestFds.openAt(base + 900, false);
        assertEquals(base + 7, Fds.nextOpen(base).orElseThrow());
        assertEquals(base + 900, Fds.nextOpen(base + 8).orElseThrow());
        assertEquals(base + 900, Fds.highestOpen().orElseThrow());
        assertTrue(Fds.nextOpen(base + 901).isEmpty());
        assertFalse(Fds.isOpen(base + 8));
        assertFalse(Fds.isOpen(-1));
        assertTrue(Fds.isOpen(base + 7));
    }

    @ParameterizedTest
    @EnumSource(ListStrategy.class)
    void everyListMechanismSeesOPathDescriptors(ListStrategy m) throws IOException {
        int path = FdCalls.open("/", FdCalls.O_PATH | FdCalls.O_CLOEXEC, 0);
        assertTrue(path >= 0);
        assertEquals(base + 5, FdCalls.dup3(path, base + 5, FdCalls.O_CLOEXEC));
        FdCalls.close(path);
        TestFds.openAt(base + 9, false);
        assertArrayEquals(new int[] {base + 5, base + 9}, FdScan.open(m, base, base + 1100));
        assertEquals(base + 5, FdScan.nextOpen(base));
        int[] all = FdScan.open(m, 0, Integer.MAX_VALUE);
        assertTrue(Arrays.binarySearch(all, base + 5) >= 0, "O_PATH descriptor in the full listing");
    }

    @ParameterizedTest
    @EnumSource(ListStrategy.class)
    void everyListMechanismSeesTheSameNumbers(ListStrategy m) throws IOException {
        int[] expected = {base, base + 1, base + 64, base + 999};
        for (int fd : expected) TestFds.openAt(fd, false);
        assertArrayEquals(expected, FdScan.open(m, base, base + 1100));
        assertArrayEquals(new int[] {base + 1, base + 64}, FdScan.open(m, base + 1, base + 998));
        // The low, shared part of the table: 0-2 at least, and agreement with the other mechanisms.
        int[] low = FdScan.open(m, 0, 2);
        assertArrayEquals(new int[] {0, 1, 2}, low);
    }

    @Test
    void numbersMatchProcSelfFd() throws Exception {
        for (int i = 0; i < 50; i++) TestFds.openAt(base + 2 * i, i % 2 == 0);
        int[] viaFdkit = Fds.numbers(base, base + 1100);
        int[] viaProc;
        try (var s = java.nio.file.Files.list(java.nio.file.Path.of("/proc/self/fd"))) {
            viaProc = s.mapToInt(p -> Integer.parseInt(p.getFileName().toString()))
                    .filter(fd -> fd >= base && fd <= base + 1100).sorted().toArray();
        }
        assertArrayEquals(viaProc, viaFdkit);
        assertEquals(50, viaFdkit.length);
    }

    @Test
    void listShowsTargetsAndFlags() throws Exception {
        java.nio.file.Path f = java.nio.file.Files.createTempFile("fdkit", ".txt");
        java.nio.file.Files.writeString(f, "hello world");
        int fd = FdCalls.open(f.toString(), FdCalls.O_RDWR | FdCalls.O_APPEND, 0);
        assertTrue(fd >= 0);
        try {
            assertEquals(base, FdCalls.dup3(fd, base, FdCalls.O_CLOEXEC));
            FdCalls.lseek(base, 5, FdCalls.SEEK_SET);
            java.nio.file.Files.delete(f);
            FdInfo info = Fds.list().get(base).orElseThrow();
            assertEquals(FdKind.FILE, info.kind());
            assertEquals(f + " (deleted)", info.target());
            assertTrue(info.deleted());
            assertTrue(info.closeOnExec());
            assertEquals(AccessMode.READ_WRITE, info.access());
            assertTrue((info.openFlags() & FdCalls.O_APPEND) != 0);
            assertEquals(5, info.position());
            assertTrue(info.inode() > 0 && info.mountId() > 0);
        } finally {
            FdCalls.close(fd);
        }
    }

    @Test
    void diffNamesOpenedClosedAndReplaced() throws ErrnoException {
        TestFds.openAt(base, false);
        TestFds.openAt(base + 1, false);
        FdTable before = Fds.list();
        FdCalls.close(base);
        int[] pipe = FdCalls.pipe2(FdCalls.O_CLOEXEC, null);
        FdCalls.dup2(pipe[0], base + 1);
        FdCalls.dup2(pipe[1], base + 2);
        FdCalls.close(pipe[0]);
        FdCalls.close(pipe[1]);
        FdDiff d = before.diff(Fds.list());
        assertTrue(d.closed().stream().anyMatch(i -> i.fd() == base), d.toString());
        assertTrue(d.replaced().stream().anyMatch(i -> i.fd() == base + 1 && i.kind() == FdKind.PIPE), d.toString());
        assertTrue(d.opened().stream().anyMatch(i -> i.fd() == base + 2 && i.kind() == FdKind.PIPE), d.toString());
    }

    @Test
    void missingProcessIsNamedAsSuch() throws Exception {
        Process p = new ProcessBuilder("true").start();
        long pid = p.pid();
        p.waitFor();
        // reaped: the pid is free (reuse within the test's lifetime is not a realistic worry)
        var e = assertThrows(ProcessNotFoundException.class, () -> Fds.list(pid));
        assertTrue(e.getMessage().contains(Long.toString(pid)), e.getMessage());
        assertThrows(IllegalArgumentException.class, () -> Fds.list(0));
    }

    @Test
    void anotherProcessIsListed() throws Exception {
        // The shell opens a file at fd 7 and a pipe at fd 8, then waits.
        java.nio.file.Path f = java.nio.file.Files.createTempFile("fdkit-other", ".txt");
        Process p = new ProcessBuilder("sh", "-c", "exec 7<\"$0\"; exec 8</dev/zero; echo ready; read x", f.toString())
                .redirectError(ProcessBuilder.Redirect.INHERIT).start();
        try {
            assertEquals('r', p.getInputStream().read());
            FdTable t = Fds.list(p.pid());
            assertEquals(p.pid(), t.pid());
            assertEquals(f.toString(), t.get(7).orElseThrow().target());
            assertEquals(FdKind.FILE, t.get(7).orElseThrow().kind());
            assertEquals(FdKind.CHAR_DEVICE, t.get(8).orElseThrow().kind());
            assertEquals(FdKind.PIPE, t.get(0).orElseThrow().kind());
        } finally {
            p.getOutputStream().close();
            p.waitFor();
            java.nio.file.Files.deleteIfExists(f);
        }
    }
}
