package dev.fdkit.bench;

import java.util.Locale;

/** The questions {@code fdkit bench} answers. */
public enum Suite {
    /** Close every descriptor from a base upward, with N open. */
    CLOSE("time to close N open descriptors"),
    /** Find every open descriptor number, with N open. */
    LIST("time to list the open descriptor numbers, N open"),
    /** Start /bin/true and wait for it, with N extra descriptors open in the parent. */
    SPAWN("time to start /bin/true and wait, N extra descriptors open"),
    /** Start /bin/true and wait for it from T threads at once: wall time per spawn. */
    SPAWN_THREADS("wall time per spawn of /bin/true, T threads spawning at once");

    private final String title;

    Suite(String title) {
        this.title = title;
    }

    /** What the suite measures, for plot titles. */
    public String title() {
        return title;
    }

    /** "close", "list", "spawn", "spawn-threads". */
    public String id() {
        return name().toLowerCase(Locale.ROOT).replace('_', '-');
    }

    /** The suite with this {@link #id}. */
    public static Suite byId(String id) {
        for (Suite s : values()) if (s.id().equals(id)) return s;
        throw new IllegalArgumentException("unknown suite '" + id + "': use close, list, spawn, spawn-threads or all");
    }
}
