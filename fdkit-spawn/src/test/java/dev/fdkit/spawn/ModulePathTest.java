package dev.fdkit.spawn;

import dev.fdkit.Fds;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.ByteArrayOutputStream;
import java.io.File;
import java.io.PrintWriter;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.spi.ToolProvider;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * fdkit as a modular application sees it: a tiny application whose module-info {@code requires dev.fdkit.spawn}
 * (and through it dev.fdkit.core), compiled and run on the module path. With the native-access flag the README
 * gives it spawns a child and lists its descriptors; where the JVM denies native access it fails with one sentence
 * that names the flag, not with an ExceptionInInitializerError.
 */
class ModulePathTest {
    private static final String APP = "fdkit.modulepath.app";

    @TempDir
    static Path dir;
    private static String modulePath;

    @BeforeAll
    static void buildTheApplication() throws Exception {
        Path src = dir.resolve("src"), out = dir.resolve("out");
        Files.createDirectories(src.resolve("app"));
        Files.writeString(src.resolve("module-info.java"), "module " + APP + " { requires dev.fdkit.spawn; }\n");
        Files.writeString(src.resolve("app/Main.java"), """
                package app;

                public class Main {
                    public static void main(String[] args) throws Exception {
                        System.out.println("descriptors: " + dev.fdkit.Fds.list().size());
                        Process p = new dev.fdkit.spawn.FdProcessBuilder("echo", "hello from the child").start();
                        String said = new String(p.getInputStream().readAllBytes()).trim();
                        System.out.println("child said: " + said + "; exit " + p.waitFor());
                    }
                }
                """);
        modulePath = location(Fds.class) + File.pathSeparator + location(FdProcessBuilder.class);
        ByteArrayOutputStream diagnostics = new ByteArrayOutputStream();
        PrintWriter w = new PrintWriter(diagnostics, true, StandardCharsets.UTF_8);
        int r = ToolProvider.findFirst("javac").orElseThrow().run(w, w, "-d", out.toString(),
                "--module-path", modulePath, src.resolve("module-info.java").toString(),
                src.resolve("app/Main.java").toString());
        assertEquals(0, r, diagnostics.toString(StandardCharsets.UTF_8));
        modulePath = out + File.pathSeparator + modulePath;
    }

    /** Where a module's classes were loaded from: its jar or its classes directory, fit for --module-path. */
    private static String location(Class<?> c) throws Exception {
        return Path.of(c.getProtectionDomain().getCodeSource().getLocation().toURI()).toString();
    }

    private static TestSupport.JvmResult java(String... flags) throws Exception {
        List<String> cmd = new ArrayList<>(List.of(ProcessHandle.current().info().command().orElseThrow()));
        cmd.addAll(List.of(flags));
        cmd.addAll(List.of("--module-path", modulePath, "-m", APP + "/app.Main"));
        return TestSupport.runCommand(cmd);
    }

    /** The same application on the class path, where its module-info does not count. */
    private static TestSupport.JvmResult javaOnTheClassPath(String... flags) throws Exception {
        List<String> cmd = new ArrayList<>(List.of(ProcessHandle.current().info().command().orElseThrow()));
        cmd.addAll(List.of(flags));
        cmd.addAll(List.of("-cp", modulePath, "app.Main"));
        return TestSupport.runCommand(cmd);
    }

    @Test
    void runsOnTheModulePathWithNativeAccessForFdkitsModules() throws Exception {
        var r = java("--enable-native-access=dev.fdkit.core,dev.fdkit.spawn", "--illegal-native-access=deny");
        assertEquals(0, r.exit(), r.out() + r.err());
        assertTrue(r.out().contains("child said: hello from the child; exit 0"), r.out());
        assertTrue(r.out().matches("(?s)descriptors: [1-9][0-9]*\n.*"), r.out());
        assertFalse(r.err().contains("WARNING"), "no native-access warning with the flag: " + r.err());
    }

    @Test
    void deniedNativeAccessIsOneSentenceNamingTheFlag() throws Exception {
        var r = java("--illegal-native-access=deny");
        assertNotEquals(0, r.exit(), r.out());
        String first = r.err().lines().findFirst().orElse("");
        assertEquals("Exception in thread \"main\" java.lang.IllegalAccessError: fdkit calls the C library through "
                + "the FFM API, which this JVM denies to module dev.fdkit.core: add "
                + "--enable-native-access=dev.fdkit.core,dev.fdkit.spawn to the java command line", first, r.err());
        assertFalse(r.err().contains("ExceptionInInitializerError"), r.err());
    }

    @Test
    void deniedOnTheClassPathNamesAllUnnamed() throws Exception {
        var r = javaOnTheClassPath("--illegal-native-access=deny");
        assertNotEquals(0, r.exit(), r.out());
        assertEquals("Exception in thread \"main\" java.lang.IllegalAccessError: fdkit calls the C library through "
                + "the FFM API, which this JVM denies to code on the class path: add "
                + "--enable-native-access=ALL-UNNAMED to the java command line",
                r.err().lines().findFirst().orElse(""), r.err());
    }

    @Test
    void deniedForTheSpawnModuleAloneSaysSo() throws Exception {
        var r = java("--enable-native-access=dev.fdkit.core", "--illegal-native-access=deny");
        assertNotEquals(0, r.exit(), r.out());
        assertTrue(r.err().startsWith("Exception in thread \"main\" java.lang.IllegalAccessError: fdkit calls the C "
                + "library through the FFM API, which this JVM denies to module dev.fdkit.spawn: add "
                + "--enable-native-access=dev.fdkit.core,dev.fdkit.spawn"), r.err());
    }
}
