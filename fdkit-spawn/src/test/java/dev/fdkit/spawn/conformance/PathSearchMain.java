package dev.fdkit.spawn.conformance;

import dev.fdkit.spawn.FdProcessBuilder;
import dev.fdkit.spawn.SpawnMechanism;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.List;

/**
 * Run in a JVM whose PATH the test chose (relative entries, an empty entry, or none at all), in a scratch
 * directory: walks through the PATH search as execvp does it (directories and unreadable files skipped, the empty
 * entry meaning the working directory, #! and plain shell scripts, the parent's PATH not the child's) with one
 * builder, the JDK's ("jdk") or fdkit's with a mechanism, and prints what it saw, one line per step. Also
 * checks inheritIO, which also needs streams of a JVM of its own.
 */
public final class PathSearchMain {
    private static String side;

    public static void main(String[] args) throws Exception {
        side = args[0];
        switch (args[1]) {
            case "search" -> search();
            case "unset" -> unsetPath();
            default -> inheritIo();
        }
    }

    /** The mechanism named by its property value. */
    private static SpawnMechanism mechanism() {
        for (SpawnMechanism m : SpawnMechanism.values()) if (m.propertyValue().equals(side)) return m;
        throw new IllegalArgumentException("no spawn mechanism " + side);
    }

    private static Process start(List<String> command, String childPath) throws IOException {
        if (side.equals("jdk")) {
            ProcessBuilder b = new ProcessBuilder(command);
            if (childPath != null) b.environment().put("PATH", childPath);
            return b.start();
        }
        FdProcessBuilder b = new FdProcessBuilder(command).mechanism(mechanism());
        if (childPath != null) b.environment().put("PATH", childPath);
        return b.start();
    }

    private static void step(String name, List<String> command, String childPath) throws InterruptedException {
        String seen;
        try {
            Process p = start(command, childPath);
            String out = new String(p.getInputStream().readAllBytes());
            seen = "exit " + p.waitFor() + (out.isEmpty() ? "" : " out " + out.trim());
        } catch (IOException e) {
            String m = e.getMessage();
            int detail = m.indexOf(" ["); // fdkit's own detail follows the JDK's wording
            seen = e.getClass().getSimpleName() + ": " + (detail < 0 ? m : m.substring(0, detail)).trim();
        }
        System.out.println(name + ": " + seen);
    }

    private static void write(String file, String text, boolean executable) throws IOException {
        Path p = Path.of(file);
        Files.deleteIfExists(p);
        Files.writeString(p, text);
        Files.setPosixFilePermissions(p, PosixFilePermissions.fromString(executable ? "rwxr-xr-x" : "rw-r--r--"));
    }

    private static void copy(String from, String to) throws IOException {
        Files.copy(Path.of(from), Path.of(to), StandardCopyOption.REPLACE_EXISTING, StandardCopyOption.COPY_ATTRIBUTES);
    }

    private static void delete(String... files) throws IOException {
        for (String f : files) Files.deleteIfExists(Path.of(f));
    }

    /** PATH is "dir1:dir2:". */
    private static void search() throws IOException, InterruptedException {
        List<String> prog = List.of("prog");
        step("nowhere, no directories", prog, null);
        Files.createDirectories(Path.of("dir1"));
        Files.createDirectories(Path.of("dir2"));
        step("nowhere", prog, null);
        Files.createDirectories(Path.of("dir1/prog"));
        step("a directory first", prog, null);
        copy("/bin/true", "dir2/prog");
        step("a directory, then the program", prog, null);
        delete("dir1/prog", "dir2/prog");
        Files.createDirectories(Path.of("dir2/prog"));
        copy("/bin/false", "dir1/prog");
        step("the program, then a directory", prog, null);
        delete("dir1/prog", "dir2/prog");
        for (List<String> command : List.of(List.of("./prog"), prog)) {
            String how = command.getFirst() + ": ";
            copy("/bin/true", "prog");
            step(how + "binary true", command, null);
            copy("/bin/false", "prog");
            step(how + "binary false", command, null);
            write("prog", "#!/bin/false\n", true);
            step(how + "#! false", command, null);
            write("prog", "exec /bin/false\n", true);
            step(how + "plain script", command, null);
            write("prog", "exec /bin/true\n", false);
            step(how + "plain script, not executable", command, null);
            delete("prog");
        }
        write("dir1/prog", "#!/bin/echo hello\n", false);
        step("#! echo, not executable", List.of("prog", "world"), null);
        write("dir1/prog", "#!/bin/echo hello\n", true);
        step("#! echo", List.of("prog", "world"), null);
        write("dir1/prog", "/bin/echo \"$@\"\n", true);
        step("plain echo", List.of("prog", "hello", "world"), null);
        delete("dir1/prog");
        Files.createDirectories(Path.of("dir3"));
        copy("/bin/true", "dir1/prog");
        copy("/bin/false", "dir3/prog");
        step("the parent's PATH, not the child's", prog, "dir3");
        copy("/bin/false", "dir1/prog");
        copy("/bin/true", "dir3/prog");
        step("the parent's PATH again", prog, "dir3");
        delete("dir1/prog", "dir3/prog");
        copy("/bin/true", "dir3/prog");
        step("only in the child's PATH", prog, "dir3");
    }

    /**
     * The streams of this JVM given to a child with inheritIO (and each one with INHERIT): what the child reads
     * from this JVM's stdin and writes to its stdout and stderr goes straight through; the Process streams are
     * null streams.
     */
    private static void inheritIo() throws IOException, InterruptedException {
        String script = "read -r line; printf 'child out:%s\\n' \"$line\"; printf 'child err\\n' >&2";
        List<String> command = List.of("sh", "-c", script);
        Process p;
        if (side.equals("jdk")) {
            p = new ProcessBuilder(command).inheritIO().start();
        } else {
            p = new FdProcessBuilder(command).mechanism(mechanism()).inheritIO().start();
        }
        int exit = p.waitFor();
        System.out.flush();
        System.out.println("exit " + exit + " out " + p.getInputStream().read() + " err " + p.getErrorStream().read());
        Process q;
        List<String> again = List.of("sh", "-c", "printf 'second:%s\\n' \"$(cat)\"");
        if (side.equals("jdk")) {
            q = new ProcessBuilder(again).redirectInput(ProcessBuilder.Redirect.INHERIT)
                    .redirectOutput(ProcessBuilder.Redirect.INHERIT).start();
        } else {
            q = new FdProcessBuilder(again).mechanism(mechanism())
                    .redirectInput(ProcessBuilder.Redirect.INHERIT).redirectOutput(ProcessBuilder.Redirect.INHERIT).start();
        }
        System.out.println("exit " + q.waitFor());
    }

    /** PATH is unset. */
    private static void unsetPath() throws IOException, InterruptedException {
        System.out.println("PATH: " + System.getenv("PATH"));
        step("true", List.of("true"), null);
        step("false", List.of("false"), null);
        step("true, child PATH set", List.of("true"), "anyOldPathIgnoredAnyways");
        write("prog", "exec /bin/false\n", true);
        step("a program in the working directory", List.of("prog"), null);
        delete("prog");
    }
}
