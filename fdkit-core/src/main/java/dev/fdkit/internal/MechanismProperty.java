package dev.fdkit.internal;

import java.util.function.Function;

/** The parsing shared by the {@code fdkit.*.mechanism} system properties. */
public final class MechanismProperty {
    private MechanismProperty() {}

    /**
     * The constant of {@code values} whose name (by {@code name}) is {@code value}, trimmed; null for null, blank
     * or {@code auto}.
     *
     * @throws IllegalArgumentException naming the property and every accepted value
     */
    public static <E> E parse(String property, String value, E[] values, Function<E, String> name) {
        if (value == null || value.isBlank() || value.trim().equals("auto")) return null;
        StringBuilder accepted = new StringBuilder("auto");
        for (E e : values) {
            if (name.apply(e).equals(value.trim())) return e;
            accepted.append(", ").append(name.apply(e));
        }
        throw new IllegalArgumentException(property + "=" + value + " is not one of " + accepted);
    }
}
