package dev.fdkit.spawn.conformance;

import dev.fdkit.spawn.FdProcessBuilder;
import dev.fdkit.spawn.SpawnMechanism;
import jdk.jfr.Recording;
import jdk.jfr.consumer.RecordedEvent;
import jdk.jfr.consumer.RecordingFile;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assertions.fail;

/**
 * What the differential suite cannot compare in one scenario: the reaper thread, logging and JFR, virtual threads,
 * bytes of the environment the JVM started with, and the socket-activation variables fdkit keeps from children.
 */
class JdkParityTest {

    @Test
    @Timeout(60)
    void theReaperThreadPinsNoClassLoaderAndIsADaemon() throws Exception {
        ClassLoader custom = new ClassLoader(getClass().getClassLoader()) {};
        Thread starter = Thread.ofPlatform().unstarted(() -> {
            try {
                new FdProcessBuilder("true").start().waitFor();
            } catch (Exception e) {
                throw new IllegalStateException(e);
            }
        });
        starter.setContextClassLoader(custom);
        starter.start();
        starter.join();
        Thread reaper = Thread.getAllStackTraces().keySet().stream().filter(t -> t.getName().equals("fdkit-reaper"))
                .findFirst().orElseThrow(() -> new AssertionError("no fdkit-reaper thread"));
        assertNull(reaper.getContextClassLoader(), "the reaper must not hold a class loader alive");
        assertTrue(reaper.isDaemon());
    }

    /**
     * Both builders log to java.util.logging (System.Logger's default backend) at DEBUG (FINE) and TRACE (FINEST).
     * The test reaches java.util.logging reflectively: this module does not read java.logging, and need not.
     */
    @Test
    @Timeout(60)
    void aStartIsLoggedAsTheJdkLogsItsOwn() throws Exception {
        Class<?> levelClass = Class.forName("java.util.logging.Level");
        Class<?> handlerClass = Class.forName("java.util.logging.Handler");
        Object logger = Class.forName("java.util.logging.Logger").getMethod("getLogger", String.class)
                .invoke(null, "java.lang.ProcessBuilder");
        ByteArrayOutputStream sink = new ByteArrayOutputStream();
        Object formatter = Class.forName("java.util.logging.SimpleFormatter").getConstructor().newInstance();
        Object handler = Class.forName("java.util.logging.StreamHandler")
                .getConstructor(java.io.OutputStream.class, Class.forName("java.util.logging.Formatter"))
                .newInstance(sink, formatter);
        handlerClass.getMethod("setLevel", levelClass).invoke(handler, levelClass.getField("ALL").get(null));
        Object before = logger.getClass().getMethod("getLevel").invoke(logger);
        logger.getClass().getMethod("addHandler", handlerClass).invoke(logger, handler);
        try {
            for (String level : List.of("FINE", "FINEST")) { // DEBUG, and TRACE (which logs every argument)
                logger.getClass().getMethod("setLevel", levelClass).invoke(logger, levelClass.getField(level).get(null));
                Process jdk = new ProcessBuilder("echo", "a b").start();
                Process fd = new FdProcessBuilder("echo", "a b").start();
                jdk.waitFor();
                fd.waitFor();
                handlerClass.getMethod("flush").invoke(handler);
                List<String> lines = sink.toString(StandardCharsets.UTF_8).lines()
                        .filter(l -> l.contains(": ProcessBuilder.start(): ") || l.startsWith("java.lang.RuntimeException"))
                        .toList();
                sink.reset();
                assertEquals(4, lines.size(), "a message and a stack per start at " + level + ": " + lines);
                assertEquals(lines.get(0).replace(Long.toString(jdk.pid()), "PID"),
                        lines.get(2).replace(Long.toString(fd.pid()), "PID"), "the same message");
                assertEquals(lines.get(1), lines.get(3), "the same stack-trace exception");
            }
        } finally {
            logger.getClass().getMethod("removeHandler", handlerClass).invoke(logger, handler);
            logger.getClass().getMethod("setLevel", levelClass).invoke(logger, before);
        }
    }

