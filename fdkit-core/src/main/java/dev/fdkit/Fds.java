package dev.fdkit;

import dev.fdkit.internal.Closer;
import dev.fdkit.internal.Errno;
import dev.fdkit.internal.FdCalls;
import dev.fdkit.internal.FdScan;
import dev.fdkit.internal.ProcessCalls;
import dev.fdkit.internal.SyscallException;

import java.util.Arrays;
import java.util.OptionalInt;

/**
 * The descriptor table of this process: close a range, mark it close-on-exec, keep a list, release files while
 * keeping their numbers, find and list what is open, here or in another process.
 *
 * <p>These calls change the table the whole JVM shares. Closing a descriptor that some JDK object still owns (a
 * jar file, a socket) makes that object fail later, or worse, touch whatever file next takes its number: HotSpot
 * reads classes through its own descriptor of the runtime image, and after {@code closeFrom(3)} the next file
 * opened reuses that number, so the next class load reads the wrong file and the JVM crashes. They are meant for
 * ranges the caller owns, for a thread about to exec ({@link CloseRangeFlag#UNSHARE}), or for {@link #detach},
 * which releases files while keeping their numbers taken.
 */
public final class Fds {
    private Fds() {}

    /** As {@code last} of a range: to the end of the table (close_range's ~0U). */
    public static final int MAX_FD = Integer.MAX_VALUE;

    /**
     * close_range(2): closes every open descriptor in [first, last] ({@code last == MAX_FD}: to the end of the
     * table). Errors closing individual descriptors are ignored, as the kernel does.
     *
     * @param first the lowest descriptor to close
     * @param last  the highest, or {@link #MAX_FD} for the rest of the table
     * @param flags CLOEXEC to mark instead of closing, UNSHARE to close in a private copy of the table
     * @throws IllegalArgumentException if first &lt; 0 or first &gt; last
     * @throws ErrnoException           if the kernel refuses the call (the message names the errno)
     */
    public static void closeRange(int first, int last, CloseRangeFlag... flags) throws ErrnoException {
        close(first, last, CloseRangeFlag.bits(flags));
    }

    /**
     * closefrom(3): closes every descriptor &gt;= first.
     *
     * @param first the lowest descriptor to close
     * @throws IllegalArgumentException if first &lt; 0
     * @throws ErrnoException if the kernel refuses the call (the message names the errno)
     */
    public static void closeFrom(int first) throws ErrnoException {
        close(first, MAX_FD, 0);
    }

    /** The one path of every close and mark: no varargs, no lookup beyond a constant, no allocation. */
    private static void close(int first, int last, int flags) throws ErrnoException {
        checkRange(first, last);
        try {
            Closer.closeRange(first, last == MAX_FD ? -1 : last, flags);
        } catch (SyscallException e) {
            throw ErrnoException.of(e);
        }
    }

    /**
     * Closes every descriptor &gt;= first except those in {@code keep}, with one close_range per gap of the sorted
     * keep list. Duplicates, any order and values below {@code first} are fine.
     *
     * @param first the lowest descriptor to close
     * @param keep  the descriptors to leave open
     * @throws IllegalArgumentException if first or a kept descriptor is negative
     * @throws ErrnoException if the kernel refuses the call (the message names the errno)
     */
    public static void closeFromExcept(int first, int... keep) throws ErrnoException {
        if (first < 0) throw new IllegalArgumentException("first must be >= 0, was " + first);
        int[] k = keep.clone();
        Arrays.sort(k);
        int from = first;
        for (int fd : k) {
            if (fd < 0) throw new IllegalArgumentException("keep contains a negative descriptor: " + fd);
            if (fd < from) continue; // below first, or a duplicate
            if (fd > from) close(from, fd - 1, 0);
            if (fd == MAX_FD) return;
            from = fd + 1;
        }
        close(from, MAX_FD, 0);
    }

    /**
     * Marks every open descriptor in [first, last] close-on-exec (CLOSE_RANGE_CLOEXEC, or fcntl one by one).
     *
     * @param first the lowest descriptor to mark
     * @param last  the highest, or {@link #MAX_FD} for the rest of the table
     * @throws IllegalArgumentException if first &lt; 0 or first &gt; last
     * @throws ErrnoException if the kernel refuses the call (the message names the errno)
     */
    public static void markCloseOnExec(int first, int last) throws ErrnoException {
        close(first, last, CloseRangeFlag.CLOEXEC.bit);
    }

