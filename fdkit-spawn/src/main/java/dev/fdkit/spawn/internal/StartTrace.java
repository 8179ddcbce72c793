package dev.fdkit.spawn.internal;

import jdk.jfr.Category;
import jdk.jfr.Description;
import jdk.jfr.Event;
import jdk.jfr.Label;
import jdk.jfr.Name;

/**
 * What a start leaves behind, as the JDK's ProcessBuilder does: a line on the System.Logger
 * "java.lang.ProcessBuilder" (DEBUG with the program, TRACE with every argument, each with the caller's stack), and
 * a JFR event of fdkit's own beside the JDK's jdk.ProcessStart.
 */
final class StartTrace {
    private StartTrace() {}

    /** The JDK's logger name, so one logging configuration covers the starts of both builders. */
    private static final System.Logger LOGGER = System.getLogger("java.lang.ProcessBuilder");

    @Name("dev.fdkit.ProcessStart")
    @Label("fdkit Process Start")
    @Category({"fdkit", "Process"})
    @Description("A child started by fdkit's FdProcessBuilder")
    static final class ProcessStartEvent extends Event {
        @Label("Process Id")
        long pid;

        @Label("Directory")
        String directory;

        @Label("Command")
        String command;

        @Label("Spawn Mechanism")
        String mechanism;

        @Label("Descriptors Passed")
        @Description("child descriptor=parent descriptor, for passFd and listenFd")
        String descriptors;
    }

    static void record(SpawnRequest r, Process p, Mechanism mech) {
        String dir = r.directory() == null ? null : r.directory().toString();
        ProcessStartEvent event = new ProcessStartEvent();
        if (event.isEnabled()) {
            event.pid = p.pid();
            event.directory = dir;
            event.command = String.join(" ", r.command());
            event.mechanism = mech.settingValue();
            event.descriptors = descriptors(r);
            event.commit();
        }
        if (LOGGER.isLoggable(System.Logger.Level.DEBUG)) {
            boolean trace = LOGGER.isLoggable(System.Logger.Level.TRACE);
            String cmd = trace ? String.join("\" \"", r.command()) : r.command().getFirst();
            LOGGER.log(trace ? System.Logger.Level.TRACE : System.Logger.Level.DEBUG,
                    "ProcessBuilder.start(): pid: " + p.pid() + ", dir: " + dir + ", cmd: \"" + cmd + "\"",
                    new RuntimeException("ProcessBuilder.start() debug"));
        }
    }

    private static String descriptors(SpawnRequest r) {
        StringBuilder sb = new StringBuilder();
        for (int i = 0; i < r.listen().size(); i++) {
            sb.append(sb.isEmpty() ? "" : ", ").append(3 + i).append('=').append(r.listen().get(i).fd())
                    .append(" (").append(r.listen().get(i).name()).append(')');
        }
        r.passed().forEach((child, parent) -> sb.append(sb.isEmpty() ? "" : ", ").append(child).append('=').append(parent));
        return sb.toString();
    }
}
