package dev.fdkit.spawn;

import dev.fdkit.Fds;
import dev.fdkit.internal.FdCalls;
import dev.fdkit.testing.ChildProcess;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.DirectoryStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;
import java.util.TreeSet;
import java.util.concurrent.TimeUnit;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** Real descriptors, real children: helpers shared by the spawn tests. */
final class TestSupport {
    private TestSupport() {}

    /** Opens /dev/null {@code n} times WITHOUT close-on-exec: the worst case for a spawner. */
    static int[] openDevNull(int n) {
        int[] fds = new int[n];
        for (int i = 0; i < n; i++) {
            fds[i] = FdCalls.open("/dev/null", FdCalls.O_RDONLY, 0);
            if (fds[i] < 0) {
                closeAll(java.util.Arrays.copyOf(fds, i));
                throw new IllegalStateException("open /dev/null #" + i + ": errno " + -fds[i]);
            }
        }
        return fds;
    }

    static void closeAll(int[] fds) {
        for (int fd : fds) FdCalls.close(fd);
    }

    /** A pipe of this test's own: {read, write}, close-on-exec. */
    static int[] pipe() {
        int[] p = FdCalls.pipe2(FdCalls.O_CLOEXEC, null);
        if (p == null) throw new IllegalStateException("pipe2 failed");
        return p;
    }

    /** What /proc says descriptor {@code fd} of this process is ("pipe:[123]", "/dev/null"...). */
    static String target(int fd) throws IOException {
        return Files.readSymbolicLink(Path.of("/proc/self/fd/" + fd)).toString();
    }

    /**
     * Runs {@code ls -l /proc/self/fd} with the builder's descriptors and returns number -> target as the child
     * saw them. stdout must be left as a pipe.
     */
    static Map<Integer, String> childFdTargets(FdProcessBuilder b) throws Exception {
        b.command("ls", "-l", "/proc/self/fd");
        b.environment().put("LC_ALL", "C");
        Process p = b.start();
        String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        String err = new String(p.getErrorStream().readAllBytes(), StandardCharsets.UTF_8);
        assertTrue(p.waitFor(30, TimeUnit.SECONDS), "ls did not finish");
        assertEquals(0, p.exitValue(), "ls failed: " + err);
        return parseLsLong(out);
    }

    /** "lr-x------ 1 root root 64 Nov 23 08:23 7 -> /dev/null" lines into 7 -> "/dev/null". */
    static Map<Integer, String> parseLsLong(String out) {
        Map<Integer, String> m = new TreeMap<>();
        for (String line : out.split("\n")) {
            int arrow = line.indexOf(" -> ");
            if (arrow < 0) continue;
            String before = line.substring(0, arrow).trim();
            int fd = Integer.parseInt(before.substring(before.lastIndexOf(' ') + 1));
            m.put(fd, line.substring(arrow + 4).trim());
        }
        return m;
    }

    /**
     * Asserts the child listed exactly {@code expected} plus its listing program's own directory descriptor, which
     * is the lowest number not otherwise open.
     */
    static void assertExactly(Set<Integer> expected, Set<Integer> listed, String context) {
        int listing = 0;
        while (expected.contains(listing)) listing++;
        Set<Integer> want = new TreeSet<>(expected);
        want.add(listing);
        assertEquals(want, new TreeSet<>(listed), context);
    }

    /** Pids of this JVM's children that are zombies right now. */
    static List<Long> zombieChildren() throws IOException {
        long me = ProcessHandle.current().pid();
        List<Long> out = new ArrayList<>();
        try (DirectoryStream<Path> dir = Files.newDirectoryStream(Path.of("/proc"), "[0-9]*")) {
            for (Path p : dir) {
                String stat;
                try {
                    stat = Files.readString(p.resolve("stat"));
                } catch (IOException gone) {
                    continue;
                }
                String[] f = stat.substring(stat.lastIndexOf(')') + 2).split(" ");
                if (f[0].equals("Z") && Long.parseLong(f[1]) == me) out.add(Long.parseLong(p.getFileName().toString()));
            }
        }
        return out;
    }

    /** This process's open descriptor numbers. */
    static Set<Integer> openFds() throws IOException {
        Set<Integer> s = new TreeSet<>();
        for (int fd : Fds.numbers()) s.add(fd);
        return s;
    }

    static String readAll(InputStream in) throws IOException {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        in.transferTo(out);
        return out.toString(StandardCharsets.UTF_8);
    }

    /** A result of a child JVM run. */
    record JvmResult(int exit, String out, String err, long pid) {
        List<String> lines() {
            return out.lines().toList();
        }

        String value(String key) {
            return lines().stream().filter(l -> l.startsWith(key + "=")).map(l -> l.substring(key.length() + 1))
                    .findFirst().orElseThrow(() -> new AssertionError("no " + key + "= in:\n" + out + "\n" + err));
        }
    }

    /** Runs {@code main} of the test class path in a fresh JVM started by the JDK's ProcessBuilder. */
    static JvmResult runJvm(Class<?> main, String... args) throws IOException, InterruptedException {
        return runJvm(List.of(), main, args);
    }

    /** Runs {@code main} in a fresh JVM with {@code jvmArgs} (e.g. system properties) before the class name. */
    static JvmResult runJvm(List<String> jvmArgs, Class<?> main, String... args)
            throws IOException, InterruptedException {
        return runJvm(jvmArgs, main.getName(), args);
    }

    /** Runs {@code main}, a class name or a Java source file (run by the source launcher), in a fresh JVM. */
    static JvmResult runJvm(List<String> jvmArgs, String main, String... args)
            throws IOException, InterruptedException {
        ChildProcess.Result r = ChildProcess.runJava(jvmArgs, main, List.of(args), Map.of());
        return new JvmResult(r.exit(), r.out(), r.err(), r.pid());
    }

    /** Runs {@code cmd} (a java command line of the caller's making) to its end; stdout and stderr apart. */
    static JvmResult runCommand(List<String> cmd) throws IOException, InterruptedException {
        ChildProcess.Result r = ChildProcess.run(cmd, Map.of());
        return new JvmResult(r.exit(), r.out(), r.err(), r.pid());
    }

    /** java, flags and class path for a child JVM like this one. */
    static List<String> jvmCommand() {
        return ChildProcess.javaCommand();
    }
}
