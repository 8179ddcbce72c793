package dev.fdkit.cli;

import dev.fdkit.internal.RawSyscalls;
import picocli.CommandLine;
import picocli.CommandLine.Model.CommandSpec;

import java.util.LinkedHashMap;
import java.util.Map;
import java.util.function.Supplier;

/**
 * The fdkit command line. Errors are one line on stderr and a non-zero exit.
 *
 * <p>{@code fdkit bench} is not here: the benchmarks and what they compare against (JMH, NuProcess, the charts)
 * live in the fdkit-bench module's own jar, which {@code bin/fdkit bench} runs, so that this one loads nothing a
 * listing or an exec does not need. For the same reason the commands' models are built in code ({@link Specs}),
 * and only the subcommand named on the command line is built; the top-level help and {@code help} get them all.
 */
public final class Main {
    private Main() {}

    /** Every subcommand, in the order the help lists them. */
    private static final Map<String, Supplier<CommandSpec>> SUBCOMMANDS = new LinkedHashMap<>();

    static {
        SUBCOMMANDS.put("demo", () -> new DemoCommand().spec);
        SUBCOMMANDS.put("ls", () -> new LsCommand().spec);
        SUBCOMMANDS.put("watch", () -> new WatchCommand().spec);
        SUBCOMMANDS.put("exec", () -> new ExecCommand().spec);
        SUBCOMMANDS.put("agent", AgentCommand::spec);
        SUBCOMMANDS.put("help", () -> new HelpCommand().spec);
    }

    /**
     * Runs the command line and exits with its status.
     *
     * @param args the command line
     */
    public static void main(String[] args) {
        int exit = run(args);
        // halt, not exit: the CLI has no shutdown hooks, and Runtime.exit starts the JDK's logging (to log the exit)
        System.out.flush();
        System.err.flush();
        Runtime.getRuntime().halt(exit);
    }

    /**
     * Runs the command line and returns the exit code (tests call this).
     *
     * @param args the command line
     * @return 0 on success, 1 when the command failed, 2 for a usage error
     */
    public static int run(String... args) {
        String help = HelpTexts.stored(args);
        if (help != null) {
            System.out.print(help);
            System.out.flush();
            return 0;
        }
        // Every command but help goes to the kernel: link the system-call handle while picocli parses.
        RawSyscalls.linkAhead();
        return execute(commandLine(args), args);
    }

    /**
     * The command line with the subcommand {@code args} names, or with all of them when it names none or "help"
     * (and for the man page and completion, which describe them all).
     */
    static CommandLine commandLine(String... args) {
        CommandSpec top = Specs.command("fdkit", null, "File-descriptor control for the JVM: close ranges, list "
                + "descriptors, start children with exactly the descriptors named.");
        top.usageMessage().footer("", "fdkit bench (timing every mechanism) runs from the fdkit-bench jar: "
                + "'bin/fdkit bench --help' in a source checkout.");
        String named = null;
        for (String a : args) {
            if (!a.startsWith("-")) {
                named = a;
                break;
            }
        }
        Supplier<CommandSpec> only = named == null || named.equals("help") ? null : SUBCOMMANDS.get(named);
        if (only != null) {
            top.addSubcommand(named, only.get());
        } else {
            SUBCOMMANDS.forEach((name, command) -> top.addSubcommand(name, command.get()));
        }
        CommandLine cl = new CommandLine(top);
        // No ANSI styles, on a terminal either: the help is the same text as the one stored at build time.
        cl.setColorScheme(CommandLine.Help.defaultColorScheme(CommandLine.Help.Ansi.OFF));
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
