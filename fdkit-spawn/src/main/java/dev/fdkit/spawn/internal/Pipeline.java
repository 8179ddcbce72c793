package dev.fdkit.spawn.internal;

import dev.fdkit.ErrnoException;
import dev.fdkit.internal.FdCalls;

import java.io.IOException;
import java.lang.ProcessBuilder.Redirect;
import java.util.ArrayList;
import java.util.List;

/**
 * Children linked stdout to stdin, as {@code ProcessBuilder.startPipeline}: each stage is checked and started in
 * turn, the parent keeps no end of the pipes between stages (a stage whose reader exits gets SIGPIPE), and when a
 * stage fails the stages already started are killed and waited for before the failure is thrown.
 */
public final class Pipeline {
    private Pipeline() {}

    /** One builder of a pipeline. */
    public interface Stage {
        Redirect redirectInput();

        Redirect redirectOutput();

        /** The stage's request with child stdin and stdout taken from these parent descriptors (-1: its own). */
        SpawnRequest request(int stdinFd, int stdoutFd);
    }

    public static List<Process> start(List<? extends Stage> stages) throws IOException {
        int n = stages.size();
        List<Process> started = new ArrayList<>(n);
        int previousRead = -1; // the read end of the pipe out of the last stage started
        int[] pipe = null;
        try {
            for (int i = 0; i < n; i++) {
                Stage stage = stages.get(i);
                if (i > 0 && stage.redirectInput() != Redirect.PIPE) {
                    throw new IllegalArgumentException("builder redirectInput() must be PIPE except for the first "
                            + "builder: " + stage.redirectInput());
                }
                if (i < n - 1) {
                    if (stage.redirectOutput() != Redirect.PIPE) {
                        throw new IllegalArgumentException("builder redirectOutput() must be PIPE except for the "
                                + "last builder: " + stage.redirectOutput());
                    }
                    int[] err = new int[1];
                    pipe = FdCalls.pipe2(FdCalls.O_CLOEXEC, err);
                    if (pipe == null) throw new ErrnoException("pipe2 between pipeline stages", err[0]);
                }
                started.add(Spawner.start(stage.request(previousRead, pipe == null ? -1 : pipe[1])));
                // The children hold their ends now; the parent keeps only the read end for the next stage.
                previousRead = closeAndForget(previousRead);
                if (pipe != null) {
                    FdCalls.close(pipe[1]);
                    previousRead = pipe[0];
                    pipe = null;
                }
            }
            return started;
        } catch (IOException | RuntimeException | Error e) {
            closeAndForget(previousRead);
            if (pipe != null) {
                FdCalls.close(pipe[0]);
                FdCalls.close(pipe[1]);
            }
            for (Process p : started) p.destroyForcibly();
            for (Process p : started) {
                try {
                    p.waitFor();
                } catch (InterruptedException ie) { // keep the flag, go on with the next one, as the JDK does
                    Thread.currentThread().interrupt();
                }
            }
            throw e;
        }
    }

    private static int closeAndForget(int fd) {
        if (fd >= 0) FdCalls.close(fd);
        return -1;
    }
}
