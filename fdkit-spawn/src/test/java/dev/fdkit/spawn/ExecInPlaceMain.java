package dev.fdkit.spawn;

import dev.fdkit.internal.FdCalls;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;

/** Run by {@link ExecInPlaceTest} in a JVM of its own: replaces itself, or shows that a failed exec left it whole. */
public final class ExecInPlaceMain {
    public static void main(String[] args) throws Exception {
        System.out.println("jvm-pid=" + ProcessHandle.current().pid());
        switch (args[0]) {
            case "exec" -> {
                int[] pipe = FdCalls.pipe2(FdCalls.O_CLOEXEC, null); // close-on-exec here, passed anyway
                int noCloexec = FdCalls.open("/dev/null", FdCalls.O_RDONLY, 0); // not passed: must not survive
                System.out.println("not-passed=" + noCloexec);
                new FdProcessBuilder("sh", "-c", "echo sh-pid=$$; echo listen-pid=$LISTEN_PID; "
                        + "echo listen-fds=$LISTEN_FDS; echo cwd=$(pwd); ls /proc/self/fd | tr '\\n' ' '; echo; exit 7")
                        .passFd(pipe[1], 6).listenFd(pipe[0], "in").directory(Path.of("/tmp").toFile())
                        .execInPlace();
                System.out.println("unreachable");
            }
            case "missing" -> {
                tryExec(new FdProcessBuilder("/nonexistent/fdkit/prog"));
                stillWhole();
            }
            case "late-failure" -> {
                // Passes every check (exists, executable) but execve fails: its interpreter is missing. The exec
                // thread has already unshared and rearranged its table when that happens.
                Path script = Files.createTempFile("fdkit-badinterp", ".sh");
                Files.writeString(script, "#!/nonexistent/interpreter\n");
                script.toFile().setExecutable(true);
                tryExec(new FdProcessBuilder(script.toString()).directory(Path.of("/").toFile()));
                Files.delete(script);
                stillWhole();
            }
            case "injected" -> {
                // The helper fails at step args[1]: after that the JVM must be as it was. The first failure loads
                // the classes (and opens the jars) a failure needs; the second must change nothing.
                System.setProperty("fdkit.spawn.failAt", args[1]);
                FdProcessBuilder b = new FdProcessBuilder("true").passFd(0, 1).passFd(1, 0).directory(Path.of("/").toFile());
                tryExec(b);
                System.out.println("fds-before=" + java.util.Arrays.toString(dev.fdkit.Fds.numbers()));
                tryExec(b);
                System.clearProperty("fdkit.spawn.failAt");
                System.out.println("fds-after=" + java.util.Arrays.toString(dev.fdkit.Fds.numbers()));
                stillWhole();
            }
            default -> throw new IllegalArgumentException(args[0]);
        }
    }

    private static void tryExec(FdProcessBuilder b) {
        try {
            b.execInPlace();
            System.out.println("unreachable");
        } catch (IOException e) {
            System.out.println("failed=" + e.getMessage());
        }
    }

    /** The JVM's cwd, descriptors and class loading still work, and it can still spawn. */
    private static void stillWhole() throws Exception {
        System.out.println("cwd=" + Path.of("").toAbsolutePath());
        System.out.println("loaded=" + Class.forName("java.util.concurrent.Phaser").getSimpleName());
        Process p = new FdProcessBuilder("echo", "spawned").start();
        System.out.println("child=" + new String(p.getInputStream().readAllBytes()).trim() + " exit=" + p.waitFor());
    }
}
