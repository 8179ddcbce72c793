package dev.fdkit.spawn;

import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

import java.lang.ProcessBuilder.Redirect;
import java.nio.file.Path;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * Every step of the helper that can fail, made to fail with {@code fdkit.spawn.failAt} (the real failures of most
 * cannot be produced on demand): the message names the step and the errno, no descriptor and no zombie remain.
 */
class InjectedFailureTest {
    private static final String FAIL_AT = "fdkit.spawn.failAt";

    @TempDir
    static Path tmp;

    @BeforeAll
    static void warmUp() throws Exception {
        // The first spawn loads the helper, reserves low numbers and starts the reaper: not a leak.
        for (SpawnMechanism m : SpawnMechanism.values()) new FdProcessBuilder("true").mechanism(m).start().waitFor();
    }

    @AfterEach
    void clear() {
        System.clearProperty(FAIL_AT);
    }

    /** A builder that reaches every step: a swap of stdin and stdout (parked first), /dev/null, a directory. */
    private static FdProcessBuilder everyStep(SpawnMechanism m) {
        return new FdProcessBuilder("true").mechanism(m).passFd(0, 1).passFd(1, 0).redirectError(Redirect.DISCARD)
                .directory(tmp.toFile());
    }

    @ParameterizedTest
    @CsvSource(delimiter = '|', value = {
            "CLONE       | stack:12        | ENOMEM | mmap of the child's stack",
            "CLONE       | clone:11        | EAGAIN | clone",
            "CLONE       | unshare:1       | EPERM  | a private descriptor table for the child (close_range(",
            "CLONE       | move:24         | EMFILE | parent descriptor 1 for child descriptor 0",
            "CLONE       | place:9         | EBADF  | for child descriptor",
            "CLONE       | devnull:23      | ENFILE | open(\"/dev/null\") in the child",
            "CLONE       | chdir:13        | EACCES | chdir(",
            "CLONE       | exec:5          | EIO    | execvp search of PATH",
            "POSIX_SPAWN | file-actions:22 | EINVAL | posix_spawn file actions",
            "POSIX_SPAWN | exec:5          | EIO    | posix_spawnp search of PATH",
    })
    void spawnStep(SpawnMechanism m, String failAt, String errno, String mention) throws Exception {
        System.setProperty(FAIL_AT, failAt);
        FailureTest.fails(everyStep(m), errno, mention);
    }

    @Test
    void cloneRlimitStep() throws Exception {
        System.setProperty(FAIL_AT, "rlimit:1");
        FailureTest.fails(new FdProcessBuilder("true").mechanism(SpawnMechanism.CLONE).fdLimit(64), "EPERM",
                "setrlimit(RLIMIT_NOFILE, 64) in the child");
    }

    /** Exec in place, in a JVM of its own: a failure at any step leaves that JVM whole (cwd, descriptors, spawning). */
    @ParameterizedTest
    @CsvSource(delimiter = '|', value = {
            "thread:11  | EAGAIN | starting the exec thread",
            "unshare:1  | EPERM  | a private descriptor table",
            "chdir:13   | EACCES | chdir(\"/\")",
            "exec:5     | EIO    | execve(",
    })
    void execInPlaceStep(String failAt, String errno, String mention) throws Exception {
        TestSupport.JvmResult r = TestSupport.runJvm(ExecInPlaceMain.class, "injected", failAt);
        assertEquals(0, r.exit(), r.out() + r.err());
        String failed = r.value("failed");
        assertTrue(failed.contains(errno) && failed.contains(mention), failed);
        assertEquals(r.value("fds-before"), r.value("fds-after"), "the JVM's descriptors are as they were");
        assertEquals(Path.of("").toAbsolutePath().toString(), r.value("cwd"));
        assertEquals("spawned exit=0", r.value("child"));
    }
}
