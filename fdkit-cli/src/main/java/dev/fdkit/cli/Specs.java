package dev.fdkit.cli;

import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Model.OptionSpec;
import picocli.CommandLine.Model.PositionalParamSpec;
import picocli.CommandLine.Range;

import java.util.List;

/**
 * Builds the picocli model of fdkit's commands in code. picocli's annotations are read by reflection, and each
 * annotation type read makes the JDK generate a proxy class at run time, which no AOT cache holds: that was most
 * of the CLI's start-up. Values land in the model ({@link OptionSpec#getValue()}), where each command reads them.
 */
final class Specs {
    private Specs() {}

    static final String VERSION = "fdkit 0.1.0";
    /** Above the order every other option has (-1, unset). */
    private static final int HELP_ORDER = 1000;

    /**
     * A command run by {@code command} (a {@code Callable}, or null for one that only holds subcommands), with the
     * standard -h/--help and -V/--version.
     */
    static CommandSpec command(String name, Object command, String... description) {
        CommandSpec spec = CommandSpec.wrapWithoutInspection(command);
        spec.name(name).version(VERSION);
        spec.usageMessage().description(description);
        // Listed last where the options are not sorted, as picocli's own mixin for them is.
        spec.addOption(OptionSpec.builder("-h", "--help").usageHelp(true).order(HELP_ORDER)
                .description("Show this help message and exit.").build());
        spec.addOption(OptionSpec.builder("-V", "--version").versionHelp(true).order(HELP_ORDER)
                .description("Print version information and exit.").build());
        return spec;
    }

    /** A flag (no value) added to {@code spec}. */
    static OptionSpec flag(CommandSpec spec, String name, String... description) {
        return add(spec, OptionSpec.builder(name).type(boolean.class).arity("0").description(description));
    }

    /** An option with a value of {@code type}, labelled {@code label}, added to {@code spec}. */
    static OptionSpec option(CommandSpec spec, Class<?> type, String label, String name, String... description) {
        return add(spec, OptionSpec.builder(name).type(type).paramLabel(label).description(description));
    }

    /** A repeatable option whose values are collected in order, added to {@code spec}. */
    static OptionSpec repeatable(CommandSpec spec, String label, String name, String... description) {
        return add(spec, OptionSpec.builder(name).type(List.class).auxiliaryTypes(String.class).paramLabel(label)
                .description(description));
    }

    static OptionSpec add(CommandSpec spec, OptionSpec.Builder option) {
        OptionSpec built = option.build();
        spec.addOption(built);
        return built;
    }

    /** A positional parameter of {@code type} at {@code index} with {@code arity}, added to {@code spec}. */
    static PositionalParamSpec positional(CommandSpec spec, Class<?> type, String index, String arity, String label,
                                          String description) {
        Range range = Range.valueOf(arity);
        PositionalParamSpec built = PositionalParamSpec.builder().index(index).arity(range).required(range.min() > 0)
                .type(type).paramLabel(label).description(description).build();
        spec.addPositional(built);
        return built;
    }

    /** The process a command acts on, its first and only required parameter, added to {@code spec}. */
    static PositionalParamSpec pid(CommandSpec spec, String description) {
        return positional(spec, long.class, "0", "1", "PID", description);
    }

    /** One or more positional parameters collected in a list, added to {@code spec}. */
    static PositionalParamSpec positionalList(CommandSpec spec, String label, String description) {
        PositionalParamSpec built = PositionalParamSpec.builder().index("0..*").arity("1..*").required(true).type(List.class)
                .auxiliaryTypes(String.class).paramLabel(label).description(description).build();
        spec.addPositional(built);
        return built;
    }

    static boolean isSet(OptionSpec flag) {
        return Boolean.TRUE.equals(flag.getValue());
    }

    /** The values of a repeatable option or a positional list; empty when none were given. */
    static List<String> values(picocli.CommandLine.Model.ArgSpec arg) {
        List<String> v = arg.getValue();
        return v == null ? List.of() : v;
    }
}
