package dev.fdkit.spawn.internal;

import dev.fdkit.internal.FdCalls;
import dev.fdkit.internal.HeldDescriptors;
import dev.fdkit.internal.Settings;

import java.util.Arrays;

/**
 * A few low descriptor numbers held by fdkit (each a close-on-exec /dev/null) so that a child's sources can sit
 * low when the JVM's table is large.
 *
 * <p>Why: the child unshares with close_range(first, ~0U, CLOSE_RANGE_UNSHARE), and the kernel copies every slot
 * below {@code first}, which lies above the highest source. A pipe made while 16,000 descriptors are open gets
 * a number above them all, and the copy would span the whole table. Duplicating that pipe onto a reserved low
 * number for the length of the spawn keeps the copy small. The numbers are reserved by
 * {@code FdProcessBuilder.reserveLowDescriptors()}, else by the first spawn that needs one; reserved late, when no
 * low number is free, they simply do not help. {@code fdkit.spawn.lowSlots} sets how many (default 16; 0: none).
 */
public final class LowSlots {
    private static final int DEFAULT_COUNT = 16, MAX_COUNT = 1024;
    private static volatile LowSlots instance;

    private final int devNull;
    private final int[] free;
    private int freeCount;

    private LowSlots(int devNull, int[] slots) {
        this.devNull = devNull;
        this.free = slots;
        this.freeCount = slots.length;
    }

    /** Reserves the numbers now, if that has not been done yet. */
    public static void reserveOnce() {
        get();
    }

    static LowSlots get() {
        LowSlots s = instance;
        if (s == null) {
            synchronized (LowSlots.class) {
                s = instance;
                if (s == null) instance = s = reserve((int) Settings.number(Settings.SPAWN_LOW_SLOTS, DEFAULT_COUNT, 0, MAX_COUNT));
            }
        }
        return s;
    }

    private static LowSlots reserve(int count) {
        if (count <= 0) return new LowSlots(-1, new int[0]);
        int devNull = FdCalls.open("/dev/null", FdCalls.O_RDWR | FdCalls.O_CLOEXEC, 0);
        if (devNull < 0) return new LowSlots(-1, new int[0]);
        HeldDescriptors.add(devNull);
        int[] slots = new int[count];
        int n = 0;
        while (n < count) {
            int fd = FdCalls.fcntl(devNull, FdCalls.F_DUPFD_CLOEXEC, 3);
            if (fd < 0) break;
            HeldDescriptors.add(fd);
            slots[n++] = fd;
        }
        slots = Arrays.copyOf(slots, n);
        Arrays.sort(slots);
        // Hand out the lowest first: the free stack pops from its end.
        for (int i = 0, j = n - 1; i < j; i++, j--) {
            int t = slots[i];
            slots[i] = slots[j];
            slots[j] = t;
        }
        return new LowSlots(devNull, slots);
    }

    /**
     * Duplicates {@code src} onto a reserved number below it and returns that number, or -1 when no reserved
     * number below {@code src} is free (the caller then uses {@code src} itself).
     */
    int borrow(int src) {
        int slot;
        synchronized (this) {
            if (freeCount == 0 || free[freeCount - 1] >= src) return -1;
            slot = free[--freeCount];
        }
        if (FdCalls.dup3(src, slot, FdCalls.O_CLOEXEC) < 0) {
            giveBack(slot);
            return -1;
        }
        return slot;
    }

    /** Puts /dev/null back on {@code slot} (dropping the borrowed file) and frees the number. */
    void giveBack(int slot) {
        FdCalls.dup3(devNull, slot, FdCalls.O_CLOEXEC);
        synchronized (this) {
            // keep the stack ordered so the lowest free number is handed out next
            int i = freeCount++;
            while (i > 0 && free[i - 1] < slot) {
                free[i] = free[i - 1];
                i--;
            }
            free[i] = slot;
        }
    }
}