    @Test
    @Timeout(60)
    void aStartIsRecordedInJfrBesideTheJdks(@TempDir Path tmp) throws Exception {
        Path file = tmp.resolve("starts.jfr");
        long fdPid, jdkPid;
        try (Recording r = new Recording()) {
            r.enable("dev.fdkit.ProcessStart");
            r.enable("jdk.ProcessStart");
            r.start();
            int[] pipe = dev.fdkit.internal.FdCalls.pipe2(dev.fdkit.internal.FdCalls.O_CLOEXEC, null);
            try {
                Process fd = new FdProcessBuilder("true").passFd(pipe[1], 5).directory(tmp.toFile())
                        .mechanism(SpawnMechanism.CLONE).start();
                fd.waitFor();
                fdPid = fd.pid();
            } finally {
                dev.fdkit.internal.FdCalls.close(pipe[0]);
                dev.fdkit.internal.FdCalls.close(pipe[1]);
            }
            Process jdk = new ProcessBuilder("true").start();
            jdk.waitFor();
            jdkPid = jdk.pid();
            r.stop();
            r.dump(file);
        }
        List<RecordedEvent> events = RecordingFile.readAllEvents(file);
        RecordedEvent fd = events.stream().filter(e -> e.getEventType().getName().equals("dev.fdkit.ProcessStart"))
                .filter(e -> e.getLong("pid") == fdPid).findFirst()
                .orElseThrow(() -> new AssertionError("no dev.fdkit.ProcessStart for " + fdPid + " in " + events));
        assertEquals("true", fd.getString("command"));
        assertEquals(tmp.toString(), fd.getString("directory"));
        assertEquals("clone", fd.getString("mechanism"));
        assertTrue(fd.getString("descriptors").startsWith("5="), fd.getString("descriptors"));
        assertTrue(events.stream().anyMatch(e -> e.getEventType().getName().equals("jdk.ProcessStart")
                && e.getLong("pid") == jdkPid), "the JDK's own event is there too");
        assertTrue(fd.getStackTrace() != null, "the event carries the caller's stack");
    }

    /**
     * 1,000 children of cat, each read by one virtual thread and fed by another started after all readers: if a
     * read held its carrier, the readers would occupy every carrier and no writer would ever run.
     */
    @Test
    @Timeout(300)
    void virtualThreadsReadingChildrenDoNotStarveTheScheduler() throws Exception {
        int n = 1000;
        List<Process> cats = new ArrayList<>();
        try (ExecutorService vts = Executors.newVirtualThreadPerTaskExecutor()) {
            List<Future<String>> reads = new ArrayList<>();
            for (int i = 0; i < n; i++) {
                Process p = new FdProcessBuilder("cat").start(); // the streams are the same for every mechanism
                cats.add(p);
                reads.add(vts.submit(() -> readAll(p.getInputStream())));
            }
            for (int i = 0; i < n; i++) {
                Process p = cats.get(i);
                int id = i;
                vts.submit(() -> {
                    try (var out = p.getOutputStream()) {
                        out.write(("child " + id + "\n").getBytes(StandardCharsets.UTF_8));
                    }
                    return null;
                });
            }
            for (int i = 0; i < n; i++) {
                try {
                    assertEquals("child " + i + "\n", reads.get(i).get(120, TimeUnit.SECONDS));
                } catch (TimeoutException e) {
                    fail("reader " + i + " of " + n + " starved: virtual threads blocked their carriers");
                }
            }
        } finally {
            for (Process p : cats) p.destroyForcibly();
            for (Process p : cats) p.waitFor();
        }
    }

    private static String readAll(InputStream in) throws IOException {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        in.transferTo(out);
        return out.toString(StandardCharsets.UTF_8);
    }

