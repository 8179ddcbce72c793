package dev.fdkit.spawn.conformance;

import java.lang.management.ManagementFactory;
import java.nio.file.Files;
import java.nio.file.Path;
import javax.management.ObjectName;

/**
 * The differential suite a third time, in a JVM running the fdkit agent: each scenario runs with plain
 * ProcessBuilder twice, routed through fdkit, then on the JDK's own path (the agent leaves every start to the JDK
 * once jdk.lang.Process.launchMechanism is set; ProcessImpl itself read it at startup, so the JDK's mechanism does
 * not change). Prints "differ ID ..." for each disagreement, then "routed N jdk M".
 */
public final class UnderAgentMain {
    private static final String LAUNCH_MECHANISM = "jdk.lang.Process.launchMechanism";

    public static void main(String[] args) throws Exception {
        Path root = Files.createTempDirectory("fdkit-conformance-agent");
        ObjectName agent = new ObjectName("dev.fdkit:type=Agent");
        var server = ManagementFactory.getPlatformMBeanServer();
        int scenarios = 0;
        try {
            for (Differential.Scenario s : Scenarios.all()) {
                scenarios++;
                Differential.Run routed = Differential.run(s, Differential.Side.JDK, root);
                System.setProperty(LAUNCH_MECHANISM, "POSIX_SPAWN");
                Differential.Run jdk;
                try {
                    jdk = Differential.run(s, Differential.Side.JDK, root);
                } finally {
                    System.clearProperty(LAUNCH_MECHANISM);
                }
                if (jdk.failure() != null) {
                    System.out.println("differ " + s.id() + " fails on the JDK's path: " + jdk.failure());
                } else if (routed.failure() != null) {
                    System.out.println("differ " + s.id() + " fails routed: " + routed.failure() + " " + routed.log());
                } else {
                    String diff = Differential.difference(jdk.log(), routed.log());
                    if (diff != null) System.out.println("differ " + s.id() + " " + diff.replace('\n', ' '));
                }
            }
        } finally {
            Differential.deleteTree(root);
        }
        System.out.println("scenarios " + scenarios + " routed " + server.getAttribute(agent, "RoutedStarts") + " jdk "
                + server.getAttribute(agent, "JdkStarts"));
    }
}
