package dev.fdkit.cli;

import dev.fdkit.FdInfo;
import dev.fdkit.internal.Json;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.ParameterException;

import java.io.IOException;
import java.time.Instant;
import java.time.ZoneId;
import java.time.format.DateTimeFormatter;
import java.util.Map;

/** {@code ls --stacks}: the openers the fdkit agent in the listed JVM recorded, under each descriptor. */
final class LsStacks {
    private static final DateTimeFormatter TIME = DateTimeFormatter.ofPattern("yyyy-MM-dd HH:mm:ss.SSS")
            .withZone(ZoneId.systemDefault());
    private static final String INDENT = "        ";

    private final Map<Integer, AgentClient.Opener> openers;

    private LsStacks(Map<Integer, AgentClient.Opener> openers) {
        this.openers = openers;
    }

    /** Asks the agent in {@code pid}; read after the listing, so every number listed was open when it answers. */
    static LsStacks fetch(Long pid, CommandSpec spec) throws IOException {
        if (pid == null) {
            throw new ParameterException(spec.commandLine(), "--stacks needs the PID of a JVM that runs the fdkit agent");
        }
        try (AgentClient c = AgentClient.connect(pid)) {
            return new LsStacks(c.openers());
        }
    }

    String tableLines(FdInfo f) {
        AgentClient.Opener o = openers.get(f.fd());
        if (o == null) return INDENT + "closed or replaced while the agent answered\n";
        if (o.outsideJava()) return INDENT + o.openedBy() + "\n";
        StringBuilder sb = new StringBuilder(INDENT).append("opened by ").append(o.openedBy()).append(" in thread \"")
                .append(o.thread()).append("\" at ").append(TIME.format(Instant.ofEpochMilli(o.openedAtMillis())))
                .append('\n');
        for (String frame : o.frames()) sb.append(INDENT).append("    at ").append(frame).append('\n');
        return sb.toString();
    }

    String jsonMembers(FdInfo f) {
        AgentClient.Opener o = openers.get(f.fd());
        if (o == null) return ",\"opener\":null";
        StringBuilder sb = new StringBuilder(",\"opener\":{\"opened_by\":").append(Json.quote(o.openedBy()))
                .append(",\"outside_java\":").append(o.outsideJava());
        if (!o.outsideJava()) {
            sb.append(",\"thread\":").append(Json.quote(o.thread())).append(",\"opened_at_ms\":").append(o.openedAtMillis())
                    .append(",\"frames\":[");
            for (int i = 0; i < o.frames().size(); i++) sb.append(i == 0 ? "" : ",").append(Json.quote(o.frames().get(i)));
            sb.append(']');
        }
        return sb.append('}').toString();
    }
}
