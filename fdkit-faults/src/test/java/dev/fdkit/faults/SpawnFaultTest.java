package dev.fdkit.faults;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

import java.nio.file.Path;
import java.util.List;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * Starting children where the fast path is refused, with each spawn mechanism. A child must get exactly stdio and
 * the descriptors passed; a failure must be a checked IOException (or an IllegalArgumentException for a request
 * that cannot be met), never a hang.
 */
class SpawnFaultTest {
    private static Faultrun spawn(String mechanism) {
        return Faultrun.jvm().property("fdkit.spawn.mechanism", mechanism);
    }

    private static void exactlyStdioAnd(String passed, Faultrun.Result r) {
        assertEquals("0 1 2 " + passed, r.value("fds"), r.toString());
        assertEquals("7", r.value("exit"), r.toString());
    }

    @ParameterizedTest(name = "{0}")
    @ValueSource(strings = {"auto", "posix-spawn"})
    void closeRangeRefused(String mechanism) throws Exception {
        for (String errno : new String[] {"EPERM", "ENOSYS"}) {
            exactlyStdioAnd("3", spawn(mechanism).deny("close_range", errno).run(SpawnScenarios.class, "exact", "0", "3"));
        }
    }

    /** The clone mechanism itself (not a switch to posix-spawn) copes with close_range refused. */
    @Test
    void closeRangeRefusedCloneMechanism() throws Exception {
        for (String errno : new String[] {"EPERM", "ENOSYS"}) {
            exactlyStdioAnd("3", spawn("clone").deny("close_range", errno).run(SpawnScenarios.class, "exact", "0", "3"));
        }
    }

    /**
     * clone3 refused: container profiles answer ENOSYS, since glibc's pthread_create falls back to clone only on
     * ENOSYS (with EPERM not even the JVM starts).
     */
    @Test
    void clone3Refused() throws Exception {
        exactlyStdioAnd("3", spawn("clone").deny("clone3", "ENOSYS").run(SpawnScenarios.class, "exact", "0", "3"));
    }

    @ParameterizedTest(name = "{0}")
    @ValueSource(strings = {"EPERM", "ENOSYS"})
    void pidfdRefusedDestroyFallsBackToKill(String errno) throws Exception {
        Faultrun.Result r = Faultrun.jvm().deny("pidfd_open", errno).deny("pidfd_send_signal", errno)
                .run(SpawnScenarios.class, "destroy");
        assertEquals("3", r.value("quick"), r.toString());
        assertEquals("143", r.value("destroyed"), r.toString());
        assertEquals("137", r.value("handle_destroyed"), r.toString());
    }

    @ParameterizedTest(name = "{0}")
    @ValueSource(strings = {"EPERM", "ENOSYS"})
    void pidfdSendSignalRefusedDestroyFallsBackToKill(String errno) throws Exception {
        Faultrun.Result r = Faultrun.jvm().deny("pidfd_send_signal", errno).run(SpawnScenarios.class, "destroy");
        assertEquals("3", r.value("quick"), r.toString());
        assertEquals("143", r.value("destroyed"), r.toString());
        assertEquals("137", r.value("handle_destroyed"), r.toString());
    }

    /**
     * No eventfd (the reaper then watches each child as it starts) or no epoll at all (each child then gets a
     * waiting thread of its own): children nobody waits for are still reaped with their status, and waitFor works.
     */
    @ParameterizedTest(name = "{0} refused")
    @ValueSource(strings = {"eventfd2", "epoll_create1"})
    void childrenAreReapedWithoutTheReapersWakeUpOrEpoll(String syscall) throws Exception {
        Faultrun.Result r = Faultrun.jvm().deny(syscall, "EPERM").run(SpawnScenarios.class, "unwaited");
        assertEquals("[5]", r.value("exits"), r.toString());
        assertEquals("0", r.value("unreaped"), r.toString());
        assertEquals("3", r.value("waited"), r.toString());
        assertEquals(syscall.equals("eventfd2") ? "1" : "0", r.value("reaper"), r.toString());
    }

    /** The helper library cannot be loaded from a noexec tmpdir: it loads another way, or start() says IOException. */
    @ParameterizedTest(name = "memfd_create refused: {0}")
    @ValueSource(booleans = {false, true})
    void noexecTmpdir(boolean memfdRefused, @TempDir Path dir) throws Exception {
        Faultrun run = spawn("auto").noexecTmp(dir);
        if (memfdRefused) run.deny("memfd_create", "EPERM");
        Faultrun.Result r = run.run(SpawnScenarios.class, "exact", "0", "3");
        if (r.out().contains("error=")) {
            assertTrue(r.value("error").startsWith("java.io.IOException"), r.toString());
        } else {
            exactlyStdioAnd("3", r);
        }
    }

