package dev.fdkit.cli;

import com.sun.tools.attach.AgentInitializationException;
import com.sun.tools.attach.AgentLoadException;
import com.sun.tools.attach.AttachNotSupportedException;
import com.sun.tools.attach.VirtualMachine;

import java.io.IOException;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import javax.management.JMException;
import javax.management.MBeanServerConnection;
import javax.management.ObjectName;
import javax.management.openmbean.CompositeData;
import javax.management.remote.JMXConnector;
import javax.management.remote.JMXConnectorFactory;
import javax.management.remote.JMXServiceURL;

/**
 * Talks to the fdkit agent inside another JVM: loads it there through the Attach API, and reads its MBean over
 * the JVM's local JMX connector (started on demand, local connections only).
 */
final class AgentClient implements AutoCloseable {
    static final String OBJECT_NAME = "dev.fdkit:type=Agent";

    /** One descriptor of the target with its opener, as the agent's MBean reports it. */
    record Opener(int fd, String openedBy, String thread, long openedAtMillis, List<String> frames) {
        boolean outsideJava() {
            return frames.isEmpty() && thread.isEmpty();
        }
    }

    private final JMXConnector connector;
    private final MBeanServerConnection server;
    private final ObjectName name;

    private AgentClient(JMXConnector connector) throws IOException {
        this.connector = connector;
        this.server = connector.getMBeanServerConnection();
        try {
            this.name = new ObjectName(OBJECT_NAME);
        } catch (JMException e) {
            throw new IllegalStateException(e);
        }
    }

    /** Loads the agent jar into {@code pid} with {@code options} (may be empty). */
    static void load(long pid, String jar, String options) throws IOException {
        VirtualMachine vm = attach(pid);
        try {
            vm.loadAgent(jar, options);
        } catch (AgentLoadException e) {
            throw new IOException("process " + pid + " refused the agent (" + e.getMessage() + "): a JVM started with "
                    + "-XX:-EnableDynamicAgentLoading takes agents only at startup; start it with "
                    + "-XX:+EnableDynamicAgentLoading, or with -javaagent:" + jar, e);
        } catch (AgentInitializationException e) {
            throw new IOException("the fdkit agent failed to start in process " + pid + " (its stderr says why; "
                    + "it loads once per JVM)", e);
        } finally {
            vm.detach();
        }
    }

    /** Connects to the agent's MBean in {@code pid}; fails naming the pid when the agent is not there. */
    static AgentClient connect(long pid) throws IOException {
        VirtualMachine vm = attach(pid);
        String address;
        try {
            address = vm.startLocalManagementAgent();
        } finally {
            vm.detach();
        }
        AgentClient c = new AgentClient(JMXConnectorFactory.connect(new JMXServiceURL(address)));
        if (!c.server.isRegistered(c.name)) {
            c.close();
            throw new IOException("process " + pid + " does not run the fdkit agent: start it with "
                    + "-javaagent:fdkit-agent.jar or load it with 'fdkit agent attach " + pid + "'");
        }
        return c;
    }

    private static VirtualMachine attach(long pid) throws IOException {
        if (pid == ProcessHandle.current().pid()) throw new IOException("fdkit cannot attach to its own process");
        try {
            return VirtualMachine.attach(Long.toString(pid));
        } catch (AttachNotSupportedException e) {
            throw new IOException("cannot attach to process " + pid + ": " + e.getMessage() + " (is it a JVM of the "
                    + "same user, started without -XX:+DisableAttachMechanism?)", e);
        }
    }

    Object attribute(String attribute) throws IOException {
        try {
            return server.getAttribute(name, attribute);
        } catch (JMException e) {
            throw new IOException("reading " + attribute + " from the fdkit agent: " + e.getMessage(), e);
        }
    }

    /** The target's descriptors with their openers, by number. */
    Map<Integer, Opener> openers() throws IOException {
        Map<Integer, Opener> out = new HashMap<>();
        for (CompositeData cd : (CompositeData[]) attribute("OpenDescriptors")) {
            int fd = (Integer) cd.get("fd");
            out.put(fd, new Opener(fd, (String) cd.get("openedBy"), (String) cd.get("thread"),
                    (Long) cd.get("openedAtMillis"), List.of((String[]) cd.get("frames"))));
        }
        return out;
    }

    @Override
    public void close() throws IOException {
        connector.close();
    }
}
