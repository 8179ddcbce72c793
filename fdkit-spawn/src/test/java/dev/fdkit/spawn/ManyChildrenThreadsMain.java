package dev.fdkit.spawn;

import java.io.File;
import java.lang.ProcessBuilder.Redirect;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;

/**
 * Child JVM of {@link ManyChildrenThreadsTest}: starts N sleeping children from one thread ("fdkit" or the JDK's
 * "ProcessBuilder"), each with an onExit callback, kills them all and waits for every callback; prints how many
 * live threads there are that were not there before the first child ({@code live=} once all children run,
 * {@code after=} once every exit was reported, with their names) and how many exits were reported
 * ({@code reported=}).
 */
public final class ManyChildrenThreadsMain {
    private ManyChildrenThreadsMain() {}

    public static void main(String[] args) throws Exception {
        boolean fdkit = args[0].equals("fdkit");
        int n = Integer.parseInt(args[1]);
        // onExit's dependent actions run in the common pool (for both builders): its one worker
        // (parallelism=1, set by the test) starts before the count.
        CompletableFuture.runAsync(() -> {}).get();
        Set<Thread> before = Thread.getAllStackTraces().keySet();

        List<Process> children = new ArrayList<>();
        CountDownLatch reported = new CountDownLatch(n);
        for (int i = 0; i < n; i++) {
            Process p = fdkit ? start(new FdProcessBuilder("sleep", "600")) : start(new ProcessBuilder("sleep", "600"));
            children.add(p);
            p.onExit().thenRun(reported::countDown);
        }
        Thread.sleep(300); // whatever a builder starts per child has started by now
        List<String> live = newThreads(before);
        for (Process p : children) p.destroyForcibly();
        boolean all = reported.await(60, TimeUnit.SECONDS);
        List<String> after = newThreads(before);
        System.out.println("live=" + live.size() + " " + live.subList(0, Math.min(5, live.size())));
        System.out.println("after=" + after.size() + " " + after.subList(0, Math.min(5, after.size())));
        System.out.println("reported=" + (all ? n : n - reported.getCount()));
        System.out.println("alive=" + children.stream().filter(Process::isAlive).count());
    }

    private static List<String> newThreads(Set<Thread> before) {
        return Thread.getAllStackTraces().keySet().stream().filter(t -> !before.contains(t)).map(Thread::getName)
                .sorted().toList();
    }

    private static Process start(FdProcessBuilder b) throws java.io.IOException {
        return b.redirectInput(new File("/dev/null")).redirectOutput(Redirect.DISCARD).redirectError(Redirect.DISCARD)
                .start();
    }

    private static Process start(ProcessBuilder b) throws java.io.IOException {
        return b.redirectInput(new File("/dev/null")).redirectOutput(Redirect.DISCARD).redirectError(Redirect.DISCARD)
                .start();
    }
}
