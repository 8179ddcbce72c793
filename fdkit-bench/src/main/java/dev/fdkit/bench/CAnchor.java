package dev.fdkit.bench;

import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.io.OutputStreamWriter;
import java.io.Writer;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.ScheduledFuture;
import java.util.concurrent.TimeUnit;

/**
 * The C anchor (src/main/c/anchor.c, shipped in this jar) as a child process that serves timing blocks: one request
 * line, one answer line of nanosecond times. It runs as its own process, not loaded into this JVM with FFM, because
 * what it anchors is the work done by a plain single-threaded C program: inside the JVM its calls would share a
 * table with a dozen threads (poll(2) and fcntl(2) then take a reference on every file they look at) and the JVM's
 * own descriptors. The in-JVM anchors are the bare FFM downcall rows (close) and {@link InJvmAnchor}, the same
 * spawn floors loaded into this JVM.
 */
final class CAnchor implements AutoCloseable {
    private static final String PROGRAM = "fdkit-anchor";
    /** A block that has not answered after this long is taken as hung: the anchor is killed and the bench fails. */
    private static final long BLOCK_TIMEOUT_SECONDS = 300;

    private final Process process;
    private final Writer requests;
    private final BufferedReader answers;
    private final ScheduledExecutorService watchdog = Executors.newSingleThreadScheduledExecutor(r -> {
        Thread t = new Thread(r, "fdkit-anchor-watchdog");
        t.setDaemon(true);
        return t;
    });

    private CAnchor(Process process) {
        this.process = process;
        this.requests = new OutputStreamWriter(process.getOutputStream(), StandardCharsets.US_ASCII);
        this.answers = new BufferedReader(new InputStreamReader(process.getInputStream(), StandardCharsets.US_ASCII));
    }

    /** Whether this jar carries the anchor for this machine's architecture. */
    static boolean shipped() {
        return ShippedNative.shipped(PROGRAM);
    }

    /**
     * Copies the anchor out of the jar into a private temporary file, starts it (stderr inherited) and deletes the
     * file again: the running process keeps its image.
     */
    static CAnchor start() throws IOException {
        Path file = ShippedNative.copyOut(PROGRAM);
        try {
            return new CAnchor(new ProcessBuilder(file.toString()).redirectError(ProcessBuilder.Redirect.INHERIT).start());
        } finally {
            Files.deleteIfExists(file);
        }
    }

    /** The anchor process's pid: tests look at what it has left open or unreaped. */
    long pid() {
        return process.pid();
    }

    /** Sends one request and returns the times it answered, in nanoseconds. */
    long[] block(String request) throws IOException {
        requests.write(request + "\n");
        requests.flush();
        ScheduledFuture<?> kill = watchdog.schedule(process::destroyForcibly, BLOCK_TIMEOUT_SECONDS, TimeUnit.SECONDS);
        String answer;
        try {
            answer = answers.readLine(); // null once the process is gone, killed by the watchdog or not
        } finally {
            kill.cancel(false);
        }
        if (answer == null) {
            throw new IOException("the C anchor exited (status " + exitStatus() + ", killed after "
                    + BLOCK_TIMEOUT_SECONDS + " s without an answer if 137) on '" + request + "'");
        }
        if (!answer.startsWith("ok")) throw new IOException("the C anchor, on '" + request + "': " + answer);
        String rest = answer.substring(2).strip();
        return rest.isEmpty() ? new long[0] : Arrays.stream(rest.split(" ")).mapToLong(Long::parseLong).toArray();
    }

    private String exitStatus() {
        try {
            return process.waitFor(5, TimeUnit.SECONDS) ? Integer.toString(process.exitValue()) : "still running";
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            return "unknown";
        }
    }

    /** Closes its stdin, which ends it, and reaps it (killed if it does not end within 10 s). */
    @Override
    public void close() throws IOException {
        try {
            requests.close();
            if (!process.waitFor(10, TimeUnit.SECONDS)) {
                process.destroyForcibly();
                process.waitFor();
            }
        } catch (InterruptedException e) {
            process.destroyForcibly();
            Thread.currentThread().interrupt();
        } finally {
            watchdog.shutdownNow();
            answers.close();
        }
    }
}
