package dev.fdkit;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

import java.util.List;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** Scenarios that close the JVM's own descriptors, each in a JVM of its own. */
class ChildJvmTest {
    @ParameterizedTest
    @CsvSource({"close-range,poll", "proc,fcntl", "brute,proc", "auto,auto"})
    void closeFromThreeLeavesOnlyStdio(String close, String list) throws Exception {
        var r = ChildJvm.run(List.of("-Dfdkit.close.mechanism=" + close, "-Dfdkit.list.mechanism=" + list),
                ChildScenarios.class, "closefrom");
        assertEquals(0, r.exit(), r.err());
        List<String> lines = r.lines();
        if (!close.equals("auto")) assertTrue(lines.contains("mechanism=" + close), r.out());
        if (!list.equals("auto")) assertTrue(lines.contains("list=" + list), r.out());
        int before = Integer.parseInt(lines.stream().filter(l -> l.startsWith("before=")).findFirst().orElseThrow()
                .substring(7));
        assertTrue(before > 200, "the JVM held its own descriptors and our 200: " + before);
        assertTrue(lines.contains("after=[0, 1, 2]"), r.out() + r.err());
    }

    @ParameterizedTest
    @CsvSource(delimiter = ';', value = {
            "close-range; 0 0 1 2; after=[0, 1, 2]",
            "proc; 0 0 1 2 MAX; after=[0, 1, 2]",
            "brute; 0 1; after=[1]",
            "close-range; 0 1 5000; after=[1, 5000]",
            "proc; 2 1 2 5000 MAX; after=[0, 1, 2, 5000]",
            "brute; 1 1 1 5000 0; after=[0, 1, 5000]"})
    void keepListsAtTheEdges(String mechanism, String args, String expected) throws Exception {
        List<String> argv = new java.util.ArrayList<>(List.of("except"));
        argv.addAll(List.of(args.split(" ")));
        var r = ChildJvm.run(List.of("-Dfdkit.close.mechanism=" + mechanism), ChildScenarios.class,
                argv.toArray(String[]::new));
        assertEquals(0, r.exit(), r.err());
        assertTrue(r.lines().contains(expected), r.out() + r.err());
    }

    @Test
    void autoPicksCloseRangeOnThisKernel() throws Exception {
        var r = ChildJvm.run(List.of(), ChildScenarios.class, "closefrom");
        assertTrue(r.lines().contains("mechanism=close-range"), r.out() + r.err());
    }

    @Test
    void unknownMechanismIsAClearError() throws Exception {
        var r = ChildJvm.run(List.of("-Dfdkit.close.mechanism=fast"), ChildScenarios.class, "closefrom");
        assertTrue(r.exit() != 0);
        assertTrue(r.err().contains("fdkit.close.mechanism=fast is not one of auto, close-range, proc, brute"), r.err());
    }

    @Test
    void anUnknownMechanismIsRefusedAtEveryUse() throws Exception {
        var r = ChildJvm.run(List.of("-Dfdkit.close.mechanism=fast"), ChildScenarios.class, "invalid");
        assertEquals(0, r.exit(), r.err());
        String refusal = "fdkit.close.mechanism=fast is not one of auto, close-range, proc, brute";
        assertEquals(List.of("first=" + refusal, "second=" + refusal), r.lines(), r.out());
    }

    @Test
    void aRefusedCloseIsThePublicErrnoException() throws Exception {
        var r = ChildJvm.run(List.of("-Dfdkit.close.mechanism=brute", "-Dfdkit.brute.max=10"), ChildScenarios.class,
                "refused");
        assertEquals(0, r.exit(), r.err());
        List<String> lines = r.lines();
        assertTrue(lines.contains("type=dev.fdkit.ErrnoException"), r.out());
        assertTrue(lines.contains("errno=EMFILE"), r.out());
        assertTrue(lines.stream().anyMatch(l -> l.startsWith("message=brute-force close of descriptors 1048576..")
                && l.endsWith("above the cap of 10 (fdkit.brute.max); raise the cap: EMFILE (Too many open files)")),
                r.out());
    }

    @Test
    void unshareSplitsOnlyTheCallingThread() throws Exception {
        var r = ChildJvm.run(List.of(), ChildScenarios.class, "unshare");
        assertEquals(0, r.exit(), r.err());
        List<String> lines = r.lines();
        assertTrue(lines.contains("thread_sees_h_after=false"), r.out());
        assertTrue(lines.contains("main_sees_h_after=true"), r.out());
        assertTrue(lines.contains("main_sees_new=true"), r.out());
        assertTrue(lines.contains("thread_sees_new=false"), r.out());
    }
}
