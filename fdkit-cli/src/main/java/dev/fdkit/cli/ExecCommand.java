package dev.fdkit.cli;

import dev.fdkit.ErrnoException;
import dev.fdkit.Fds;
import dev.fdkit.spawn.FdProcessBuilder;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Model.OptionSpec;
import picocli.CommandLine.Model.PositionalParamSpec;
import picocli.CommandLine.ParameterException;

import java.io.File;
import java.io.IOException;
import java.util.HashSet;
import java.util.Set;
import java.util.concurrent.Callable;

/**
 * {@code fdkit exec}: replaces the CLI's own process with CMD (same pid; exit status and signals are CMD's), with
 * stdio as the CLI had it and exactly the named descriptors besides. The JVM's own descriptors (its jar, its
 * runtime image, its sockets) never reach CMD, not even in place of a number the caller did not hand over:
 * bin/fdkit records which of the named descriptors its caller gave ({@value #CALLER_FDS}), and only those pass.
 * Built on {@link FdProcessBuilder#execInPlace()}.
 */
final class ExecCommand implements Callable<Integer> {
    static final int USAGE = 2, BAD_DESCRIPTOR = 123, BAD_DIRECTORY = 124, SETUP_FAILED = 125, CANNOT_RUN = 126,
            NOT_FOUND = 127;
    /** Set by bin/fdkit for {@code exec}: the descriptors named by --pass/--listen that its caller handed over. */
    static final String CALLER_FDS = "FDKIT_CALLER_FDS";

    final CommandSpec spec = Specs.command("exec", this,
            "Run CMD in place of this process (same pid, like a shell's exec) with stdin, stdout, stderr "
                    + "and exactly the descriptors named besides; every other descriptor is closed. A descriptor named "
                    + "must have been handed to fdkit by its caller.",
            "Example: fdkit exec --pass 5:3 --listen 6=http -- ./server --port 0");

    private final OptionSpec pass = Specs.repeatable(spec, "FD[:CHILDFD]", "--pass",
            "Give CMD this descriptor, at CHILDFD (default: the same number). Repeatable.");

    private final OptionSpec listen = Specs.repeatable(spec, "FD[=NAME]", "--listen",
            "Socket activation: FD becomes listen descriptor 3, 4, ... in order, with LISTEN_FDS, "
                    + "LISTEN_FDNAMES (NAME, default 'unknown') and LISTEN_PID set. Repeatable.");

    private final OptionSpec cwd = Specs.option(spec, File.class, "DIR", "--cwd", "Working directory of CMD.");

    private final OptionSpec env = Specs.repeatable(spec, "K=V", "--env",
            "Set an environment variable for CMD. Repeatable.");

    private final PositionalParamSpec command = Specs.positionalList(spec, "CMD",
            "The program and its arguments (after --).");

    {
        spec.usageMessage().footer("Exit status:",
                "  CMD's own, once CMD runs",
                "  " + USAGE + "    a bad option or value",
                "  " + BAD_DESCRIPTOR + "  a descriptor named was not handed to fdkit by its caller",
                "  " + BAD_DIRECTORY + "  the --cwd directory does not exist or cannot be entered",
                "  " + SETUP_FAILED + "  fdkit could not set CMD up (the message says why)",
                "  " + CANNOT_RUN + "  CMD was found but cannot be run",
                "  " + NOT_FOUND + "  CMD was not found");
    }

    /** A failure with its exit status, reported as one line. */
    private static final class Refusal extends Exception {
        final int status;

        Refusal(int status, String message) {
            super(message, null, false, false);
            this.status = status;
        }
    }

    @Override
    public Integer call() {
        try {
            FdProcessBuilder b = configure();
            b.execInPlace(); // returns only by throwing
            throw new IllegalStateException("execInPlace returned");
        } catch (Refusal r) {
            System.err.println("fdkit exec: " + r.getMessage());
            return r.status;
        } catch (ErrnoException e) {
            System.err.println("fdkit exec: " + e.getMessage());
            return statusOf(e);
        } catch (IOException e) {
            System.err.println("fdkit exec: " + Main.message(e));
            return SETUP_FAILED;
        }
    }

    private FdProcessBuilder configure() throws Refusal {
        Set<Integer> handed = callerFds();
        FdProcessBuilder b = new FdProcessBuilder(Specs.values(command)).inheritIO()
                .directory(cwd.<File>getValue());
        try {
            for (String p : Specs.values(pass)) {
                int colon = p.indexOf(':');
                int parent = handedOver(fd(colon < 0 ? p : p.substring(0, colon), "--pass " + p), "--pass " + p, handed);
                b.passFd(parent, colon < 0 ? parent : fd(p.substring(colon + 1), "--pass " + p));
            }
            for (String l : Specs.values(listen)) {
                int eq = l.indexOf('=');
                int parent = handedOver(fd(eq < 0 ? l : l.substring(0, eq), "--listen " + l), "--listen " + l, handed);
                if (eq < 0) b.listenFds(parent);
                else b.listenFd(parent, l.substring(eq + 1));
            }
        } catch (IllegalArgumentException e) { // the builder's own checks: two descriptors onto one number...
            throw new ParameterException(spec.commandLine(), Main.message(e));
        }
        b.environment().remove(CALLER_FDS); // a note from bin/fdkit to this command, not to CMD
        for (String kv : Specs.values(env)) {
            int eq = kv.indexOf('=');
            if (eq <= 0) throw new ParameterException(spec.commandLine(), "--env " + kv + ": expected NAME=VALUE");
            b.environment().put(kv.substring(0, eq), kv.substring(eq + 1));
        }
        return b;
    }

    /**
     * {@code fd} if the caller handed it to the JVM. A number the caller did not hand over may be open all the
     * same, as one of the JVM's own files: that must never reach CMD.
     */
    private static int handedOver(int fd, String option, Set<Integer> handed) throws Refusal {
        if (handed == null) {
            throw new Refusal(BAD_DESCRIPTOR, option + ": cannot tell whether descriptor " + fd + " was handed over ("
                    + CALLER_FDS + " is not set; run the command through bin/fdkit)");
        }
        if (!handed.contains(fd) || !Fds.isOpen(fd)) {
            throw new Refusal(BAD_DESCRIPTOR, option + ": descriptor " + fd + " was not handed to fdkit by its caller");
        }
        return fd;
    }

    /** The record bin/fdkit made, or null without one. */
    private Set<Integer> callerFds() {
        String record = System.getenv(CALLER_FDS);
        if (record == null) return null;
        Set<Integer> fds = new HashSet<>();
        for (String s : record.trim().split("\\s+")) {
            if (s.isEmpty()) continue;
            try {
                fds.add(Integer.parseInt(s));
            } catch (NumberFormatException e) {
                throw new ParameterException(spec.commandLine(), CALLER_FDS + "=" + record + " is not a list of "
                        + "descriptor numbers");
            }
        }
        return fds;
    }

    /** The exit status for a failure of the exec itself, as a shell would report it where it can. */
    private static int statusOf(ErrnoException e) {
        String m = e.getMessage();
        if (m.contains("chdir(")) return BAD_DIRECTORY;
        if (m.contains("execve(") || m.contains("execvp")) return e.errnoName().equals("ENOENT") ? NOT_FOUND : CANNOT_RUN;
        return SETUP_FAILED;
    }

    private int fd(String s, String option) {
        try {
            int fd = Integer.parseInt(s.trim());
            if (fd >= 0) return fd;
        } catch (NumberFormatException ignored) {
            // reported below
        }
        throw new ParameterException(spec.commandLine(), option + ": '" + s + "' is not a descriptor number");
    }
}
