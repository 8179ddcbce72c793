package dev.fdkit.spawn;

import dev.fdkit.ErrnoException;
import dev.fdkit.Fds;
import dev.fdkit.internal.Errno;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;

import java.io.File;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.List;
import java.util.Set;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** A child that cannot start is an IOException naming what and why; nothing stays behind. */
class FailureTest {
    @TempDir
    static Path tmp;

    @BeforeAll
    static void warmUp() throws Exception {
        // The first spawn loads the helper, reserves low numbers and starts the reaper: not a leak.
        for (SpawnMechanism m : SpawnMechanism.values()) new FdProcessBuilder("true").mechanism(m).start().waitFor();
    }

    /**
     * Runs the failing start and checks the message (the JDK's shape, with fdkit's detail naming the errno), the
     * cause, the descriptors and the zombies. Returns the cause.
     */
    static IOException fails(FdProcessBuilder b, String errno, String... mentions) throws Exception {
        Set<Integer> before = TestSupport.openFds();
        IOException e = assertThrows(IOException.class, b::start);
        assertEquals(IOException.class, e.getClass(), "the JDK's type: " + e);
        assertTrue(e.getMessage().startsWith("Cannot run program \""), e.getMessage());
        assertTrue(e.getCause() instanceof IOException, "the failure is the cause: " + e);
        assertEquals(e.getMessage(), e.getMessage().substring(0, e.getMessage().indexOf(": ") + 2)
                + e.getCause().getMessage(), "the message ends with the cause's, as the JDK's");
        if (e.getCause() instanceof ErrnoException cause) assertEquals(errno, cause.errnoName(), e.getMessage());
        assertTrue(e.getMessage().contains(errno), e.getMessage());
        for (String s : mentions) assertTrue(e.getMessage().contains(s), "'" + s + "' in: " + e.getMessage());
        assertEquals(before, TestSupport.openFds(), "no descriptor leaked by: " + e.getMessage());
        assertEquals(List.of(), TestSupport.zombieChildren(), "no zombie after: " + e.getMessage());
        return (IOException) e.getCause();
    }

    @ParameterizedTest
    @EnumSource(SpawnMechanism.class)
    void missingProgram(SpawnMechanism m) throws Exception {
        fails(new FdProcessBuilder("fdkit-no-such-program", "x").mechanism(m), "ENOENT", "fdkit-no-such-program");
        fails(new FdProcessBuilder("/nonexistent/dir/prog").mechanism(m), "ENOENT", "/nonexistent/dir/prog");
    }

    @ParameterizedTest
    @EnumSource(SpawnMechanism.class)
    void notExecutable(SpawnMechanism m) throws Exception {
        Path f = tmp.resolve("not-executable-" + m);
        Files.writeString(f, "#!/bin/sh\necho hi\n");
        Files.setPosixFilePermissions(f, PosixFilePermissions.fromString("rw-r--r--"));
        fails(new FdProcessBuilder(f.toString()).mechanism(m), "EACCES", f.toString());
        fails(new FdProcessBuilder(tmp.toString()).mechanism(m), "EACCES", tmp.toString()); // a directory
    }

    @ParameterizedTest
    @EnumSource(SpawnMechanism.class)
    void missingDirectory(SpawnMechanism m) throws Exception {
        File dir = tmp.resolve("no-such-dir").toFile();
        fails(new FdProcessBuilder("true").directory(dir).mechanism(m), "ENOENT", "\"true\"", dir.toString());
    }

    @ParameterizedTest
    @EnumSource(SpawnMechanism.class)
    void passingAClosedDescriptor(SpawnMechanism m) throws Exception {
        int closed = Fds.highestOpen().orElseThrow() + 100;
        assertTrue(!Fds.isOpen(closed));
        IOException e = fails(new FdProcessBuilder("true").passFd(closed, 3).mechanism(m), "EBADF",
                "descriptor " + closed, "\"true\"");
        assertEquals(Errno.EBADF, ((ErrnoException) e).errno());
    }

    @ParameterizedTest
    @EnumSource(SpawnMechanism.class)
    void unreadableRedirectFile(SpawnMechanism m) throws Exception {
        File missing = tmp.resolve("missing-input").toFile();
        fails(new FdProcessBuilder("cat").redirectInput(missing).mechanism(m), "ENOENT", missing.toString());
    }

    @ParameterizedTest
    @EnumSource(SpawnMechanism.class)
    void failureWithPipesLeavesNoPipe(SpawnMechanism m) throws Exception {
        int[] extra = TestSupport.openDevNull(200); // so borrowed low numbers are exercised too
        try {
            fails(new FdProcessBuilder("fdkit-no-such-program").passFd(extra[199], 5).mechanism(m), "ENOENT");
        } finally {
            TestSupport.closeAll(extra);
        }
    }

    @ParameterizedTest
    @EnumSource(SpawnMechanism.class)
    void badArgumentsAreRejectedBeforeAnythingRuns(SpawnMechanism m) throws IOException {
        assertThrows(ArrayIndexOutOfBoundsException.class, () -> new FdProcessBuilder().mechanism(m).start());
        IOException nul = assertThrows(IOException.class, () -> new FdProcessBuilder("a\0b").mechanism(m).start());
        assertEquals("invalid null character in command", nul.getMessage());
        FdProcessBuilder bad = new FdProcessBuilder("true").mechanism(m);
        assertThrows(IllegalArgumentException.class, () -> bad.environment().put("A=B", "c"));
        assertThrows(IllegalArgumentException.class, () -> new FdProcessBuilder("true").passFd(-1, 3));
        assertThrows(IllegalArgumentException.class, () -> new FdProcessBuilder("true").passFd(4, 3).passFd(5, 3));
        assertThrows(IllegalArgumentException.class,
                () -> new FdProcessBuilder("true").redirectInput(ProcessBuilder.Redirect.DISCARD));
    }

    /**
     * An empty command keeps the JDK's message however often it is started: an implicit array-index exception
     * loses its message once the JIT compiles the check with preallocated exceptions.
     */
    @org.junit.jupiter.api.Test
    void anEmptyCommandKeepsItsMessageWhenHot() {
        for (int i = 0; i < 100_000; i++) {
            ArrayIndexOutOfBoundsException e = assertThrows(ArrayIndexOutOfBoundsException.class,
                    () -> new FdProcessBuilder().start());
            assertEquals("Index 0 out of bounds for length 0", e.getMessage(), "start number " + i);
        }
    }
}
