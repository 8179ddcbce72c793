package dev.fdkit.cli;

import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Model.OptionSpec;
import picocli.CommandLine.Model.PositionalParamSpec;
import picocli.CommandLine.ParameterException;

import java.io.File;
import java.io.PrintStream;
import java.lang.reflect.InvocationTargetException;
import java.net.URL;
import java.net.URLClassLoader;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.Callable;
import javax.management.openmbean.CompositeData;
import javax.management.openmbean.TabularData;

/** {@code fdkit agent}: attach and status. */
final class AgentCommand {
    private AgentCommand() {}

    /** {@code fdkit agent} and its two subcommands. */
    static CommandSpec spec() {
        CommandSpec spec = Specs.command("agent", null,
                "The fdkit agent in a running JVM: load it, or show its counters.");
        spec.addSubcommand("attach", new Attach().spec);
        spec.addSubcommand("status", new Status().spec);
        return spec;
    }

    static final class Attach implements Callable<Integer> {
        final CommandSpec spec = Specs.command("attach", this,
                "Load the fdkit agent into a running JVM (Attach API). OPTIONS as for -javaagent: "
                        + "spawn=on|off, stacks=on|off, stackDepth=N, include=PKG[:PKG], exclude=PKG[:PKG], "
                        + "comma-separated; none turns both parts on.",
                "Descriptors opened before the attach show as opened outside Java.");

        private final OptionSpec jar = Specs.option(spec, Path.class, "FILE", "--jar",
                "The agent jar (default: fdkit-agent.jar next to the fdkit jar, or in the source tree).");

        private final PositionalParamSpec pid = Specs.pid(spec, "The JVM.");

        private final PositionalParamSpec agentOptions = Specs.positional(spec, String.class, "1", "0..1", "OPTIONS",
                "Agent options.");

        @Override
        public Integer call() throws Exception {
            long pid = this.pid.<Long>getValue();
            String options = agentOptions.getValue();
            Path agentJar = jar.getValue() != null ? jar.<Path>getValue() : defaultJar();
            if (!Files.isRegularFile(agentJar)) {
                throw new ParameterException(spec.commandLine(), "--jar: no agent jar at " + agentJar);
            }
            checkOptions(agentJar, options == null ? "" : options);
            AgentClient.load(pid, agentJar.toAbsolutePath().toString(), options == null ? "" : options);
            System.out.println("fdkit agent loaded into " + pid);
            return 0;
        }

        /** Parses the options with the agent's own parser, so a typo is reported here and not in the target. */
        private void checkOptions(Path agentJar, String opts) throws Exception {
            try (URLClassLoader l = new URLClassLoader(new URL[] {agentJar.toUri().toURL()}, null)) {
                Class<?> parser = Class.forName("dev.fdkit.agent.AgentOptions", false, l);
                parser.getMethod("parse", String.class).invoke(null, opts);
            } catch (InvocationTargetException e) {
                if (e.getCause() instanceof IllegalArgumentException bad) {
                    throw new ParameterException(spec.commandLine(), bad.getMessage());
                }
                throw e;
            }
        }

        private static Path defaultJar() throws Exception {
            URL location = AgentCommand.class.getProtectionDomain().getCodeSource().getLocation();
            // Classes that come from the AOT cache have no code source location: the jar is then the class path
            // ('java -jar', as both launchers start the CLI).
            Path self = location != null ? Path.of(location.toURI())
                    : Path.of(System.getProperty("java.class.path").split(File.pathSeparator)[0]).toAbsolutePath();
            Path dir = Files.isDirectory(self) ? self : self.getParent();
            Path beside = dir.resolve("fdkit-agent.jar");
            if (Files.isRegularFile(beside)) return beside;
            // the source tree: fdkit-cli/target/fdkit.jar -> fdkit-agent/target/fdkit-agent.jar
            return dir.resolve("../../fdkit-agent/target/fdkit-agent.jar").normalize();
        }
    }

    static final class Status implements Callable<Integer> {
        final CommandSpec spec = Specs.command("status", this,
                "Show the agent's options and counters in a running JVM: starts fdkit served, starts left "
                        + "to the JDK with the reason, descriptors recorded.");

        private final PositionalParamSpec pid = Specs.pid(spec, "The JVM.");

        @Override
        public Integer call() throws Exception {
            long pid = this.pid.<Long>getValue();
            try (AgentClient c = AgentClient.connect(pid)) {
                PrintStream out = System.out;
                out.println("pid " + pid + ": fdkit agent " + c.attribute("Options"));
                String unavailable = (String) c.attribute("SpawnUnavailableReason");
                if (!unavailable.isEmpty()) out.println("spawn routing off: " + unavailable);
                out.println("routed starts      " + c.attribute("RoutedStarts"));
                out.println("JDK starts         " + c.attribute("JdkStarts"));
                List<CompositeData> reasons = new ArrayList<>();
                for (Object row : ((TabularData) c.attribute("JdkStartsByReason")).values()) reasons.add((CompositeData) row);
                for (CompositeData r : reasons) out.printf("  %8d  %s%n", (Long) r.get("value"), r.get("key"));
                out.println("openers recorded   " + c.attribute("OpenersRecorded"));
                for (String e : (String[]) c.attribute("Errors")) out.println("error: " + e);
            }
            return 0;
        }
    }
}
