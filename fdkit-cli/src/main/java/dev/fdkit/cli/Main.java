package dev.fdkit.cli;

import picocli.CommandLine;
import picocli.CommandLine.Command;

import java.util.LinkedHashMap;
import java.util.Map;
import java.util.function.Supplier;

/**
 * The fdkit command line. Errors are one line on stderr and a non-zero exit.
 *
 * <p>{@code fdkit bench} is not here: the benchmarks and what they compare against (JMH, NuProcess, the charts)
 * live in the fdkit-bench module's own jar, which {@code bin/fdkit bench} runs, so that this one loads nothing a
 * listing or an exec does not need. For the same reason only the subcommand named on the command line is given
 * to picocli (whose model of a command is built by reflection); the top-level help and {@code help} get them all.
 */
@Command(name = "fdkit", mixinStandardHelpOptions = true, version = "fdkit 0.1.0",
        description = "File-descriptor control for the JVM: close ranges, list descriptors, start children with "
                + "exactly the descriptors named.",
        footer = {"", "fdkit bench (timing every mechanism) runs from the fdkit-bench jar: 'bin/fdkit bench --help' "
                + "in a source checkout."})
public final class Main {
    private Main() {}

    /** Every subcommand, in the order the help lists them. */
    private static final Map<String, Supplier<Object>> SUBCOMMANDS = new LinkedHashMap<>();

    static {
        SUBCOMMANDS.put("demo", DemoCommand::new);
        SUBCOMMANDS.put("ls", LsCommand::new);
        SUBCOMMANDS.put("watch", WatchCommand::new);
        SUBCOMMANDS.put("exec", ExecCommand::new);
        SUBCOMMANDS.put("agent", AgentCommand::new);
        SUBCOMMANDS.put("help", CommandLine.HelpCommand::new);
    }

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
        return execute(commandLine(args), args);
    }

    /**
     * The command line with the subcommand {@code args} names, or with all of them when it names none or "help"
     * (and for the man page and completion, which describe them all).
     */
    static CommandLine commandLine(String... args) {
        CommandLine cl = new CommandLine(new Main());
        String named = null;
        for (String a : args) {
            if (!a.startsWith("-")) {
                named = a;
                break;
            }
        }
        Supplier<Object> only = named == null || named.equals("help") ? null : SUBCOMMANDS.get(named);
        if (only != null) {
            cl.addSubcommand(named, only.get());
        } else {
            SUBCOMMANDS.forEach((name, command) -> cl.addSubcommand(name, command.get()));
        }
        return cl;
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

    /** "fdkit ls" for a subcommand of this command line; the bench jar's top command is named "fdkit bench" itself. */
    private static String qualified(CommandLine cmd) {
        String name = cmd.getCommandSpec().qualifiedName();
        return name.startsWith("fdkit") ? name : "fdkit " + name;
    }

    static String message(Throwable ex) {
        String m = ex.getMessage();
        return m == null || m.isBlank() ? ex.getClass().getSimpleName() : m;
    }
}