    /**
     * No way to map the helper library at all: java.io.tmpdir, the user's cache directory (both on a noexec tmpfs)
     * and an anonymous memory file (memfd_create refused by seccomp). The child still starts, by posix_spawn bound
     * through FFM, with exactly the descriptors named, and one log line says why and what is used instead.
     */
    @Test
    void helperLibraryCannotLoad(@TempDir Path dir) throws Exception {
        Faultrun.Result r = spawn("auto").noexecTmp(dir).deny("memfd_create", "EPERM")
                .property("user.home", dir.resolve("home").toString()).env("XDG_CACHE_HOME", dir.resolve("cache").toString())
                .run(SpawnScenarios.class, "exact", "0", "3");
        exactlyStdioAnd("3", r);
        assertEquals("posix-spawn", r.value("mechanism"), r.toString());
        List<String> logged = r.err().lines().filter(l -> l.matches("(SEVERE|WARNING|INFO|CONFIG|FINE): .*")).toList();
        assertEquals(1, logged.size(), r.toString());
        String line = logged.getFirst();
        assertTrue(line.contains("helper library does not load") && line.contains("memfd_create")
                && line.contains("posix_spawn bound through FFM"), r.toString());
    }

    /**
     * A descriptor above the soft limit: moved down to a low number by either mechanism; kept at its own number by
     * clone (which raises the child's limit to place it), while posix_spawn's file actions refuse numbers above the
     * soft limit, so that start is a clear IOException naming the limit.
     */
    @ParameterizedTest(name = "{0}")
    @ValueSource(strings = {"clone", "posix-spawn"})
    void descriptorAboveTheSoftLimit(String mechanism) throws Exception {
        Faultrun.Result kept = spawn(mechanism).highFds(7000).nofile(64, 20000)
                .run(SpawnScenarios.class, "exact", "7000", "7000");
        if (mechanism.equals("clone")) {
            exactlyStdioAnd("7000", kept);
        } else {
            String error = kept.value("error");
            assertTrue(error.startsWith("java.io.IOException") && error.contains("RLIMIT_NOFILE (64)")
                    && error.contains("7000"), kept.toString());
        }
        exactlyStdioAnd("3", spawn(mechanism).highFds(7000).nofile(64, 20000).run(SpawnScenarios.class, "exact", "7000", "3"));
    }

    @ParameterizedTest(name = "{0}")
    @ValueSource(strings = {"clone", "posix-spawn"})
    void childNumberAboveTheHardLimitIsRefusedClearly(String mechanism) throws Exception {
        Faultrun.Result r = spawn(mechanism).nofile(64, 20000).run(SpawnScenarios.class, "exact", "0", "100000");
        String error = r.value("error");
        assertTrue((error.startsWith("java.lang.IllegalArgumentException") || error.startsWith("java.io.IOException"))
                && error.contains("RLIMIT_NOFILE"), r.toString());
    }

    /** No reserved low numbers: the child's pipes and its /dev/null must still find room under a low soft limit. */
    @ParameterizedTest(name = "child descriptor {0}")
    @ValueSource(strings = {"3", "60", "63"})
    void noLowSlotsWithALowSoftLimit(String childFd) throws Exception {
        Faultrun.Result r = spawn("clone").nofile(64, 20000).property("fdkit.spawn.lowSlots", "0")
                .run(SpawnScenarios.class, "exact", "0", childFd);
        exactlyStdioAnd(childFd, r);
    }

    /**
     * LISTEN_FDS that lies: a count far beyond the table, or descriptors advertised that were never inherited
     * (the JVM's own files sit at 3 and 4). Validated like sd_listen_fds and sd_is_socket: nothing but sockets.
     */
    @ParameterizedTest(name = "LISTEN_FDS={0}")
    @ValueSource(strings = {"2147483600", "2"})
    void listenFdsThatLie(String count) throws Exception {
        Faultrun.Result r = Faultrun.jvm().pidEnv("LISTEN_PID").env("LISTEN_FDS", count)
                .run(SpawnScenarios.class, "listen");
        if (r.out().contains("error=")) {
            assertTrue(!r.value("error").startsWith("java.lang.OutOfMemoryError"), r.toString());
        } else {
            assertEquals("[]", r.value("not_sockets"), r.toString());
        }
    }
}
