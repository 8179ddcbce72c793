package dev.fdkit.agent;

import java.io.File;
import java.io.IOException;
import java.io.OutputStream;
import java.lang.management.ManagementFactory;
import java.lang.ProcessBuilder.Redirect;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.concurrent.TimeUnit;
import javax.management.ObjectName;
import javax.management.openmbean.CompositeData;
import javax.management.openmbean.TabularData;

/**
 * Run in a child JVM with and without the agent: every line it prints about the children it starts (exit values,
 * streams, exceptions, handles, descriptors) must be the same both ways. The counters come last, on lines starting
 * with "agent ", which the comparison leaves out.
 */
public final class SpawnScenario {
    public static void main(String[] args) throws Exception {
        Path dir = Files.createTempDirectory("fdkit-agent-scenario");
        try {
            run(dir);
        } finally {
            try (var files = Files.list(dir)) {
                for (Path p : files.toList()) Files.delete(p);
            }
            Files.delete(dir);
        }
        printCounters();
    }

    private static String tmp = "";

    /** Prints a line, with the scenario's temporary directory (different each run) as $TMP. */
    private static void say(String line) {
        System.out.println(tmp.isEmpty() ? line : line.replace(tmp, "$TMP"));
    }

    private static void run(Path dir) throws Exception {
        tmp = dir.toString();
        show("exit and streams", new ProcessBuilder("sh", "-c", "echo out; echo err >&2; exit 3"));
        show("merged", new ProcessBuilder("sh", "-c", "echo out; echo err >&2").redirectErrorStream(true));
        ProcessBuilder env = new ProcessBuilder("sh", "-c", "echo \"$FDKIT_SCENARIO\" \"${HOME:-unset}\"");
        env.environment().put("FDKIT_SCENARIO", "set");
        env.environment().remove("HOME");
        show("environment", env);
        show("directory", new ProcessBuilder("pwd").directory(dir.toFile()));
        show("descriptors the child holds", new ProcessBuilder("sh", "-c", "ls /proc/self/fd"));

        Process cat = new ProcessBuilder("cat").start();
        try (OutputStream in = cat.getOutputStream()) {
            in.write("through stdin\n".getBytes(StandardCharsets.UTF_8));
        }
        say("stdin: " + read(cat) + " exit " + cat.waitFor());

        File out = dir.resolve("out.txt").toFile(), from = dir.resolve("in.txt").toFile();
        Files.writeString(from.toPath(), "from a file\n");
        waitFor("to file", new ProcessBuilder("cat").redirectInput(from).redirectOutput(out).start());
        waitFor("append", new ProcessBuilder("echo", "appended").redirectOutput(Redirect.appendTo(out)).start());
        say("file now: " + Files.readString(out.toPath()).replace("\n", "|"));
        Process discard = new ProcessBuilder("echo", "gone").redirectOutput(Redirect.DISCARD).start();
        say("discard: stream read " + discard.getInputStream().read() + " exit " + discard.waitFor());

        Process sleeper = new ProcessBuilder("sleep", "60").start();
        say("alive " + sleeper.isAlive() + " handle pid matches " + (sleeper.toHandle().pid() == sleeper.pid())
                + " info command " + sleeper.info().command().map(c -> c.endsWith("sleep")).orElse(false));
        sleeper.destroy();
        say("destroyed: exit " + sleeper.waitFor() + " alive " + sleeper.isAlive()
                + " onExit " + (sleeper.onExit().get(10, TimeUnit.SECONDS) == sleeper)
                + " handle alive " + sleeper.toHandle().isAlive());

        Process exec = Runtime.getRuntime().exec(new String[] {"sh", "-c", "echo runtime exec"});
        say("Runtime.exec: " + read(exec) + " exit " + exec.waitFor());

        failure("missing program", new ProcessBuilder("/nonexistent/program"));
        failure("not executable", new ProcessBuilder(from.getPath()));
        failure("missing directory", new ProcessBuilder("true").directory(new File("/nonexistent/dir")));
        failure("missing input file", new ProcessBuilder("true").redirectInput(new File("/nonexistent/in")));
        failure("empty command", new ProcessBuilder(List.of()));
        failure("NUL in argument", new ProcessBuilder("echo", "a\0b"));

        List<Process> pipeline = ProcessBuilder.startPipeline(List.of(new ProcessBuilder("echo", "piped"),
                new ProcessBuilder("tr", "a-z", "A-Z")));
        say("pipeline: " + read(pipeline.get(1)) + " first stdout read "
                + pipeline.get(0).getInputStream().read());
        try {
            pipeline.get(1).getOutputStream().write('x');
            say("pipeline: second stage's stdin took a byte");
        } catch (IOException e) {
            say("pipeline: second stage's stdin: " + e);
        }
        for (Process p : pipeline) say("pipeline exit " + p.waitFor());
    }

    private static void show(String what, ProcessBuilder pb) throws Exception {
        Process p = pb.start();
        String err = new String(p.getErrorStream().readAllBytes(), StandardCharsets.UTF_8).strip();
        say(what + ": out [" + read(p) + "] err [" + err + "] exit " + p.waitFor());
    }

    private static void waitFor(String what, Process p) throws InterruptedException {
        say(what + ": exit " + p.waitFor());
    }

    private static void failure(String what, ProcessBuilder pb) {
        try {
            Process p = pb.start();
            say(what + ": started, exit " + p.waitFor());
        } catch (Exception e) {
            say(what + ": " + e + (e.getCause() == null ? "" : " caused by " + e.getCause()));
        }
    }

    private static String read(Process p) throws IOException {
        return new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8).strip().replace("\n", "|");
    }

    private static void printCounters() throws Exception {
        var server = ManagementFactory.getPlatformMBeanServer();
        ObjectName name = new ObjectName("dev.fdkit:type=Agent");
        if (!server.isRegistered(name)) return;
        System.out.println("agent routed " + server.getAttribute(name, "RoutedStarts"));
        for (Object row : ((TabularData) server.getAttribute(name, "JdkStartsByReason")).values()) {
            CompositeData cd = (CompositeData) row;
            System.out.println("agent jdk " + cd.get("value") + " " + cd.get("key"));
        }
    }
}
