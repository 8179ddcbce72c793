package dev.fdkit.spawn;

import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Set;
import java.util.TreeSet;
import java.util.stream.Collectors;

import static org.junit.jupiter.api.Assertions.assertEquals;

/**
 * Spawning and exec in place where a seccomp filter refuses close_range (EPERM as container profiles answer unknown
 * calls, ENOSYS as on kernels before 5.9) and clone3 (ENOSYS, as container profiles answer it so that glibc's
 * pthread_create falls back to clone): every path falls back and still gives the child exactly the
 * descriptors named. The filter is installed for real by the project's fault launcher
 * ({@link FaultLauncher}).
 */
class RefusedCallsTest {
    private static final String CLOSE_RANGE = "close_range", CLONE3 = "clone3";

    /** {@code main} in a JVM under a filter answering each "SYSCALL:ERRNO" of {@code rules} with that errno. */
    private static TestSupport.JvmResult underFilter(String rules, Class<?> main, String... args) throws Exception {
        List<String> cmd = new ArrayList<>(List.of(FaultLauncher.path().toString()));
        for (String rule : rules.split(",")) cmd.addAll(List.of("--deny", rule));
        cmd.add("--");
        cmd.addAll(TestSupport.jvmCommand());
        cmd.add(main.getName());
        cmd.addAll(List.of(args));
        TestSupport.JvmResult r = TestSupport.runCommand(cmd);
        FaultLauncher.assumeConditionMade(r.exit(), r.err());
        return r;
    }

    @ParameterizedTest
    @ValueSource(strings = {CLOSE_RANGE + ":EPERM", CLOSE_RANGE + ":ENOSYS",
            CLOSE_RANGE + ":EPERM," + CLONE3 + ":ENOSYS"})
    void spawnFallsBack(String rules) throws Exception {
        TestSupport.JvmResult r = underFilter(rules, RefusedCallsMain.class);
        assertEquals(0, r.exit(), r.out() + r.err());
        assertEquals("CLONE", r.value("selected"), "the clone mechanism still works: " + r.out());
        if (rules.contains(CLONE3 + ":")) assertEquals("false", r.value("clone3"), r.out());
        // stdio, the passed 7, and ls's own directory descriptor (the lowest free number, 3)
        for (SpawnMechanism m : SpawnMechanism.values()) assertEquals("[0, 1, 2, 3, 7]", r.value(m.name()), r.out());
    }

    @ParameterizedTest
    @ValueSource(strings = {CLOSE_RANGE + ":EPERM", CLOSE_RANGE + ":ENOSYS"})
    void execInPlaceFallsBack(String rules) throws Exception {
        TestSupport.JvmResult r = underFilter(rules, ExecInPlaceMain.class, "exec");
        assertEquals(7, r.exit(), "the program ran in place: " + r.out() + r.err());
        assertEquals(String.valueOf(r.pid()), r.value("sh-pid"), r.out());
        String listing = r.lines().stream().filter(l -> l.matches("[0-9 ]+")).findFirst()
                .orElseThrow(() -> new AssertionError(r.out() + r.err()));
        Set<Integer> fds = Arrays.stream(listing.trim().split(" +")).map(Integer::valueOf)
                .collect(Collectors.toCollection(TreeSet::new));
        TestSupport.assertExactly(Set.of(0, 1, 2, 3, 6), fds, r.out());
    }
}
