package dev.fdkit.spawn;

import org.junit.jupiter.api.Test;

import java.util.List;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * Many live children cost fdkit no thread each: 200 sleeping children started from one thread, each with an
 * onExit callback, live beside at most 2 threads the JVM did not have before (the reaper), while they run and
 * after every exit was reported. The same count for the JDK's ProcessBuilder, a thread per child, shows that the
 * count sees such threads. Each run is a JVM of its own, so no other test's threads count.
 */
class ManyChildrenThreadsTest {
    private static final int CHILDREN = 200;

    private static TestSupport.JvmResult run(String builder) throws Exception {
        TestSupport.JvmResult r = TestSupport.runJvm(List.of("-Djava.util.concurrent.ForkJoinPool.common.parallelism=1"),
                ManyChildrenThreadsMain.class, builder, Integer.toString(CHILDREN));
        assertEquals(0, r.exit(), r.out() + r.err());
        assertEquals(Integer.toString(CHILDREN), r.value("reported"), "every exit is reported: " + r.out());
        assertEquals("0", r.value("alive"), r.out());
        return r;
    }

    @Test
    void fdkitStartsAtMostTwoThreadsForAllItsChildren() throws Exception {
        TestSupport.JvmResult r = run("fdkit");
        assertTrue(count(r, "live") <= 2, "new threads with " + CHILDREN + " live children: " + r.out());
        assertTrue(count(r, "after") <= 2, "new threads once every exit was reported: " + r.out());
    }

    @Test
    void theCountSeesTheJdksThreadPerChild() throws Exception {
        TestSupport.JvmResult r = run("ProcessBuilder");
        assertTrue(count(r, "live") >= CHILDREN, "the JDK waits for each child on a thread: " + r.out());
    }

    private static int count(TestSupport.JvmResult r, String key) {
        return Integer.parseInt(r.value(key).split(" ")[0]);
    }
}
