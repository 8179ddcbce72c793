package dev.fdkit.faults;

import dev.fdkit.Fds;
import dev.fdkit.internal.CloseStrategy;
import dev.fdkit.internal.Closer;
import dev.fdkit.internal.FdCalls;
import dev.fdkit.internal.ProcessCalls;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;

/** fdkit-core under a fault, in a child JVM started by {@link Faultrun}. Prints "key=value" lines. */
public final class CoreScenarios {
    public static void main(String[] args) throws Exception {
        System.out.println("mechanism=" + Fds.closeMechanism().propertyValue());
        System.out.println("list=" + Fds.listMechanism().propertyValue());
        switch (args[0]) {
            case "closefrom" -> closeFrom(Integer.parseInt(args[1]),
                    Arrays.stream(args, 2, args.length).mapToInt(Integer::parseInt).toArray());
            case "scan" -> scan(Integer.parseInt(args[1]));
            case "full-table" -> fullTable();
            case "refused" -> refused();
            default -> throw new IllegalArgumentException(args[0]);
        }
        System.out.flush();
    }

    /** closeFrom(first); then which of {@code known} fcntl still finds open. */
    static void closeFrom(int first, int[] known) throws Exception {
        Fds.closeFrom(first);
        List<Integer> left = new ArrayList<>();
        for (int fd : known) if (FdCalls.fcntl(fd, FdCalls.F_GETFD, 0) >= 0) left.add(fd);
        System.out.println("left=" + left);
    }

    /** A close the kernel refuses: what the caller is thrown. Nothing is open up there, so only a refusal shows. */
    static void refused() {
        try {
            Fds.closeFrom(1 << 20);
            System.out.println("closed=true");
        } catch (dev.fdkit.ErrnoException e) {
            System.out.println("type=" + e.getClass().getName());
            System.out.println("message=" + e.getMessage());
        }
    }

    /** What the scans say about {@code high}, a descriptor opened before the limits were lowered. */
    static void scan(int high) throws Exception {
        System.out.println("numbers_has=" + (Arrays.binarySearch(Fds.numbers(), high) >= 0));
        System.out.println("highest=" + Fds.highestOpen().orElse(-1));
        System.out.println("next=" + Fds.nextOpen(100).orElse(-1));
    }

    /**
     * Fills the table up to the soft limit, then lists it and closes its top 32 slots. Every class the calls need
     * is loaded first: on a full table the JVM cannot open a class file either.
     */
    static void fullTable() throws Exception {
        int soft = (int) ProcessCalls.getrlimitNofile()[0];
        int first = soft - 32;
        Fds.numbers();
        Fds.closeFrom(soft + 100); // nothing there: loads the close path
        Closer.closeRange(CloseStrategy.BRUTE, soft + 100, soft + 100, 0);
        String error = "none";
        int opened = 0;
        while (FdCalls.open("/dev/null", FdCalls.O_RDONLY, 0) >= 0) opened++;
        int open = 0, below = 0;
        for (int fd = 0; fd < soft; fd++) if (FdCalls.fcntl(fd, FdCalls.F_GETFD, 0) >= 0) open++;
        int listed = -1;
        try {
            listed = Fds.numbers().length;
            Fds.closeFrom(first);
        } catch (Exception e) {
            error = e.toString();
        }
        int left = 0;
        for (int fd = first; fd < soft; fd++) if (FdCalls.fcntl(fd, FdCalls.F_GETFD, 0) >= 0) left++;
        for (int fd = 0; fd < first; fd++) if (FdCalls.fcntl(fd, FdCalls.F_GETFD, 0) >= 0) below++;
        System.out.println("opened=" + opened);
        System.out.println("listed_all=" + (listed == open));
        System.out.println("error=" + error);
        System.out.println("left=" + left);
        System.out.println("below_kept=" + (below == open - 32));
    }
}
