package dev.fdkit.junit;

import org.junit.jupiter.api.Test;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * The global switch and the warm-up, each in a fresh JVM that runs fixtures through the launcher as Surefire or
 * Gradle would: {@code fdkit.leakcheck.mode=strict} alone, with no annotation and no autodetection setting, must
 * check every test; and the JDK's first-use descriptors must not be blamed on the first test that uses sockets.
 */
class GlobalSwitchTest {
    /** Runs the fixtures named in {@code args} through the launcher in a fresh JVM; its output. */
    static String runChild(String... args) throws IOException, InterruptedException {
        return runJava(RunFixtures.class.getName(), args);
    }

    /**
     * Runs {@code main}, a class name or a Java source file (run by the source launcher), in a fresh JVM with this
     * one's class path, and checks it exits 0; its output, stdout and stderr merged.
     */
    static String runJava(String main, String... args) throws IOException, InterruptedException {
        List<String> cmd = new ArrayList<>(List.of(ProcessHandle.current().info().command().orElseThrow(),
                "--enable-native-access=ALL-UNNAMED", "-XX:TieredStopAtLevel=1", "-Xshare:auto",
                "-cp", System.getProperty("java.class.path"), main));
        cmd.addAll(List.of(args));
        Process p = new ProcessBuilder(cmd).redirectErrorStream(true).start();
        p.getOutputStream().close();
        String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        assertTrue(p.waitFor(60, TimeUnit.SECONDS), "child JVM hung:\n" + out);
        assertEquals(0, p.exitValue(), out);
        return out;
    }

    @Test
    void theConfigurationParameterAloneChecksUnannotatedTests() throws Exception {
        String out = runChild(Fixtures.Unannotated.class.getName(), "fdkit.leakcheck.mode=strict");
        assertTrue(out.contains("tests 1 failed 1"), out);
        assertTrue(out.contains("FAILURE leaksUnchecked(Path): 5 descriptors leaked by Unannotated.leaksUnchecked()"),
                out);
        assertTrue(out.contains(": file /") && out.contains("/leaked-file.txt"), out);
    }

    @Test
    void withoutTheParameterTheSameTestsPass() throws Exception {
        String out = runChild(Fixtures.Unannotated.class.getName());
        assertTrue(out.contains("tests 1 failed 0"), out);
    }

    @Test
    void anExplicitAutodetectionFalseWinsAndIsWarnedAbout() throws Exception {
        String out = runChild(Fixtures.Unannotated.class.getName(), "fdkit.leakcheck.mode=strict",
                "junit.jupiter.extensions.autodetection.enabled=false");
        assertTrue(out.contains("tests 1 failed 0"), out);
        assertTrue(out.contains("fdkit: fdkit.leakcheck.mode=strict has no effect because "
                + "junit.jupiter.extensions.autodetection.enabled=false"), out);
    }

    @Test
    void warmUpKeepsTheJdksFirstUseDescriptorsOffTheFirstSocketTest() throws Exception {
        String warm = runChild(Fixtures.FirstSocketInTheJvm.class.getName());
        assertTrue(warm.contains("tests 1 failed 0"), warm);
        // Without the warm-up the JDK's own socket, kept from the first socket use on, is blamed on the test.
        String cold = runChild(Fixtures.FirstSocketInTheJvm.class.getName(), "fdkit.leakcheck.warmup=false");
        assertTrue(cold.contains("tests 1 failed 1"), cold);
        assertTrue(cold.contains(": unix unnamed stream CONNECTED"), cold);
    }
}