    /** The JVM starts with bytes in its environment that are not valid UTF-8: children get them unchanged. */
    @Test
    @Timeout(120)
    void untouchedVariablesReachTheChildByteForByte() throws Exception {
        List<String> jvm = new ArrayList<>(List.of(ProcessHandle.current().info().command().orElseThrow(),
                "--enable-native-access=ALL-UNNAMED", "-Xshare:auto", "-XX:TieredStopAtLevel=1",
                "-cp", System.getProperty("java.class.path"), EnvironmentBytesMain.class.getName()));
        StringBuilder cmd = new StringBuilder("FDKIT_RAW=\"$(printf 'a\\377\\376b')\" LC_ALL=C.UTF-8 exec");
        for (String s : jvm) cmd.append(" '").append(s.replace("'", "'\\''")).append('\'');
        Process p = new ProcessBuilder("sh", "-c", cmd.toString()).redirectErrorStream(true).start();
        String out = readAll(p.getInputStream());
        assertEquals(0, p.waitFor(), out);
        String raw = "61fffe62";
        for (String key : List.of("jdk-untouched", "jdk-touched", "fdkit-untouched", "fdkit-touched")) {
            assertTrue(out.contains(key + "=" + raw + "\n"), key + " should see the bytes unchanged:\n" + out);
        }
    }

    /**
     * Stale socket-activation variables (this JVM may itself have been socket-activated) never reach a child: they
     * would describe descriptors the child does not have.
     */
    @ParameterizedTest
    @EnumSource(SpawnMechanism.class)
    @Timeout(60)
    void socketActivationVariablesReachAChildOnlyFromListenFd(SpawnMechanism m) throws Exception {
        List<String> vars = List.of("LISTEN_PID", "LISTEN_FDS", "LISTEN_FDNAMES");
        for (String v : vars) NativeEnv.setenv(v, "7");
        try {
            String script = "env | grep '^LISTEN_' || true";
            Process untouched = new FdProcessBuilder("sh", "-c", script).mechanism(m).start();
            assertEquals("", readAll(untouched.getInputStream()), "untouched environment");
            FdProcessBuilder b = new FdProcessBuilder("sh", "-c", script).mechanism(m);
            b.environment().put("LISTEN_FDS", "2");
            b.environment().put("LISTEN_FDNAMES", "a:b");
            assertEquals("", readAll(b.start().getInputStream()), "explicit map");
            Process jdk = new ProcessBuilder("sh", "-c", script).start();
            assertFalse(readAll(jdk.getInputStream()).isEmpty(), "the JDK passes them on: the setup worked");
        } finally {
            for (String v : vars) NativeEnv.unsetenv(v);
        }
    }

    /**
     * The untouched environment, which the helper reads from environ itself, is the JDK's untouched one (environ
     * as it is, setenv(3) included) less exactly the three socket-activation names: a name that merely starts like
     * one stays, and so does every other variable.
     */
    @ParameterizedTest
    @EnumSource(SpawnMechanism.class)
    @Timeout(60)
    void untouchedEnvironmentIsTheJdksLessSocketActivation(SpawnMechanism m) throws Exception {
        System.getenv(); // the JVM's environment snapshot, taken on first use, must not hold these for later tests
        List<String> set = List.of("LISTEN_FDS", "LISTEN_FDSX", "LISTEN_PIDFD", "FDKIT_AFTER_LISTEN");
        for (String v : set) NativeEnv.setenv(v, "7");
        try {
            List<String> fdkit = sorted(readAll(new FdProcessBuilder("env").mechanism(m).start().getInputStream()));
            List<String> jdk = sorted(readAll(new ProcessBuilder("env").start().getInputStream()));
            assertTrue(jdk.contains("LISTEN_FDS=7") && jdk.contains("FDKIT_AFTER_LISTEN=7"), "the setup worked: " + jdk);
            assertEquals(jdk.stream().filter(e -> !e.equals("LISTEN_FDS=7")).toList(), fdkit);
        } finally {
            for (String v : set) NativeEnv.unsetenv(v);
        }
    }

    private static List<String> sorted(String lines) {
        return lines.lines().sorted().toList();
    }
}
