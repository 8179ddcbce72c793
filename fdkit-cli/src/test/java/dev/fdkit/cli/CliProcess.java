package dev.fdkit.cli;

import dev.fdkit.testing.ChildProcess;

import java.io.IOException;
import java.util.List;
import java.util.Map;

/** Runs the CLI's Main in a JVM of its own, as bin/fdkit would: for commands that change the JVM's own table. */
final class CliProcess {
    record Result(long pid, int exit, String out, String err) {
        /** The value of the first "key=value" line of stdout. */
        String value(String key) {
            return out.lines().filter(l -> l.startsWith(key + "=")).map(l -> l.substring(key.length() + 1))
                    .findFirst().orElseThrow(() -> new AssertionError("no " + key + "= in:\n" + out + "\n" + err));
        }
    }

    static Result run(String... args) throws IOException, InterruptedException {
        // What bin/fdkit records for 'exec': the caller (this test) hands over stdio, the pipes, and nothing else.
        ChildProcess.Result r = ChildProcess.runJava(List.of(), Main.class.getName(), List.of(args),
                Map.of("FDKIT_CALLER_FDS", "0 1 2"));
        return new Result(r.pid(), r.exit(), r.out(), r.err());
    }
}
