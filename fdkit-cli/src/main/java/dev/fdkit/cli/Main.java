package dev.fdkit.cli;

import picocli.CommandLine;
import picocli.CommandLine.Command;

/** The fdkit command line. Errors are one line on stderr and a non-zero exit. */
@Command(name = "fdkit", mixinStandardHelpOptions = true, version = "fdkit 0.1.0",
        description = "File-descriptor control for the JVM: close ranges, list descriptors, start children with "
                + "exactly the descriptors named.",
        subcommands = {DemoCommand.class, LsCommand.class, WatchCommand.class, ExecCommand.class, BenchCommand.class,
                AgentCommand.class, CommandLine.HelpCommand.class})
public final class Main {
    public static void main(String[] args) {
        System.exit(run(args));
    }

    /** Runs the command line and returns the exit code (tests call this). */
    public static int run(String... args) {
        CommandLine cl = new CommandLine(new Main());
        cl.setExecutionExceptionHandler((ex, cmd, parsed) -> {
            cmd.getErr().println("fdkit " + cmd.getCommandName() + ": " + message(ex));
            return 1;
        });
        cl.setParameterExceptionHandler((ex, args2) -> {
            CommandLine cmd = ex.getCommandLine();
            cmd.getErr().println("fdkit: " + ex.getMessage() + " (see '" + cmd.getCommandSpec().qualifiedName()
                    + " --help')");
            return 2;
        });
        return cl.execute(args);
    }

    static String message(Throwable ex) {
        String m = ex.getMessage();
        return m == null || m.isBlank() ? ex.getClass().getSimpleName() : m;
    }
}
