package dev.fdkit.cli;

import picocli.CommandLine.Command;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.ParameterException;
import picocli.CommandLine.Parameters;
import picocli.CommandLine.Spec;

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

@Command(name = "agent", mixinStandardHelpOptions = true,
        description = "The fdkit agent in a running JVM: load it, or show its counters.",
        subcommands = {AgentCommand.Attach.class, AgentCommand.Status.class})
final class AgentCommand {

    @Command(name = "attach", mixinStandardHelpOptions = true,
            description = {"Load the fdkit agent into a running JVM (Attach API). OPTIONS as for -javaagent: "
                    + "spawn=on|off, stacks=on|off, stackDepth=N, include=PKG[:PKG], exclude=PKG[:PKG], "
                    + "comma-separated; none turns both parts on.",
                    "Descriptors opened before the attach show as opened outside Java."})
    static final class Attach implements Callable<Integer> {
        @Spec
        CommandSpec spec;

        @Parameters(index = "0", paramLabel = "PID", description = "The JVM.")
        long pid;

        @Parameters(index = "1", arity = "0..1", paramLabel = "OPTIONS", description = "Agent options.")
        String options;

        @Option(names = "--jar", paramLabel = "FILE",
                description = "The agent jar (default: fdkit-agent.jar next to the fdkit jar, or in the source tree).")
        Path jar;

        @Override
        public Integer call() throws Exception {
            Path agentJar = jar != null ? jar : defaultJar();
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
            Path self = Path.of(AgentCommand.class.getProtectionDomain().getCodeSource().getLocation().toURI());
            Path dir = Files.isDirectory(self) ? self : self.getParent();
            Path beside = dir.resolve("fdkit-agent.jar");
            if (Files.isRegularFile(beside)) return beside;
            // the source tree: fdkit-cli/target/fdkit.jar -> fdkit-agent/target/fdkit-agent.jar
            return dir.resolve("../../fdkit-agent/target/fdkit-agent.jar").normalize();
        }
    }

    @Command(name = "status", mixinStandardHelpOptions = true,
            description = "Show the agent's options and counters in a running JVM: starts fdkit served, starts left "
                    + "to the JDK with the reason, descriptors recorded.")
    static final class Status implements Callable<Integer> {
        @Parameters(index = "0", paramLabel = "PID", description = "The JVM.")
        long pid;

        @Override
        public Integer call() throws Exception {
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
