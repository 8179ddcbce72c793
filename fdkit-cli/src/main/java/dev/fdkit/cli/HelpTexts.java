package dev.fdkit.cli;

import picocli.CommandLine;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;

/**
 * The help of every command, rendered by picocli at build time into the jar ({@code help/fdkit-ls.txt}...), so
 * that {@code fdkit --help}, {@code fdkit help CMD} and {@code fdkit CMD --help} print it without laying out the
 * text again (picocli's layout, run by the interpreter, is most of a help's start-up). The texts are what picocli
 * prints for those command lines; a test compares the two. Run by the build: {@code HelpTexts DIR}.
 */
final class HelpTexts {
    private HelpTexts() {}

    /** Where the texts are, beside this class. */
    private static final String DIRECTORY = "help/";

    public static void main(String[] args) throws IOException {
        if (args.length != 1) throw new IllegalArgumentException("usage: HelpTexts OUTPUT-DIRECTORY");
        Path dir = Files.createDirectories(Path.of(args[0]));
        for (List<String> command : commands(Main.commandLine(), new ArrayList<>())) {
            Files.writeString(dir.resolve(file(command)), rendered(command), StandardCharsets.UTF_8);
        }
    }

    /**
     * The stored help {@code args} asks for, or null when {@code args} is not a plain help request: "--help" or
     * "-h" after the names of a command, "help", or "help CMD".
     */
    static String stored(String... args) {
        List<String> command = command(args);
        if (command == null) return null;
        try (InputStream in = HelpTexts.class.getResourceAsStream(DIRECTORY + file(command))) {
            return in == null ? null : new String(in.readAllBytes(), StandardCharsets.UTF_8);
        } catch (IOException e) {
            return null; // picocli renders it then
        }
    }

    /** The names of the command whose help {@code args} asks for, or null. */
    static List<String> command(String... args) {
        int n = args.length;
        if (n == 0) return null;
        if (!args[n - 1].equals("--help") && !args[n - 1].equals("-h")) {
            if (n == 1 && args[0].equals("help")) return List.of();
            if (n == 2 && args[0].equals("help") && isName(args[1])) return List.of(args[1]);
            return null;
        }
        List<String> names = new ArrayList<>();
        for (int i = 0; i < n - 1; i++) {
            if (!isName(args[i])) return null;
            names.add(args[i]);
        }
        return names;
    }

    /** Could be a command's name (and is no path into the jar). */
    private static boolean isName(String s) {
        return !s.isEmpty() && s.chars().allMatch(c -> c >= 'a' && c <= 'z');
    }

    /** What picocli prints for {@code command}'s --help. */
    static String rendered(List<String> command) {
        List<String> args = new ArrayList<>(command);
        args.add("--help");
        ByteArrayOutputStream text = new ByteArrayOutputStream();
        PrintStream out = System.out;
        System.setOut(new PrintStream(text, true, StandardCharsets.UTF_8));
        try {
            String[] a = args.toArray(String[]::new);
            int exit = Main.execute(Main.commandLine(a), a);
            if (exit != 0) throw new IllegalStateException("'" + String.join(" ", a) + "' exited with " + exit);
        } finally {
            System.setOut(out);
        }
        return text.toString(StandardCharsets.UTF_8);
    }

    /** Every command below {@code cl} (and {@code cl} itself), as the names after "fdkit". */
    static List<List<String>> commands(CommandLine cl, List<String> path) {
        List<List<String>> all = new ArrayList<>();
        all.add(List.copyOf(path));
        for (Map.Entry<String, CommandLine> sub : cl.getSubcommands().entrySet()) {
            path.add(sub.getKey());
            all.addAll(commands(sub.getValue(), path));
            path.removeLast();
        }
        return all;
    }

    private static String file(List<String> command) {
        return command.isEmpty() ? "fdkit.txt" : "fdkit-" + String.join("-", command) + ".txt";
    }
}
