package dev.fdkit.bench;

import com.zaxxer.nuprocess.NuAbstractProcessHandler;
import com.zaxxer.nuprocess.NuProcess;
import com.zaxxer.nuprocess.NuProcessBuilder;

import java.io.IOException;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;

/**
 * A way to start /bin/true and wait for it: each fdkit spawn mechanism, forced, against ProcessBuilder and
 * NuProcess. stdio is inherited wherever the API allows, so no pipes are made (NuProcess always makes its own).
 */
public record SpawnMethod(String id, String label, Spawner spawner) {
    /** The program every method starts. */
    public static final String PROGRAM = "/bin/true";

    /** Starts {@link #PROGRAM}, waits for it and returns its exit status. */
    @FunctionalInterface
    public interface Spawner {
        int spawnAndWait() throws IOException, InterruptedException;
    }

    /** Starts the program, waits, and fails unless it exited 0. */
    public void run() throws IOException, InterruptedException {
        int status = spawner.spawnAndWait();
        if (status != 0) throw new IOException(label + ": " + PROGRAM + " exited with status " + status);
    }

    /** ProcessBuilder with inherited stdio. */
    public static final SpawnMethod PROCESS_BUILDER = new SpawnMethod("ProcessBuilder", "ProcessBuilder",
            () -> new ProcessBuilder(PROGRAM).inheritIO().start().waitFor());

    /** NuProcess 3.0.0 (its own pipes and epoll thread, as it always has). */
    public static final SpawnMethod NUPROCESS = new SpawnMethod("NuProcess", "NuProcess 3.0.0", SpawnMethod::nuProcess);

    private static int nuProcess() throws InterruptedException, IOException {
        NuProcessBuilder b = new NuProcessBuilder(List.of(PROGRAM));
        b.setProcessListener(new NuAbstractProcessHandler() {});
        NuProcess p = b.start();
        if (p == null) throw new IOException("NuProcess could not start " + PROGRAM);
        return p.waitFor(0, TimeUnit.SECONDS); // 0: no timeout
    }

    /**
     * The method with this id: "clone" or "posix-spawn" (fdkit, as in {@code fdkit.spawn.mechanism}),
     * "posix-spawn-ffm" (fdkit's posix-spawn bound through FFM), "ProcessBuilder" or "NuProcess".
     */
    public static SpawnMethod byId(String id) {
        if (id.equals(PROCESS_BUILDER.id)) return PROCESS_BUILDER;
        if (id.equals(NUPROCESS.id)) return NUPROCESS;
        return FdkitSpawn.byId(id);
    }

    /** The methods that work on this JVM and machine; each one that does not gets a note saying why. */
    public static List<SpawnMethod> available(List<String> notes) {
        List<SpawnMethod> out = new ArrayList<>(FdkitSpawn.methods(notes));
        out.add(PROCESS_BUILDER);
        try {
            NUPROCESS.run();
            out.add(NUPROCESS);
        } catch (IOException | RuntimeException | LinkageError e) {
            notes.add("NuProcess 3.0.0 does not run here (" + e + "): " + NUPROCESS.label() + " skipped");
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
        return out;
    }
}
