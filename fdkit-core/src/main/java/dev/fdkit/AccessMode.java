package dev.fdkit;

/** The access mode a descriptor was opened with (O_ACCMODE), or PATH for O_PATH descriptors. */
public enum AccessMode {
    /** O_RDONLY. */
    READ("r"),
    /** O_WRONLY. */
    WRITE("w"),
    /** O_RDWR. */
    READ_WRITE("u"),
    /** O_PATH: a location only, no reading or writing. */
    PATH("p"),
    /** Not known (the process's fdinfo was not readable). */
    UNKNOWN("?");

    private final String letter;

    AccessMode(String letter) {
        this.letter = letter;
    }

    /** {@return lsof's letter: r, w, u (read and write); p for O_PATH} */
    public String letter() {
        return letter;
    }

    static AccessMode ofFlags(int flags) {
        if (flags < 0) return UNKNOWN;
        if ((flags & 010000000) != 0) return PATH;
        return switch (flags & 3) {
            case 0 -> READ;
            case 1 -> WRITE;
            case 2 -> READ_WRITE;
            default -> UNKNOWN;
        };
    }
}
