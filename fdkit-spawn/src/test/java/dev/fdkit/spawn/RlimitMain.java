package dev.fdkit.spawn;

import dev.fdkit.internal.FdCalls;
import dev.fdkit.internal.ProcessCalls;

import java.lang.foreign.Arena;
import java.lang.foreign.FunctionDescriptor;
import java.lang.foreign.Linker;
import java.lang.foreign.MemorySegment;
import java.lang.invoke.MethodHandle;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;

import static java.lang.foreign.ValueLayout.ADDRESS;
import static java.lang.foreign.ValueLayout.JAVA_INT;
import static java.lang.foreign.ValueLayout.JAVA_LONG;

/**
 * Run by {@link RlimitTest} in a JVM of its own: opens a file at descriptor 7000 while the limit allows it, lowers
 * RLIMIT_NOFILE to args[1] (soft) and args[2] (hard), then passes 7000 as child descriptor args[3] by mechanism
 * args[0], and prints what the child saw (its soft limit and descriptors) or the exception.
 */
public final class RlimitMain {
    static final int HIGH = 7000;

    public static void main(String[] args) throws Throwable {
        SpawnMechanism m = SpawnMechanism.valueOf(args[0]);
        long soft = Long.parseLong(args[1]), hard = Long.parseLong(args[2]);
        int childFd = Integer.parseInt(args[3]);
        new FdProcessBuilder("true").mechanism(m).start().waitFor(); // load and reserve while the limit is high
        Path file = Files.createTempFile("fdkit-rlimit", ".txt");
        int fd = FdCalls.open(file.toString(), FdCalls.O_RDONLY | FdCalls.O_CLOEXEC, 0);
        if (FdCalls.dup3(fd, HIGH, FdCalls.O_CLOEXEC) != HIGH) throw new IllegalStateException("dup3 to " + HIGH);
        FdCalls.close(fd);
        setrlimit(soft, hard);
        System.out.println("file=" + file);
        System.out.println("limit=" + ProcessCalls.getrlimitNofile()[0] + "/" + ProcessCalls.getrlimitNofile()[1]);
        try {
            FdProcessBuilder b = new FdProcessBuilder().mechanism(m).passFd(HIGH, childFd)
                    .redirectError(ProcessBuilder.Redirect.DISCARD);
            b.command("sh", "-c", "ulimit -n; exec ls -l /proc/self/fd");
            b.environment().put("LC_ALL", "C");
            Process p = b.start();
            String out = new String(p.getInputStream().readAllBytes());
            System.out.println("exit=" + p.waitFor());
            System.out.println("child-limit=" + out.lines().findFirst().orElse(""));
            Map<Integer, String> fds = TestSupport.parseLsLong(out);
            System.out.println("child-fd=" + fds.get(childFd));
            System.out.println("child-fds=" + fds.keySet());
        } catch (Exception e) {
            System.out.println("exception=" + e.getClass().getName() + ": " + e.getMessage());
        }
        Files.delete(file);
    }

    private static void setrlimit(long soft, long hard) throws Throwable {
        MethodHandle setrlimit = Linker.nativeLinker().downcallHandle(
                Linker.nativeLinker().defaultLookup().findOrThrow("setrlimit"),
                FunctionDescriptor.of(JAVA_INT, JAVA_INT, ADDRESS));
        try (Arena a = Arena.ofConfined()) {
            MemorySegment lim = a.allocate(JAVA_LONG, 2);
            lim.setAtIndex(JAVA_LONG, 0, soft);
            lim.setAtIndex(JAVA_LONG, 1, hard);
            if ((int) setrlimit.invokeExact(7 /* RLIMIT_NOFILE */, lim) != 0) throw new IllegalStateException("setrlimit");
        }
    }
}
