package dev.fdkit.spawn.internal;

import org.junit.jupiter.api.Test;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * The audit boundary of the helper is a file boundary: child_side.c (the code between clone and exec), compiled
 * alone as the build compiles it, references no outside symbol (no libc call, no errno, no stack protector); and
 * the whole library needs no glibc symbol version newer than 2.17, so it loads on old glibc (and on musl, which
 * ignores versions).
 */
class ChildSideAuditTest {
    private static final Path SOURCES = Path.of("src/main/c");

    @Test
    void childSideReferencesNoOutsideSymbol() throws Exception {
        Path obj = Files.createTempFile("fdkit-child-side", ".o");
        try {
            for (String opt : List.of("-O2", "-O0")) {
                run("gcc", "-std=gnu11", opt, "-fPIC", "-fno-stack-protector", "-c",
                        SOURCES.resolve("child_side.c").toString(), "-o", obj.toString());
                assertEquals("", run("nm", "-u", obj.toString()).trim(), "child_side.c " + opt + " calls out");
            }
        } finally {
            Files.delete(obj);
        }
    }

    @Test
    void libraryNeedsNoRecentGlibc() throws Exception {
        Path lib = Path.of("target/classes/dev/fdkit/spawn/native/linux-" + System.getProperty("os.arch"),
                "libfdkitspawn.so");
        assertTrue(Files.isRegularFile(lib), lib + " is built");
        String symbols = run("objdump", "-T", lib.toString());
        List<String> tooNew = new ArrayList<>();
        Matcher m = Pattern.compile("GLIBC_2\\.(\\d+)\\)?\\s+(\\S+)").matcher(symbols);
        while (m.find()) if (Integer.parseInt(m.group(1)) > 17) tooNew.add(m.group(2) + "@GLIBC_2." + m.group(1));
        assertEquals(List.of(), tooNew, symbols);
    }

    private static String run(String... cmd) throws Exception {
        Process p = new ProcessBuilder(cmd).redirectErrorStream(true).start();
        String out = new String(p.getInputStream().readAllBytes());
        assertTrue(p.waitFor(60, TimeUnit.SECONDS), String.join(" ", cmd));
        assertEquals(0, p.exitValue(), String.join(" ", cmd) + ": " + out);
        return out;
    }
}
