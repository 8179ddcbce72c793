package dev.fdkit.bench;

import java.io.PrintStream;

/**
 * A progress line on stderr for any step that has run longer than a second. On a terminal it is one line rewritten
 * in place; elsewhere (a pipe, a CI log) a plain line at most every few seconds.
 */
final class Progress {
    private static final long SHOW_AFTER_NANOS = 1_000_000_000L;
    private final PrintStream err;
    private final boolean terminal;
    private final long repeatNanos;
    private String step = "";
    private long stepStart;
    private long lastShown;
    private int shownWidth;

    Progress(PrintStream err, boolean terminal) {
        this.err = err;
        this.terminal = terminal;
        this.repeatNanos = terminal ? 200_000_000L : 5_000_000_000L;
    }

    /** Starts a new step (e.g. "close N=16000"). */
    void step(String name) {
        clear();
        step = name;
        stepStart = System.nanoTime();
        lastShown = 0;
    }

    /** Reports how far the current step is; shown only once the step has run more than a second. */
    void update(String detail) {
        long now = System.nanoTime();
        if (now - stepStart < SHOW_AFTER_NANOS || (lastShown != 0 && now - lastShown < repeatNanos)) return;
        lastShown = now;
        String line = String.format("fdkit bench: %s: %s (%.1f s)", step, detail, (now - stepStart) / 1e9);
        if (terminal) {
            err.print("\r" + line + " ".repeat(Math.max(0, shownWidth - line.length())));
            shownWidth = line.length();
        } else {
            err.println(line);
        }
        err.flush();
    }

    /** Removes the progress line (on a terminal) before results are printed. */
    void clear() {
        if (terminal && shownWidth > 0) {
            err.print("\r" + " ".repeat(shownWidth) + "\r");
            err.flush();
        }
        shownWidth = 0;
    }
}
