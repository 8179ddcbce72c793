package dev.fdkit.cli;

import dev.fdkit.ErrnoException;
import dev.fdkit.spawn.FdProcessBuilder;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;

import java.io.File;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.Callable;

/**
 * {@code fdkit exec}: replaces the CLI's own process with CMD (same pid; exit status and signals are CMD's), with
 * stdio as the CLI had it and exactly the named descriptors besides. The JVM's own descriptors (its jar, its
 * runtime image, its sockets) never reach CMD. Built on {@link FdProcessBuilder#execInPlace()}.
 */
@Command(name = "exec", mixinStandardHelpOptions = true,
        description = {"Run CMD in place of this process (same pid, like a shell's exec) with stdin, stdout, stderr "
                + "and exactly the descriptors named besides; every other descriptor is closed.",
                "Example: fdkit exec --pass 5:3 --listen 6=http -- ./server --port 0"},
        footer = {"Exit status: CMD's own; 127 when CMD cannot be found, 126 when it cannot be run."})
final class ExecCommand implements Callable<Integer> {
    @Option(names = "--pass", paramLabel = "FD[:CHILDFD]",
            description = "Give CMD this descriptor, at CHILDFD (default: the same number). Repeatable.")
    List<String> pass = new ArrayList<>();

    @Option(names = "--listen", paramLabel = "FD[=NAME]",
            description = "Socket activation: FD becomes listen descriptor 3, 4, ... in order, with LISTEN_FDS, "
                    + "LISTEN_FDNAMES (NAME, default 'unknown') and LISTEN_PID set. Repeatable.")
    List<String> listen = new ArrayList<>();

    @Option(names = "--cwd", paramLabel = "DIR", description = "Working directory of CMD.")
    File cwd;

    @Option(names = "--env", paramLabel = "K=V", description = "Set an environment variable for CMD. Repeatable.")
    List<String> env = new ArrayList<>();

    @Parameters(arity = "1..*", paramLabel = "CMD", description = "The program and its arguments (after --).")
    List<String> command;

    @Override
    public Integer call() throws Exception {
        FdProcessBuilder b = new FdProcessBuilder(command).inheritIO().directory(cwd);
        for (String p : pass) {
            int colon = p.indexOf(':');
            int parent = fd(colon < 0 ? p : p.substring(0, colon), "--pass " + p);
            b.passFd(parent, colon < 0 ? parent : fd(p.substring(colon + 1), "--pass " + p));
        }
        for (String l : listen) {
            int eq = l.indexOf('=');
            if (eq < 0) b.listenFds(fd(l, "--listen " + l));
            else b.listenFd(fd(l.substring(0, eq), "--listen " + l), l.substring(eq + 1));
        }
        for (String kv : env) {
            int eq = kv.indexOf('=');
            if (eq <= 0) throw new IllegalArgumentException("--env " + kv + ": expected NAME=VALUE");
            b.environment().put(kv.substring(0, eq), kv.substring(eq + 1));
        }
        try {
            b.execInPlace(); // returns only by throwing
        } catch (ErrnoException e) {
            System.err.println("fdkit exec: " + e.getMessage());
            return e.errnoName().equals("ENOENT") ? 127 : 126; // as a shell reports a command it cannot run
        }
        throw new IllegalStateException("execInPlace returned");
    }

    private static int fd(String s, String option) {
        try {
            int fd = Integer.parseInt(s.trim());
            if (fd >= 0) return fd;
        } catch (NumberFormatException ignored) {
            // reported below
        }
        throw new IllegalArgumentException(option + ": '" + s + "' is not a descriptor number");
    }
}
