package dev.fdkit.bench;

import java.util.Locale;

/** The three questions {@code fdkit bench} answers. */
public enum Suite {
    /** Close every descriptor from a base upward, with N open. */
    CLOSE("time to close N open descriptors"),
    /** Find every open descriptor number, with N open. */
    LIST("time to list the open descriptor numbers, N open"),
    /** Start /bin/true and wait for it, with N extra descriptors open in the parent. */
    SPAWN("time to start /bin/true and wait, N extra descriptors open");

    private final String title;

    Suite(String title) {
        this.title = title;
    }

    /** What the suite measures, for plot titles. */
    public String title() {
        return title;
    }

    /** "close", "list", "spawn". */
    public String id() {
        return name().toLowerCase(Locale.ROOT);
    }
}
