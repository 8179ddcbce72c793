package dev.fdkit.agent;

import java.util.List;
import java.util.Map;

/**
 * The agent over JMX, as {@value #OBJECT_NAME} on the platform MBean server: the spawn counters, and every open
 * descriptor with its opener, for {@code fdkit agent status}, {@code fdkit ls --stacks}, VisualVM and JDK Mission
 * Control.
 */
public interface FdkitAgentMXBean {
    /** The name the MBean is registered under. */
    String OBJECT_NAME = "dev.fdkit:type=Agent";

    /**
     * The options in effect, in the form they are given.
     *
     * @return the options
     */
    String getOptions();

    /**
     * Starts that fdkit's spawn served.
     *
     * @return the count
     */
    long getRoutedStarts();

    /**
     * Starts left to the JDK's own path.
     *
     * @return the count
     */
    long getJdkStarts();

    /**
     * {@link #getJdkStarts()} by reason.
     *
     * @return reason -&gt; count
     */
    Map<String, Long> getJdkStartsByReason();

    /**
     * Why no start can be routed here (the spawn helper does not load, or spawn=off); empty when they can.
     *
     * @return the reason, or empty
     */
    String getSpawnUnavailableReason();

    /**
     * The JDK methods the agent rewrote, as "class.method: called method".
     *
     * @return the hooks
     */
    List<String> getHooks();

    /**
     * Rewrites the JVM refused, or recordings that failed; empty when all went well.
     *
     * @return the errors
     */
    List<String> getErrors();

    /**
     * Descriptors whose opening was recorded since the agent started.
     *
     * @return the count
     */
    long getOpenersRecorded();

    /**
     * The opener of descriptor {@code fd} if it is open now and was opened through the JDK, else null (fdkit's
     * leak check asks this for each descriptor a test leaked). Kind and name are left empty: this does not list.
     *
     * @param fd the descriptor
     * @return its opener, or null
     */
    OpenDescriptor opener(int fd);

    /**
     * Every descriptor open now, with its opener when it was opened through the JDK.
     *
     * @return the descriptors, ascending
     * @throws java.io.IOException if this process's descriptors cannot be listed
     */
    List<OpenDescriptor> getOpenDescriptors() throws java.io.IOException;
}