    /**
     * Releases the files behind every open descriptor in [first, last] while keeping the numbers taken: each is
     * replaced by /dev/null (read gives EOF, writes are discarded), close-on-exec kept as it was. Sockets close
     * (peers see EOF), locks drop, and no other thread can be handed one of those numbers meanwhile.
     *
     * @param first the lowest descriptor to release
     * @param last  the highest, or {@link #MAX_FD} for the rest of the table
     * @throws IllegalArgumentException if first &lt; 0 or first &gt; last
     * @throws ErrnoException if /dev/null cannot be opened or a descriptor cannot be replaced
     */
    public static void detach(int first, int last) throws ErrnoException {
        checkRange(first, last);
        int[] open = numbers(first, last);
        if (open.length == 0) return;
        int devNull = FdCalls.open("/dev/null", FdCalls.O_RDWR | FdCalls.O_CLOEXEC, 0);
        if (devNull < 0) throw new ErrnoException("open(/dev/null)", -devNull);
        try {
            for (int fd : open) {
                if (fd == devNull) continue;
                int fdFlags = FdCalls.fcntl(fd, FdCalls.F_GETFD, 0);
                if (fdFlags < 0) continue; // closed meanwhile: nothing to release
                int r = FdCalls.dup3(devNull, fd, (fdFlags & FdCalls.FD_CLOEXEC) != 0 ? FdCalls.O_CLOEXEC : 0);
                if (r < 0 && r != -Errno.EINTR) throw new ErrnoException("dup3(/dev/null, " + fd + ")", -r);
            }
        } finally {
            FdCalls.close(devNull);
        }
    }

    /**
     * Whether {@code fd} is open in this process.
     *
     * @param fd a descriptor number
     * @return true if it is open
     */
    public static boolean isOpen(int fd) {
        return fd >= 0 && FdCalls.fcntl(fd, FdCalls.F_GETFD, 0) >= 0;
    }

    /**
     * The lowest open descriptor &gt;= from.
     *
     * @param from where to start looking
     * @return that descriptor, or empty when none is open from there on
     * @throws IllegalArgumentException if from &lt; 0
     * @throws ErrnoException if the table cannot be read
     */
    public static OptionalInt nextOpen(int from) throws ErrnoException {
        if (from < 0) throw new IllegalArgumentException("from must be >= 0, was " + from);
        int fd;
        try {
            fd = FdScan.nextOpen(from);
        } catch (SyscallException e) {
            throw ErrnoException.of(e);
        }
        return fd < 0 ? OptionalInt.empty() : OptionalInt.of(fd);
    }

    /**
     * The highest open descriptor, if any.
     *
     * @return the highest open descriptor, or empty when none is open
     * @throws ErrnoException if the table cannot be read
     */
    public static OptionalInt highestOpen() throws ErrnoException {
        int[] all = numbers();
        return all.length == 0 ? OptionalInt.empty() : OptionalInt.of(all[all.length - 1]);
    }

    /**
     * The open descriptor numbers of this process, ascending: the fast path, with no per-descriptor detail.
     *
     * @return the open descriptors, ascending
     * @throws ErrnoException if the table cannot be read
     */
    public static int[] numbers() throws ErrnoException {
        return numbers(0, MAX_FD);
    }

    /**
     * The open descriptor numbers in [first, last], ascending.
     *
     * @param first the lowest number to report
     * @param last  the highest, or {@link #MAX_FD}
     * @return the open descriptors in that range, ascending
     * @throws IllegalArgumentException if first &lt; 0 or first &gt; last
     * @throws ErrnoException if the table cannot be read
     */
    public static int[] numbers(int first, int last) throws ErrnoException {
        checkRange(first, last);
        try {
            return FdScan.open(first, last);
        } catch (SyscallException e) {
            throw ErrnoException.of(e);
        }
    }

    /**
     * A snapshot of this process's descriptors with their details.
     *
     * @return every open descriptor with its details
     * @throws ProcUnavailableException if /proc is not mounted here
     * @throws ErrnoException if /proc cannot be read
     */
    public static FdTable list() throws ErrnoException {
        return ProcLister.list(ProcessCalls.getpid());
    }

    /**
     * A snapshot of another process's descriptors.
     *
     * @param pid the process
     * @throws ProcessNotFoundException      if there is no such process
     * @throws ProcessAccessDeniedException  if the caller may not inspect it
     * @return every open descriptor of that process with its details
     * @throws IllegalArgumentException if pid is not a valid process id
     * @throws ErrnoException if /proc cannot be read
     */
    public static FdTable list(long pid) throws ErrnoException {
        if (pid <= 0 || pid > Integer.MAX_VALUE) throw new IllegalArgumentException("pid must be > 0, was " + pid);
        return ProcLister.list(pid);
    }

    /**
     * The close mechanism this JVM uses (see {@link CloseMechanism}).
     *
     * @return the mechanism
     */
    public static CloseMechanism closeMechanism() {
        return CloseMechanism.valueOf(Closer.selected().name());
    }

    /**
     * The mechanism this JVM uses to find its open descriptor numbers (see {@link ListMechanism}).
     *
     * @return the mechanism
     */
    public static ListMechanism listMechanism() {
        return ListMechanism.valueOf(FdScan.selected().name());
    }

    /**
     * Whether this kernel supports CLOSE_RANGE_CLOEXEC (else marking goes one descriptor at a time).
     *
     * @return true if it does
     */
    public static boolean kernelMarksCloseOnExec() {
        return Closer.kernelHasCloexecFlag();
    }

    private static void checkRange(int first, int last) {
        if (first < 0 || first > last) {
            throw new IllegalArgumentException("invalid range: first=" + first + ", last=" + last
                    + " (need 0 <= first <= last)");
        }
    }
}
