package dev.fdkit;

import dev.fdkit.internal.FdCalls;

import java.util.Arrays;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.atomic.AtomicReference;

/** Destructive scenarios, each run by {@link ChildJvmTest} in a JVM of its own. Prints "key=value" lines. */
public final class ChildScenarios {
    public static void main(String[] args) throws Exception {
        switch (args[0]) {
            case "closefrom" -> closeFrom();
            case "except" -> closeFromExcept(Integer.parseInt(args[1]), Arrays.stream(args, 2, args.length)
                    .mapToInt(a -> a.equals("MAX") ? Fds.MAX_FD : Integer.parseInt(a)).toArray());
            case "unshare" -> unshare();
            case "refused" -> refused();
            case "invalid" -> invalidTwice();
            default -> throw new IllegalArgumentException(args[0]);
        }
    }

    /**
     * closeFrom(3) in a whole JVM, with the mechanisms chosen by the system properties. Once the JVM's own
     * descriptors are closed, the next file opened takes their numbers and HotSpot would read classes from it:
     * so every path used after the close runs once before it, and no class loads afterwards.
     */
    static void closeFrom() throws Exception {
        for (int i = 0; i < 200; i++) FdCalls.open("/dev/null", FdCalls.O_RDONLY, 0); // not close-on-exec, like leaks
        Fds.closeRange(Fds.MAX_FD, Fds.MAX_FD); // warm-up: the close path, with nothing to close
        write(("warm=" + Arrays.toString(Fds.numbers(0, 2)) + "\n").getBytes());
        StringBuilder out = new StringBuilder();
        out.append("mechanism=").append(Fds.closeMechanism().propertyValue()).append('\n');
        out.append("list=").append(Fds.listMechanism().propertyValue()).append('\n');
        out.append("before=").append(Fds.numbers().length).append('\n');
        byte[] head = out.toString().getBytes();
        Fds.closeFrom(3);
        int[] left = Fds.numbers();
        byte[] tail = ("after=" + Arrays.toString(left) + "\n").getBytes();
        // The JVM's own descriptors are gone: write with the raw fd 1 and leave without shutdown hooks.
        write(head);
        write(tail);
        Runtime.getRuntime().halt(0);
    }

    /** closeFromExcept(first, keep...) on the whole JVM; fd 1 must be kept to report. */
    static void closeFromExcept(int first, int[] keep) throws Exception {
        int extra = FdCalls.open("/dev/null", FdCalls.O_RDONLY, 0);
        FdCalls.dup2(extra, 5000); // a kept number far up, when the keep list names it
        Fds.closeFromExcept(Fds.MAX_FD, Fds.MAX_FD); // warm-up, closes nothing
        write(("warm=" + Arrays.toString(Fds.numbers(0, 2)) + "\n").getBytes());
        Fds.closeFromExcept(first, keep);
        write(("after=" + Arrays.toString(Fds.numbers()) + "\n").getBytes());
        Runtime.getRuntime().halt(0);
    }

    /** A close the selected mechanism refuses (brute force above fdkit.brute.max): what the caller is thrown. */
    static void refused() {
        try {
            Fds.closeFrom(1 << 20); // nothing is open up there: only the refusal can happen
            System.out.println("closed");
        } catch (ErrnoException e) {
            System.out.println("type=" + e.getClass().getName());
            System.out.println("errno=" + e.errnoName());
            System.out.println("message=" + e.getMessage());
        }
    }

    /** Two closes under a setting that is not accepted: each use says why, not only the first. */
    static void invalidTwice() throws ErrnoException {
        for (String use : new String[] {"first", "second"}) {
            try {
                Fds.closeFrom(1 << 20);
                System.out.println(use + "=closed");
            } catch (IllegalArgumentException e) {
                System.out.println(use + "=" + e.getMessage());
            }
        }
    }

    private static void write(byte[] b) {
        try (var arena = java.lang.foreign.Arena.ofConfined()) {
            var seg = arena.allocate(b.length);
            seg.copyFrom(java.lang.foreign.MemorySegment.ofArray(b));
            FdCalls.write(1, seg, b.length);
        }
    }

    /**
     * A thread closes fd H with CLOSE_RANGE_UNSHARE: it gets its own table, so H stays open for the other threads,
     * and a descriptor the main thread opens afterwards is invisible to it.
     */
    static void unshare() throws Exception {
        int h = 5000;
        int tmp = FdCalls.open("/dev/null", FdCalls.O_RDONLY | FdCalls.O_CLOEXEC, 0);
        FdCalls.dup2(tmp, h);
        FdCalls.close(tmp);
        CountDownLatch unshared = new CountDownLatch(1), opened = new CountDownLatch(1);
        AtomicReference<String> report = new AtomicReference<>("");
        int[] later = new int[1];
        Thread t = Thread.ofPlatform().start(() -> {
            try {
                Fds.closeRange(h, h, CloseRangeFlag.UNSHARE);
                String r = "thread_sees_h_after=" + Fds.isOpen(h) + "\n";
                unshared.countDown();
                opened.await();
                r += "thread_sees_new=" + Fds.isOpen(later[0]) + "\n";
                report.set(r);
            } catch (Exception e) {
                report.set("error=" + e + "\n");
                unshared.countDown();
            }
        });
        unshared.await();
        System.out.print("main_sees_h_after=" + Fds.isOpen(h) + "\n");
        later[0] = 6000;
        int n = FdCalls.open("/dev/null", FdCalls.O_RDONLY | FdCalls.O_CLOEXEC, 0);
        FdCalls.dup2(n, later[0]);
        FdCalls.close(n);
        System.out.print("main_sees_new=" + Fds.isOpen(later[0]) + "\n");
        opened.countDown();
        t.join();
        System.out.print(report.get());
        System.out.flush();
    }
}
