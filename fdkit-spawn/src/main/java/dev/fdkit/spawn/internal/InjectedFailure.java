package dev.fdkit.spawn.internal;

import dev.fdkit.internal.Settings;

import java.util.Map;

/**
 * Testing only: {@code -Dfdkit.spawn.failAt=STEP[:ERRNO]} makes the helper fail at STEP as if its system call had
 * returned ERRNO (a number, default 5, EIO), so that tests reach error paths no real condition reaches reliably
 * (an mmap or clone failure). Read at each spawn; unset in normal use.
 *
 * @param step  {@code SpawnAbi.STEP_*}
 * @param errno positive
 */
record InjectedFailure(int step, int errno) {
    private static final int EIO = 5;

    private static final Map<String, Integer> STEPS = Map.ofEntries(Map.entry("stack", SpawnAbi.STEP_STACK),
            Map.entry("clone", SpawnAbi.STEP_CLONE), Map.entry("unshare", SpawnAbi.STEP_UNSHARE),
            Map.entry("move", SpawnAbi.STEP_MOVE), Map.entry("place", SpawnAbi.STEP_PLACE),
            Map.entry("devnull", SpawnAbi.STEP_DEVNULL), Map.entry("chdir", SpawnAbi.STEP_CHDIR),
            Map.entry("rlimit", SpawnAbi.STEP_RLIMIT), Map.entry("exec", SpawnAbi.STEP_EXEC),
            Map.entry("thread", SpawnAbi.STEP_THREAD), Map.entry("file-actions", SpawnAbi.STEP_FILE_ACTIONS));

    /** The last value parsed, so that a spawn costs one property lookup. */
    private record Parsed(String value, InjectedFailure failure) {}

    private static volatile Parsed last;

    /** The failure the property asks for; null when it is unset. */
    static InjectedFailure current() {
        String value = System.getProperty(Settings.SPAWN_FAIL_AT);
        if (value == null) return null;
        Parsed p = last;
        if (p == null || !p.value.equals(value)) last = p = new Parsed(value, parse(value));
        return p.failure;
    }

    /** @throws IllegalArgumentException naming the property, the value and what is accepted */
    static InjectedFailure parse(String value) {
        String[] parts = value.trim().split(":", 2);
        Integer step = STEPS.get(parts[0]);
        int errno = EIO;
        boolean ok = step != null;
        if (ok && parts.length == 2) {
            try {
                errno = Integer.parseInt(parts[1]);
                ok = errno > 0;
            } catch (NumberFormatException e) {
                ok = false;
            }
        }
        if (!ok) {
            throw new IllegalArgumentException(Settings.SPAWN_FAIL_AT + "=" + value + " is not STEP[:ERRNO] with STEP one of "
                    + String.join(", ", new java.util.TreeSet<>(STEPS.keySet())) + " and ERRNO a positive number");
        }
        return new InjectedFailure(step, errno);
    }
}
