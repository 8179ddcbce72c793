package dev.fdkit;

/** The access mode a descriptor was opened with (O_ACCMODE), or PATH for O_PATH descriptors. */
public enum AccessMode {
    READ("r"), WRITE("w"), READ_WRITE("u"), PATH("p"), UNKNOWN("?");

    private final String letter;

    AccessMode(String letter) {
        this.letter = letter;
    }

    /** lsof's letter: r, w, u (read and write); p for O_PATH. */
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
