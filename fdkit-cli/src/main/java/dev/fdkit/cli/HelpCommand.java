package dev.fdkit.cli;

import picocli.CommandLine;
import picocli.CommandLine.Help.ColorScheme;
import picocli.CommandLine.IHelpCommandInitializable2;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Model.OptionSpec;
import picocli.CommandLine.Model.PositionalParamSpec;
import picocli.CommandLine.ParameterException;

import java.io.PrintWriter;
import java.util.concurrent.Callable;

/** {@code fdkit help [COMMAND]}: picocli's help command, with its model built in code as the others are. */
final class HelpCommand implements IHelpCommandInitializable2, Callable<Integer> {
    final CommandSpec spec = CommandSpec.wrapWithoutInspection(this);

    private final PositionalParamSpec command = Specs.positional(spec, String.class, "0", "0..1", "COMMAND",
            "The COMMAND to display the usage help message for.");

    private CommandLine self;
    private ColorScheme colors;
    private PrintWriter out;

    {
        spec.name("help").helpCommand(true);
        spec.addOption(OptionSpec.builder("-h", "--help").usageHelp(true)
                .description("Show usage help for the help command and exit.").build());
        spec.usageMessage().header("Display help information about the specified command.")
                .synopsisHeading("%nUsage: ")
                .description("%nWhen no COMMAND is given, the usage help for the main command is displayed.",
                        "If a COMMAND is specified, the help for that command is shown.%n");
    }

    @Override
    public void init(CommandLine helpCommandLine, ColorScheme colorScheme, PrintWriter out, PrintWriter err) {
        this.self = helpCommandLine;
        this.colors = colorScheme;
        this.out = out;
    }

    @Override
    public Integer call() {
        CommandLine parent = self.getParent();
        String name = command.getValue();
        CommandLine shown = name == null ? parent : parent.getSubcommands().get(name);
        if (shown == null) throw new ParameterException(parent, "Unknown subcommand '" + name + "'.", null, name);
        shown.usage(out, colors);
        return 0;
    }
}
