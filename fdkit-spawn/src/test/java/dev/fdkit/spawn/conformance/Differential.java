package dev.fdkit.spawn.conformance;

import dev.fdkit.spawn.FdProcessBuilder;
import dev.fdkit.spawn.SpawnMechanism;

import java.io.File;
import java.io.IOException;
import java.io.InputStream;
import java.lang.ProcessBuilder.Redirect;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;

/**
 * The machinery of the differential suite: one scenario runs against the JDK's {@link ProcessBuilder} and against
 * {@link FdProcessBuilder}, each run writing down what a program can observe; the two transcripts must agree.
 */
final class Differential {
    private Differential() {}

    /** What a scenario drives: the part of ProcessBuilder both builders share. */
    interface Builder {
        Builder command(String... command);

        Builder command(List<String> command);

        List<String> command();

        File directory();

        Redirect redirectInput();

        Redirect redirectOutput();

        Redirect redirectError();

        boolean redirectErrorStream();

        Builder redirectInput(File f);

        Builder redirectOutput(File f);

        Builder redirectError(File f);

        Map<String, String> environment();

        Builder directory(File dir);

        Builder redirectInput(Redirect r);

        Builder redirectOutput(Redirect r);

        Builder redirectError(Redirect r);

        Builder redirectErrorStream(boolean merge);

        Builder inheritIO();

        Process start() throws IOException;
    }

    /** One side of a comparison: the JDK, or fdkit with one mechanism. */
    record Side(String name, SpawnMechanism mechanism) {
        static final Side JDK = new Side("jdk", null);

        Builder builder(List<Process> started, String... command) {
            return new Reflective(mechanism == null ? new ProcessBuilder(command)
                    : new FdProcessBuilder(command).mechanism(mechanism), started);
        }

        /** A builder made with the List constructor, which keeps the caller's list. */
        Builder builderOfList(List<Process> started, List<String> command) {
            return new Reflective(mechanism == null ? new ProcessBuilder(command)
                    : new FdProcessBuilder(command).mechanism(mechanism), started);
        }

        /** The side's startPipeline over the builders (null elements stay null). */
        List<Process> startPipeline(List<Process> started, List<Builder> builders) throws IOException {
            List<Object> raw = new ArrayList<>();
            for (Builder b : builders) raw.add(b == null ? null : ((Reflective) b).b());
            @SuppressWarnings("unchecked")
            List<Process> out = mechanism == null ? ProcessBuilder.startPipeline((List<ProcessBuilder>) (List<?>) raw)
                    : FdProcessBuilder.startPipeline((List<FdProcessBuilder>) (List<?>) raw);
            for (Process p : out) track(started, p);
            return out;
        }
    }

    /**
     * Either builder, driven by name: ProcessBuilder and FdProcessBuilder share their methods but no type. What a
     * call throws is rethrown as it is, so the scenarios record the builders' own exceptions.
     */
    private record Reflective(Object b, List<Process> started) implements Builder {
        private Object call(String name, Class<?>[] types, Object... args) {
            try {
                return b.getClass().getMethod(name, types).invoke(b, args);
            } catch (java.lang.reflect.InvocationTargetException e) {
                throw Reflective.<RuntimeException>sneaky(e.getCause());
            } catch (ReflectiveOperationException e) {
                throw new IllegalStateException(e);
            }
        }

        @SuppressWarnings("unchecked")
        private static <T extends Throwable> T sneaky(Throwable t) throws T {
            throw (T) t;
        }

        private Builder chain(String name, Class<?> type, Object arg) {
            call(name, new Class<?>[] {type}, arg);
            return this;
        }

        public Builder command(String... c) { return chain("command", String[].class, c); }
        public Builder command(List<String> c) { return chain("command", List.class, c); }
        @SuppressWarnings("unchecked")
        public List<String> command() { return (List<String>) call("command", new Class<?>[0]); }
        public File directory() { return (File) call("directory", new Class<?>[0]); }
        public Redirect redirectInput() { return (Redirect) call("redirectInput", new Class<?>[0]); }
        public Redirect redirectOutput() { return (Redirect) call("redirectOutput", new Class<?>[0]); }
        public Redirect redirectError() { return (Redirect) call("redirectError", new Class<?>[0]); }
        public boolean redirectErrorStream() { return (Boolean) call("redirectErrorStream", new Class<?>[0]); }
        public Builder redirectInput(File f) { return chain("redirectInput", File.class, f); }
        public Builder redirectOutput(File f) { return chain("redirectOutput", File.class, f); }
        public Builder redirectError(File f) { return chain("redirectError", File.class, f); }
        @SuppressWarnings("unchecked")
        public Map<String, String> environment() { return (Map<String, String>) call("environment", new Class<?>[0]); }
        public Builder directory(File d) { return chain("directory", File.class, d); }
        public Builder redirectInput(Redirect r) { return chain("redirectInput", Redirect.class, r); }
        public Builder redirectOutput(Redirect r) { return chain("redirectOutput", Redirect.class, r); }
        public Builder redirectError(Redirect r) { return chain("redirectError", Redirect.class, r); }
        public Builder redirectErrorStream(boolean m) { return chain("redirectErrorStream", boolean.class, m); }
        public Builder inheritIO() { call("inheritIO", new Class<?>[0]); return this; }
        public Process start() { return track(started, (Process) call("start", new Class<?>[0])); }
    }

    private static Process track(List<Process> started, Process p) {
        synchronized (started) {
            started.add(p);
        }
        return p;
    }

    /** Something a scenario does that may throw anything. */
    interface Action {
        Object run() throws Exception;
    }

    interface Body {
        void run(Ctx c) throws Exception;
    }

    record Scenario(String id, String what, Body body) {}

