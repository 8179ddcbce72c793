package dev.fdkit.cli;

import picocli.CommandLine;
import picocli.CommandLine.Command;

/**
 * The fdkit command line. Errors are one line on stderr and a non-zero exit.
 *
 * <p>{@code fdkit bench} is not here: the benchmarks and what they compare against (JMH, NuProcess, the charts)
 * live in the fdkit-bench module's own jar, which {@code bin/fdkit bench} runs, so that this one loads nothing a
 * listing or an exec does not need.
 */
@Command(name = "fdkit", mixinStandardHelpOptions = true, version = "fdkit 0.1.0",
        description = "File-descriptor control for the JVM: close ranges, list descriptors, start children with "
                + "exactly the descriptors named.",
        subcommands = {DemoCommand.class, LsCommand.class, WatchCommand.class, ExecCommand.class,
                AgentCommand.class, CommandLine.HelpCommand.class},
        footer = {"", "fdkit bench (timing every mechanism) runs from the fdkit-bench jar: 'bin/fdkit bench --help' "
                + "in a source checkout."})
public final class Main {
    private Main() {}

    /**
     * Runs the command line and exits with its status.
     *
     * @param args the command line
     */
    public static void main(String[] args) {
        System.exit(run(args));
    }

    /**
     * Runs the command line and returns the exit code (tests call this).
     *
     * @param args the command line
     * @return 0 on success, 1 when the command failed, 2 for a usage error
     */
    public static int run(String... args) {
        return execute(new CommandLine(new Main()), args);
    }

    /**
     * Runs {@code commandLine} with fdkit's error conventions: a failure is one line "fdkit CMD: message" on stderr
     * and exit 1; a usage error names the command's --help and exits 2.
     *
     * @param commandLine the command to run
     * @param args        its arguments
     * @return the exit code
     */
    public static int execute(CommandLine commandLine, String... args) {
        commandLine.setExecutionExceptionHandler((ex, cmd, parsed) -> {
            cmd.getErr().println(qualified(cmd) + ": " + message(ex));
            return 1;
        });
        commandLine.setParameterExceptionHandler((ex, ignored) -> {
            CommandLine cmd = ex.getCommandLine();
            cmd.getErr().println("fdkit: " + ex.getMessage() + " (see '" + qualified(cmd) + " --help')");
            return 2;
        });
        return commandLine.execute(args);
    }

    /** "fdkit ls" for a subcommand of this command line, "fdkit bench" for the bench jar's top command. */
    private static String qualified(CommandLine cmd) {
        String name = cmd.getCommandSpec().qualifiedName();
        return name.startsWith("fdkit") ? name : "fdkit " + name;
    }

    private static String message(Throwable ex) {
        String m = ex.getMessage();
        return m == null || m.isBlank() ? ex.getClass().getSimpleName() : m;
    }
}
