package dev.fdkit.spawn.internal;

/**
 * The spawn mechanisms as the implementation knows them; {@code dev.fdkit.spawn.SpawnMechanism} is their public
 * face. Kept apart so that this package never depends on the public one.
 */
public enum Mechanism {
    CLONE("clone"),
    POSIX_SPAWN("posix-spawn");

    private final String settingValue;

    Mechanism(String settingValue) {
        this.settingValue = settingValue;
    }

    /** How {@code fdkit.spawn.mechanism} spells this mechanism. */
    public String settingValue() {
        return settingValue;
    }
}
