package dev.fdkit.cli;

import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;

/** Runs {@code Main.run(args)} in this JVM with System.out and System.err captured. */
final class CapturedRun {
    record Result(int exit, String out, String err) {}

    /** A byte buffer other threads may read while the command still writes. */
    static final class Buffer extends ByteArrayOutputStream {
        synchronized String text() {
            return toString(StandardCharsets.UTF_8);
        }
    }

    static synchronized Result run(String... args) {
        Buffer out = new Buffer(), err = new Buffer();
        int exit = run(out, err, args);
        return new Result(exit, out.text(), err.text());
    }

    /** Runs with output going to {@code out} and {@code err} as it is written. */
    static int run(Buffer out, Buffer err, String... args) {
        PrintStream oldOut = System.out, oldErr = System.err;
        System.setOut(new PrintStream(out, true, StandardCharsets.UTF_8));
        System.setErr(new PrintStream(err, true, StandardCharsets.UTF_8));
        try {
            return Main.run(args);
        } finally {
            System.setOut(oldOut);
            System.setErr(oldErr);
        }
    }
}
