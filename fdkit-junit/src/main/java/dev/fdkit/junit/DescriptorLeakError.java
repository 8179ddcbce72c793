package dev.fdkit.junit;

import dev.fdkit.FdInfo;

import java.io.Serial;
import java.util.List;

/** A test left descriptors open: {@link #leaked()} still open, {@link #unreachable()} closed only by a GC. */
public final class DescriptorLeakError extends AssertionError {
    @Serial
    private static final long serialVersionUID = 1L;

    private final transient List<FdInfo> leaked;
    private final transient List<FdInfo> unreachable;

    DescriptorLeakError(String message, List<FdInfo> leaked, List<FdInfo> unreachable) {
        super(message);
        this.leaked = List.copyOf(leaked);
        this.unreachable = List.copyOf(unreachable);
    }

    /** {@return descriptors the test opened that were still open when it was judged} */
    public List<FdInfo> leaked() {
        return leaked;
    }

    /** {@return descriptors the test opened and dropped unclosed: closed only by a Cleaner after System.gc()} */
    public List<FdInfo> unreachable() {
        return unreachable;
    }
}
