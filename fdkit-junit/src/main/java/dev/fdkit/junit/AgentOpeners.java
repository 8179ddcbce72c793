package dev.fdkit.junit;

import java.lang.management.ManagementFactory;
import javax.management.JMException;
import javax.management.MBeanServer;
import javax.management.ObjectName;
import javax.management.openmbean.CompositeData;

/**
 * The stack that opened a leaked descriptor, when the fdkit agent runs in this JVM (-javaagent:fdkit-agent.jar):
 * read from its MBean, trimmed to the frames between the JDK's open and the test framework.
 */
final class AgentOpeners {
    private AgentOpeners() {}

    /** Lines to print under a leaked descriptor, or "" without the agent or without a record. */
    static String below(int fd) {
        if (!agentPresent()) return "";
        try {
            MBeanServer server = ManagementFactory.getPlatformMBeanServer();
            ObjectName name = new ObjectName("dev.fdkit:type=Agent");
            if (!server.isRegistered(name)) return "";
            CompositeData o = (CompositeData) server.invoke(name, "opener", new Object[] {fd}, new String[] {"int"});
            if (o == null) return "\n    opened outside Java";
            StringBuilder sb = new StringBuilder("\n    opened by ").append(o.get("openedBy")).append(" in thread \"")
                    .append(o.get("thread")).append('"');
            for (String frame : (String[]) o.get("frames")) {
                if (isFramework(frame)) break;
                sb.append("\n      at ").append(frame);
            }
            return sb.toString();
        } catch (JMException | RuntimeException e) {
            return "\n    (the fdkit agent could not say who opened it: " + e + ")";
        }
    }

    /** Without the agent the platform MBean server is not started just to find nothing. */
    private static boolean agentPresent() {
        try {
            Class.forName("java.lang.FdkitBridge", false, null);
            return true;
        } catch (ClassNotFoundException e) {
            return false;
        }
    }

    /** Where the test's own frames end: reflection calling it, or JUnit and the build tool. */
    private static boolean isFramework(String element) {
        // StackTraceElement.toString(): [loader/][module[@version]/]class.method(file:line)
        String frame = element.substring(element.substring(0, Math.max(0, element.indexOf('('))).lastIndexOf('/') + 1);
        return frame.startsWith("java.") || frame.startsWith("jdk.") || frame.startsWith("org.junit.")
                || frame.startsWith("org.apache.maven.surefire.") || frame.startsWith("sun.");
    }
}
