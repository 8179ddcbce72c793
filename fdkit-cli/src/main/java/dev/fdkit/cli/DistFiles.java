package dev.fdkit.cli;

import picocli.AutoComplete;
import picocli.CommandLine;
import picocli.CommandLine.Model.ArgSpec;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Model.OptionSpec;
import picocli.CommandLine.Model.PositionalParamSpec;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.LocalDate;
import java.time.ZoneOffset;
import java.util.Map;

/**
 * Writes the distribution's generated files from the picocli model of the command line, so that they always say
 * what the commands accept: the man page {@code fdkit.1} (troff, man(7) macros) and the bash completion script
 * (which zsh loads through bashcompinit). Run by {@code bin/fdkit dist}: {@code DistFiles DIR}.
 */
final class DistFiles {
    private DistFiles() {}

    public static void main(String[] args) throws IOException {
        if (args.length != 1) throw new IllegalArgumentException("usage: DistFiles OUTPUT-DIRECTORY");
        Path dir = Path.of(args[0]);
        Files.createDirectories(dir);
        CommandLine cl = Main.commandLine();
        Files.writeString(dir.resolve("fdkit.1"), manPage(cl));
        Files.writeString(dir.resolve("fdkit.bash"), AutoComplete.bash("fdkit", cl));
    }

    /** fdkit.1: NAME, SYNOPSIS, DESCRIPTION, OPTIONS, then a section per command with its own options. */
    static String manPage(CommandLine cl) {
        CommandSpec top = cl.getCommandSpec();
        StringBuilder m = new StringBuilder();
        String version = top.version().length > 0 ? top.version()[0].replace("fdkit ", "") : "";
        m.append(".TH FDKIT 1 \"").append(LocalDate.now(ZoneOffset.UTC)).append("\" \"fdkit ").append(esc(version))
                .append("\" \"User Commands\"\n");
        m.append(".SH NAME\nfdkit \\- ").append(esc(String.join(" ", top.usageMessage().description()))).append('\n');
        m.append(".SH SYNOPSIS\n.B fdkit\n[\\fIOPTIONS\\fR] \\fICOMMAND\\fR [\\fIARGS\\fR]\n");
        m.append(".SH OPTIONS\n");
        options(m, top);
        m.append(".SH COMMANDS\n");
        for (Map.Entry<String, CommandLine> e : cl.getSubcommands().entrySet()) {
            CommandSpec sub = e.getValue().getCommandSpec();
            m.append(".SS \"fdkit ").append(esc(e.getKey()));
            for (PositionalParamSpec p : sub.positionalParameters()) {
                if (!p.hidden()) m.append(' ').append(esc(p.paramLabel()));
            }
            m.append("\"\n");
            for (String line : sub.usageMessage().description()) m.append(esc(line)).append("\n.PP\n");
            options(m, sub);
            for (String line : sub.usageMessage().footer()) {
                if (!line.isBlank()) m.append(esc(line)).append("\n.PP\n");
            }
        }
        for (String line : top.usageMessage().footer()) {
            if (!line.isBlank()) m.append(".SH NOTES\n").append(esc(line)).append('\n');
        }
        return m.toString();
    }

    private static void options(StringBuilder m, CommandSpec spec) {
        for (OptionSpec o : spec.options()) {
            if (o.hidden()) continue;
            m.append(".TP\n.B ").append(esc(String.join(", ", o.names())));
            if (o.arity().max() > 0) m.append(" \\fI").append(esc(o.paramLabel())).append("\\fR");
            m.append('\n').append(esc(description(o))).append('\n');
        }
        for (PositionalParamSpec p : spec.positionalParameters()) {
            if (p.hidden()) continue;
            m.append(".TP\n.I ").append(esc(p.paramLabel())).append('\n').append(esc(description(p))).append('\n');
        }
    }

    private static String description(ArgSpec a) {
        String d = String.join(" ", a.description());
        String def = a.defaultValueString();
        return d.replace("${DEFAULT-VALUE}", def == null ? "" : def);
    }

    /** troff-safe text: backslashes doubled, a leading dot or quote guarded, dashes as minus signs. */
    private static String esc(String s) {
        String t = s.replace("\\", "\\e").replace("-", "\\-");
        return t.startsWith(".") || t.startsWith("'") ? "\\&" + t : t;
    }
}
