package dev.fdkit.agent;

import dev.fdkit.spawn.conformance.UnderAgentMain;
import org.junit.jupiter.api.Test;

import java.util.List;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** fdkit-spawn's differential scenarios with plain ProcessBuilder under the agent: routed equals the JDK's path. */
class ConformanceUnderAgentTest {
    @Test
    void everyScenarioObservesTheSameRoutedAsOnTheJdksPath() throws Exception {
        ChildJvm.Result r = ChildJvm.run(List.of("--enable-native-access=ALL-UNNAMED", ChildJvm.javaagent("stacks=off")),
                UnderAgentMain.class);
        assertEquals(0, r.exit(), r.out() + r.err());
        List<String> differ = r.lines().stream().filter(l -> l.startsWith("differ ")).toList();
        assertEquals(List.of(), differ, r.err());
        Matcher m = Pattern.compile("scenarios (\\d+) routed (\\d+) jdk (\\d+)").matcher(r.out());
        assertTrue(m.find(), r.out());
        int scenarios = Integer.parseInt(m.group(1));
        long routed = Long.parseLong(m.group(2)), jdk = Long.parseLong(m.group(3));
        System.out.println("conformance under the agent: " + m.group());
        assertTrue(scenarios > 20, r.out());
        // Every scenario starts at least once on each path; failed routed starts are the JDK's too.
        assertTrue(routed >= scenarios / 2 && jdk >= scenarios, r.out());
    }
}