    /** One observation: a value, or the exception an action threw (with its cause). */
    record Entry(String key, String value, String type, String message, String causeType, String causeMessage) {
        boolean thrown() {
            return type != null;
        }

        @Override
        public String toString() {
            if (!thrown()) return key + " = " + value;
            return key + " ! " + type + ": " + message + (causeType == null ? "" : " <- " + causeType + ": " + causeMessage);
        }
    }

    /** What a scenario gets: a builder factory, a scratch directory (same path on every side) and the transcript. */
    static final class Ctx {
        final Side side;
        final Path dir;
        final List<Entry> log = new ArrayList<>();
        final List<Process> started = new ArrayList<>();

        Ctx(Side side, Path dir) {
            this.side = side;
            this.dir = dir;
        }

        Builder builder(String... command) {
            return side.builder(started, command);
        }

        Builder builderOfList(List<String> command) {
            return side.builderOfList(started, command);
        }

        List<Process> startPipeline(List<Builder> builders) throws IOException {
            return side.startPipeline(started, builders);
        }

        /** Records a value. */
        void put(String key, Object value) {
            log.add(new Entry(key, String.valueOf(value), null, null, null, null));
        }

        /** Runs {@code a} and records its result or what it threw. */
        Object attempt(String key, Action a) {
            try {
                Object v = a.run();
                put(key, v);
                return v;
            } catch (Exception | Error e) {
                if (e instanceof InterruptedException) Thread.interrupted();
                Throwable cause = e.getCause();
                log.add(new Entry(key, null, e.getClass().getName(), e.getMessage(),
                        cause == null ? null : cause.getClass().getName(), cause == null ? null : cause.getMessage()));
                return null;
            }
        }

        /** A precondition of the scenario: if the JDK does not meet it either, the scenario tests nothing. */
        void expect(boolean condition, String what) {
            if (!condition) throw new IllegalStateException("scenario precondition failed: " + what);
        }

        Path file(String name) {
            return dir.resolve(name);
        }

        String text(Path p) throws IOException {
            return Files.exists(p) ? Files.readString(p) : "<missing>";
        }

        static String read(InputStream in) throws IOException {
            return new String(in.readAllBytes(), StandardCharsets.UTF_8);
        }

        /** {@code p.toString()} with its pid replaced, so the two sides compare. */
        static String shape(Process p) {
            return p.toString().replace(Long.toString(p.pid()), "PID");
        }

        void cleanUp() throws InterruptedException {
            for (Process p : started) {
                p.destroyForcibly();
                p.waitFor(10, TimeUnit.SECONDS);
            }
        }
    }

    /** The transcript of one side; {@code failure} is what escaped the scenario, if anything did. */
    record Run(List<Entry> log, Throwable failure) {}

    static Run run(Scenario s, Side side, Path root) throws Exception {
        Path dir = root.resolve(s.id());
        deleteTree(dir);
        Files.createDirectories(dir);
        Ctx c = new Ctx(side, dir);
        Throwable[] failure = new Throwable[1];
        Thread t = Thread.ofPlatform().name("scenario-" + s.id() + "-" + side.name()).start(() -> {
            try {
                s.body().run(c);
            } catch (Throwable e) {
                failure[0] = e;
            }
        });
        t.join(TimeUnit.SECONDS.toMillis(30));
        if (t.isAlive()) {
            t.interrupt();
            failure[0] = new AssertionError("scenario " + s.id() + " did not finish in 30 s on " + side.name());
        }
        c.cleanUp();
        t.join(TimeUnit.SECONDS.toMillis(10));
        return new Run(List.copyOf(c.log), failure[0]);
    }

    /** Null when the two agree, else a description of the first difference. */
    static String difference(List<Entry> jdk, List<Entry> fd) {
        for (int i = 0; i < Math.max(jdk.size(), fd.size()); i++) {
            Entry a = i < jdk.size() ? jdk.get(i) : null, b = i < fd.size() ? fd.get(i) : null;
            if (a == null || b == null || !agree(a, b)) {
                return "first difference at observation " + i + ":\n  jdk:   " + a + "\n  fdkit: " + b;
            }
        }
        return null;
    }

    /**
     * Values must be equal; exceptions must be of the same type with a message that starts with the JDK's (fdkit
     * may add detail after it), and so must their causes (of the JDK's cause's type or a subclass). NullPointerException messages are computed by the JVM
     * from the bytecode that failed, so only the type is compared for them.
     */
    static boolean agree(Entry a, Entry b) {
        if (!a.key().equals(b.key())) return false;
        if (!a.thrown()) return !b.thrown() && a.value().equals(b.value());
        if (!Objects.equals(a.type(), b.type()) || !causeAgrees(a.causeType(), b.causeType())) return false;
        boolean npe = a.type().equals(NullPointerException.class.getName());
        return npe || (prefixOf(a.message(), b.message()) && prefixOf(a.causeMessage(), b.causeMessage()));
    }

    /** fdkit's cause may be a subclass of the JDK's (an ErrnoException for an IOException): a catch sees the same. */
    private static boolean causeAgrees(String jdk, String fd) {
        if (jdk == null || fd == null) return jdk == fd;
        try {
            return Class.forName(jdk).isAssignableFrom(Class.forName(fd));
        } catch (ClassNotFoundException e) {
            return false;
        }
    }

    private static boolean prefixOf(String jdk, String fd) {
        if (jdk == null) return fd == null;
        return fd != null && fd.startsWith(jdk);
    }

    static void deleteTree(Path p) throws IOException {
        if (!Files.exists(p, java.nio.file.LinkOption.NOFOLLOW_LINKS)) return;
        try (Stream<Path> all = Files.walk(p)) {
            for (Path q : all.sorted(Comparator.reverseOrder()).toList()) Files.delete(q);
        }
    }
}
