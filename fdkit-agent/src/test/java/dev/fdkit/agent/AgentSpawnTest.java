package dev.fdkit.agent;

import dev.fdkit.spawn.FaultLauncher;
import org.junit.jupiter.api.Test;

import java.util.List;
import java.util.Map;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** Plain ProcessBuilder code, run with and without the agent: same observable behaviour, routed through fdkit. */
class AgentSpawnTest {
    private static final String NATIVE = "--enable-native-access=ALL-UNNAMED";

    private static List<String> observed(ChildJvm.Result r) {
        assertEquals(0, r.exit(), "scenario failed:\n" + r.out() + r.err());
        return r.lines().stream().filter(l -> !l.startsWith("agent ")).toList();
    }

    private static List<String> counters(ChildJvm.Result r) {
        return r.lines().stream().filter(l -> l.startsWith("agent ")).toList();
    }

    @Test
    void routedChildrenBehaveAsTheJdksAndAreCounted() throws Exception {
        ChildJvm.Result jdk = ChildJvm.run(List.of(NATIVE), SpawnScenario.class);
        ChildJvm.Result agent = ChildJvm.run(List.of(NATIVE, ChildJvm.javaagent(null)), SpawnScenario.class);
        assertEquals(observed(jdk), observed(agent), "stderr with the agent:\n" + agent.err());
        assertTrue(jdk.out().contains("descriptors the child holds: out [0|1|2|3]"), jdk.out());
        // 5 shown, cat, 3 redirected, sleep, Runtime.exec, 2 pipeline stages: 13 routed; the failures go back to
        // the JDK's path (the empty command and the NUL never reach ProcessImpl).
        List<String> c = counters(agent);
        assertEquals(List.of("agent routed 13", "agent jdk 4 " + SpawnRouter.START_FAILED), c);
        assertEquals("", agent.err(), "the agent printed something");
    }

    @Test
    void anExplicitJdkLaunchMechanismKeepsTheJdksPath() throws Exception {
        ChildJvm.Result r = ChildJvm.run(List.of(NATIVE, "-Djdk.lang.Process.launchMechanism=FORK",
                ChildJvm.javaagent("stacks=off")), SpawnScenario.class);
        observed(r);
        assertTrue(counters(r).contains("agent routed 0"), r.out());
        assertTrue(r.out().contains(" " + SpawnRouter.LAUNCH_MECHANISM_SET), r.out());
    }

    @Test
    void aHelperThatCannotLoadLeavesEveryStartToTheJdkWithOneWarning() throws Exception {
        ChildJvm.Result jdk = ChildJvm.run(List.of(NATIVE), SpawnScenario.class);
        // A real load failure: fdkit.spawn.libdir does not exist, the cache directory cannot be created (under a
        // device file), and a seccomp filter installed before java starts refuses memfd_create.
        ChildJvm.Result r = ChildJvm.run(
                List.of(FaultLauncher.path().toString(), "--deny", "memfd_create:EPERM", "--"),
                Map.of("XDG_CACHE_HOME", "/dev/null"),
                List.of(NATIVE, "-Dfdkit.spawn.libdir=/nonexistent/fdkit-libdir", ChildJvm.javaagent(null)),
                SpawnScenario.class);
        FaultLauncher.assumeConditionMade(r.exit(), r.err());
        assertEquals(observed(jdk), observed(r));
        assertTrue(counters(r).contains("agent routed 0"), r.out());
        assertTrue(r.out().contains("agent jdk 17 " + SpawnRouter.HELPER_UNAVAILABLE), r.out());
        List<String> warnings = r.err().lines()
                .filter(l -> l.contains("fdkit agent: ProcessBuilder starts keep the JDK's own path")).toList();
        assertEquals(1, warnings.size(), r.err());
        String why = warnings.get(0);
        assertTrue(why.contains("/nonexistent/fdkit-libdir") && why.contains("memfd_create: EPERM")
                && why.contains("/dev/null/fdkit"), "the warning should say why each way failed: " + r.err());
    }

    @Test
    void badOptionsStopTheJvmNamingTheOption() throws Exception {
        ChildJvm.Result r = ChildJvm.run(List.of(NATIVE, ChildJvm.javaagent("spawn=maybe")), SpawnScenario.class);
        assertNotEquals(0, r.exit());
        assertTrue(r.err().contains("fdkit agent option spawn=maybe is not one of on, off"), r.err());
        r = ChildJvm.run(List.of(NATIVE, ChildJvm.javaagent("stackdepth=3")), SpawnScenario.class);
        assertNotEquals(0, r.exit());
        assertTrue(r.err().contains("unknown fdkit agent option \"stackdepth\""), r.err());
    }
}
