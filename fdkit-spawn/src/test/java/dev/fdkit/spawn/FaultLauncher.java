package dev.fdkit.spawn;

import org.junit.jupiter.api.Assumptions;

import java.io.File;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.concurrent.TimeUnit;

/**
 * The project's one fault launcher, {@code tools/faultrun/faultrun.c} (seccomp refusals, rlimits, no /proc, a noexec
 * tmpfs; see its header), compiled with gcc into the running module's target/ when missing or older than its
 * source. Shared through this module's test jar by every module whose tests need a hostile condition made for real;
 * a test skips, saying why, where gcc is missing.
 */
public final class FaultLauncher {
    private FaultLauncher() {}

    /** The launcher's exit when the condition cannot be made on this machine (no privilege, unknown call). */
    public static final int SKIP = 77;
    private static Path built;

    /** Skips the calling test, quoting the launcher, where a run exited {@link #SKIP}. */
    public static void assumeConditionMade(int exit, String stderr) {
        Assumptions.assumeTrue(exit != SKIP, () -> "skipped: condition not available here: " + stderr.strip());
    }

    /** The compiled launcher. Tests run in their module's directory, one below the project's root. */
    public static synchronized Path path() throws IOException, InterruptedException {
        if (built != null) return built;
        Path source = Path.of("..", "tools", "faultrun", "faultrun.c").toAbsolutePath().normalize();
        Path out = Path.of("target", "faultrun").toAbsolutePath();
        if (!Files.exists(out) || Files.getLastModifiedTime(out).compareTo(Files.getLastModifiedTime(source)) < 0) {
            Process gcc;
            try {
                gcc = new ProcessBuilder("gcc", "-O2", "-Wall", "-Werror", "-o", out.toString(), source.toString())
                        .redirectErrorStream(true).redirectInput(new File("/dev/null")).start();
            } catch (IOException notInstalled) {
                Assumptions.abort("skipped: gcc is not installed, so the fault launcher cannot be built: " + notInstalled);
                throw notInstalled;
            }
            String log = new String(gcc.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
            if (!gcc.waitFor(60, TimeUnit.SECONDS) || gcc.exitValue() != 0) {
                throw new IOException("gcc could not build the fault launcher " + source + ":\n" + log);
            }
        }
        return built = out;
    }
}
