package dev.fdkit.internal;

import java.util.List;
import java.util.Locale;
import java.util.Optional;
import java.util.StringJoiner;
import java.util.function.Function;

/**
 * Every {@code fdkit.*} setting, by name, and the one strict way each kind of value is read: a value that is not
 * accepted is an {@link IllegalArgumentException} at first use that names the setting, the value and what is
 * accepted, never a silent default. System properties are read here; the leak check's JUnit configuration
 * parameters come in as text and go through the same parsing. README.md's settings table documents each.
 */
public final class Settings {
    private Settings() {}

    public static final String CLOSE_MECHANISM = "fdkit.close.mechanism";
    public static final String LIST_MECHANISM = "fdkit.list.mechanism";
    public static final String BRUTE_MAX = "fdkit.brute.max";
    public static final String SPAWN_MECHANISM = "fdkit.spawn.mechanism";
    public static final String SPAWN_CLONE3 = "fdkit.spawn.clone3";
    public static final String SPAWN_LOW_SLOTS = "fdkit.spawn.lowSlots";
    public static final String SPAWN_LIBDIR = "fdkit.spawn.libdir";
    public static final String SPAWN_POSIX_SPAWN_BINDING = "fdkit.spawn.posixSpawnBinding";
    /** Testing only: makes the spawn helper fail at a chosen step (STEP[:ERRNO]). */
    public static final String SPAWN_FAIL_AT = "fdkit.spawn.failAt";
    public static final String LEAKCHECK_MODE = "fdkit.leakcheck.mode";
    public static final String LEAKCHECK_IGNORE = "fdkit.leakcheck.ignore";
    public static final String LEAKCHECK_SETTLE_MILLIS = "fdkit.leakcheck.settleMillis";
    public static final String LEAKCHECK_WARMUP = "fdkit.leakcheck.warmup";

    /** Every setting's name, for the check that each is documented. */
    public static final List<String> ALL = List.of(CLOSE_MECHANISM, LIST_MECHANISM, BRUTE_MAX, SPAWN_MECHANISM,
            SPAWN_CLONE3, SPAWN_LOW_SLOTS, SPAWN_LIBDIR, SPAWN_POSIX_SPAWN_BINDING, SPAWN_FAIL_AT, LEAKCHECK_MODE,
            LEAKCHECK_IGNORE, LEAKCHECK_SETTLE_MILLIS, LEAKCHECK_WARMUP);

    /** The value of a mechanism setting that lets fdkit pick. */
    public static final String AUTO = "auto";

    /** How a setting spells a mechanism: its name in lower case, words joined by '-' (CLOSE_RANGE: close-range). */
    public static String spelling(Enum<?> mechanism) {
        return mechanism.name().toLowerCase(Locale.ROOT).replace('_', '-');
    }

    /**
     * System property {@code name} as one of {@code values} (each spelled as {@code spelling} gives it), or empty
     * when it is unset or {@code auto}.
     */
    public static <E> Optional<E> mechanism(String name, E[] values, Function<E, String> spelling) {
        String value = System.getProperty(name);
        if (value != null && value.trim().equals(AUTO)) return Optional.empty();
        return parseChoice(name, value, values, spelling, AUTO + ", ");
    }

    /** {@code value} of setting {@code name} as one of {@code values}; empty for null. */
    public static <E> Optional<E> choice(String name, String value, E[] values, Function<E, String> spelling) {
        return parseChoice(name, value, values, spelling, "");
    }

    private static <E> Optional<E> parseChoice(String name, String value, E[] values, Function<E, String> spelling,
                                               String alsoAccepted) {
        if (value == null) return Optional.empty();
        StringJoiner accepted = new StringJoiner(", ", alsoAccepted, "");
        for (E e : values) {
            if (spelling.apply(e).equals(value.trim())) return Optional.of(e);
            accepted.add(spelling.apply(e));
        }
        throw invalid(name, value, "one of " + accepted);
    }

    /** System property {@code name} as {@code true} or {@code false}; {@code unset} when it is not set. */
    public static boolean flag(String name, boolean unset) {
        return flag(name, System.getProperty(name), unset);
    }

    /** {@code value} of setting {@code name} as {@code true} or {@code false}; {@code unset} for null. */
    public static boolean flag(String name, String value, boolean unset) {
        if (value == null) return unset;
        return switch (value.trim()) {
            case "true" -> true;
            case "false" -> false;
            default -> throw invalid(name, value, "one of true, false");
        };
    }

    /** System property {@code name} as a whole number in [min, max]; {@code unset} when it is not set. */
    public static long number(String name, long unset, long min, long max) {
        return number(name, System.getProperty(name), unset, min, max);
    }

    /** {@code value} of setting {@code name} as a whole number in [min, max]; {@code unset} for null. */
    public static long number(String name, String value, long unset, long min, long max) {
        if (value == null) return unset;
        long n;
        try {
            n = Long.parseLong(value.trim());
        } catch (NumberFormatException e) {
            throw invalid(name, value, "a whole number from " + min + " to " + max);
        }
        if (n < min || n > max) throw invalid(name, value, "a whole number from " + min + " to " + max);
        return n;
    }

    /** System property {@code name} as text that must not be blank; {@code unset} when it is not set. */
    public static String text(String name, String unset) {
        String value = System.getProperty(name);
        if (value == null) return unset;
        if (value.isBlank()) throw invalid(name, value, "a non-empty value");
        return value;
    }

    private static IllegalArgumentException invalid(String name, String value, String accepted) {
        return new IllegalArgumentException(name + "=" + value + " is not " + accepted);
    }
}
