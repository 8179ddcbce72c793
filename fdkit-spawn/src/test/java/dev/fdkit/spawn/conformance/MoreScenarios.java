package dev.fdkit.spawn.conformance;

import dev.fdkit.spawn.conformance.Differential.Builder;

import java.io.File;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.lang.ProcessBuilder.Redirect;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.AbstractMap.SimpleImmutableEntry;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Iterator;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.stream.Stream;

import static dev.fdkit.spawn.conformance.Differential.Ctx.read;
import static dev.fdkit.spawn.conformance.Scenarios.add;
import static dev.fdkit.spawn.conformance.Scenarios.script;

/**
 * Scenarios for what ProcessBuilder/Basic checks beyond the first set (the environment map's views, the command
 * list, redirect getters and the redirect sequence, pending reads at destroy, full pipes), and for the ProcessHandle
 * tests (pid, info, zombies), concurrent starts and descriptor leaks.
 */
final class MoreScenarios {
    private MoreScenarios() {}

    private static final Object TRUE = Boolean.TRUE;

    /** The sizes of a map and of its views, and whether each is empty. */
    private static String sizes(Map<String, String> m) {
        return m.size() + "/" + m.entrySet().size() + "/" + m.keySet().size() + "/" + m.values().size() + " "
                + m.isEmpty() + m.entrySet().isEmpty() + m.keySet().isEmpty() + m.values().isEmpty();
    }

    /**
     * Whether another thread finds {@code stream}'s monitor taken while {@code busy} is blocked in a read or write on
     * it (looked at for up to two seconds: the busy thread needs a moment to get there).
     */
    private static boolean heldSoon(Object stream, Thread busy) throws InterruptedException {
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(2);
        while (System.nanoTime() < deadline) {
            Thread probe = Thread.ofPlatform().daemon().start(() -> {
                synchronized (stream) {
                    Thread.onSpinWait();
                }
            });
            probe.join(20);
            if (probe.isAlive()) return true; // it gets the monitor once the stream is released
            Thread.sleep(20);
        }
        return false;
    }

    /** A thread reading a child's output line by line until the stream ends or fails, as DestroyTest's reader. */
    private static final class BufferedReaderOutcome {
        final List<String> lines = new java.util.concurrent.CopyOnWriteArrayList<>();
        final CountDownLatch firstLine = new CountDownLatch(1);
        volatile String ending = "running";
        final Thread thread;

        BufferedReaderOutcome(Process p) {
            thread = Thread.ofPlatform().start(() -> {
                try {
                    var r = p.inputReader();
                    for (String line; (line = r.readLine()) != null; ) {
                        lines.add(line);
                        firstLine.countDown();
                    }
                    ending = "end of stream";
                } catch (IOException e) {
                    ending = e.getMessage();
                }
            });
        }
    }

    /** The number of descriptors this JVM has open. */
    private static long openDescriptors() throws IOException {
        try (Stream<Path> s = Files.list(Path.of("/proc/self/fd"))) {
            return s.count();
        }
    }

    /** The state letter of process {@code pid} ('Z' for a zombie), or "gone". */
    private static String state(long pid) {
        try {
            String stat = Files.readString(Path.of("/proc/" + pid + "/stat"));
            return stat.substring(stat.lastIndexOf(')') + 2, stat.lastIndexOf(')') + 3);
        } catch (IOException e) {
            return "gone";
        }
    }

    static void register() {
        environment();
        commands();
        redirects();
        streams();
        processes();
    }

    private static void environment() {
        add("E12", "queries with null, non-String and NUL arguments on the map and its views", c -> {
            Map<String, String> env = c.builder("true").environment();
            @SuppressWarnings({"unchecked", "rawtypes"})
            Map<Object, Object> raw = (Map) env;
            @SuppressWarnings({"unchecked", "rawtypes"})
            java.util.Set<Object> entries = (java.util.Set) env.entrySet();
            c.attempt("containsValue null", () -> env.containsValue(null));
            c.attempt("keySet contains null", () -> env.keySet().contains(null));
            c.attempt("values contains null", () -> env.values().contains(null));
            c.attempt("entrySet contains null", () -> env.entrySet().contains(null));
            c.attempt("keySet contains TRUE", () -> raw.keySet().contains(TRUE));
            c.attempt("values contains TRUE", () -> raw.values().contains(TRUE));
            c.attempt("entrySet contains TRUE", () -> entries.contains(TRUE));
            c.attempt("entrySet contains entry(TRUE)", () -> entries.contains(new SimpleImmutableEntry<>(TRUE, "")));
            c.attempt("entrySet contains entry(\"\",\"\")", () -> env.entrySet().contains(new SimpleImmutableEntry<>("", "")));
            c.attempt("keySet remove TRUE", () -> raw.keySet().remove(TRUE));
            c.attempt("values remove TRUE", () -> raw.values().remove(TRUE));
            c.attempt("entrySet remove TRUE", () -> entries.remove(TRUE));
            c.attempt("entrySet contains entry(PATH, TRUE)",
                    () -> entries.contains(new SimpleImmutableEntry<>("PATH", TRUE)));
            c.attempt("entrySet contains entry(absent, TRUE)",
                    () -> entries.contains(new SimpleImmutableEntry<>("UnLiKeLyNaMe", TRUE)));
            c.attempt("entrySet remove entry(absent, null)",
                    () -> env.entrySet().remove(new SimpleImmutableEntry<>("UnLiKeLyNaMe", null)));
            c.attempt("get NUL", () -> env.get("\0"));
            c.attempt("containsKey NUL", () -> env.containsKey("\0"));
            c.attempt("containsValue NUL", () -> env.containsValue("\0"));
            c.attempt("keySet contains NUL", () -> env.keySet().contains("\0"));
            c.attempt("values contains NUL", () -> env.values().contains("\0"));
            c.attempt("setValue null in a loop", () -> {
                for (Map.Entry<String, String> e : env.entrySet()) e.setValue(null);
                return "set";
            });
            c.attempt("put NUL value", () -> env.put("FOO", "BAR\0"));
            c.attempt("put '=' in name", () -> env.put("FOO=", "BAR"));
        });
        add("E13", "sizes through the views, clearing through each view, independent maps", c -> {
            Map<String, String> env = c.builder("true").environment();
            int size = env.size();
            c.put("initial", env.size() == System.getenv().size() && sizes(env).startsWith(size + "/" + size));
            env.put("UnLiKeLyNaMe", "v");
            c.put("added", env.size() - size);
            c.builder("true").environment().clear();
            c.put("other builder cleared, this one", env.size() - size);
            env.remove("UnLiKeLyNaMe");
            c.put("removed", env.size() - size);
            env.clear();
            c.put("cleared", sizes(env));
            env.clear();
            c.put("cleared twice", sizes(env));
            Map<String, String> viaKeys = c.builder("true").environment();
            viaKeys.keySet().clear();
            c.put("keySet clear", sizes(viaKeys));
            Map<String, String> viaEntries = c.builder("true").environment();
            viaEntries.entrySet().clear();
            c.put("entrySet clear", sizes(viaEntries));
            Map<String, String> viaValues = c.builder("true").environment();
            viaValues.values().clear();
            c.put("values clear", sizes(viaValues));
            c.put("system unchanged", System.getenv().size() == size);
        });
        add("E14", "two fresh maps are equal in every view; the views iterate in step", c -> {
            Map<String, String> a = c.builder("true").environment(), b = c.builder("true").environment();
            c.put("equal", a.equals(b) && b.equals(a));
            c.put("entrySet equal", a.entrySet().equals(b.entrySet()) && b.entrySet().equals(a.entrySet()));
            c.put("keySet equal", a.keySet().equals(b.keySet()) && b.keySet().equals(a.keySet()));
            c.put("values size", a.values().size() == b.values().size());
            c.put("hash", a.hashCode() == b.hashCode());
            c.put("entrySet hash", a.entrySet().hashCode() == b.entrySet().hashCode());
            c.put("keySet hash", a.keySet().hashCode() == b.keySet().hashCode());
            c.put("entrySet hash is the map's", a.entrySet().hashCode() == a.hashCode());
            StringBuilder s1 = new StringBuilder(), s2 = new StringBuilder();
            for (Map.Entry<String, String> e : a.entrySet()) s1.append(e.getKey()).append('=').append(e.getValue()).append('\n');
            for (String k : a.keySet()) s2.append(k).append('=').append(a.get(k)).append('\n');
            c.put("entry and key order agree", s1.toString().equals(s2.toString()));
            Iterator<String> keys = a.keySet().iterator(), values = a.values().iterator();
            boolean inStep = true;
            for (Map.Entry<String, String> e : a.entrySet()) {
                inStep &= e.getKey().equals(keys.next()) && e.getValue().equals(values.next());
            }
            c.put("views in step", inStep && !keys.hasNext() && !values.hasNext());
            c.put("entry toString", a.entrySet().iterator().next().toString().contains("="));
            Map.Entry<String, String> first = a.entrySet().iterator().next();
            c.put("entry equals Map.entry", first.equals(Map.entry(first.getKey(), first.getValue())));
            c.put("Map.entry equals entry", Map.entry(first.getKey(), first.getValue()).equals(first));
            c.put("entry equals other map's", first.equals(b.entrySet().iterator().next()));
            c.put("entry hash", first.hashCode() == Map.entry(first.getKey(), first.getValue()).hashCode());
            Map<String, String> copy = new java.util.HashMap<>(a);
            c.put("entrySet equals HashMap's", a.entrySet().equals(copy.entrySet()));
            c.put("HashMap's equals entrySet", copy.entrySet().equals(a.entrySet()));
            c.put("keySet equals HashMap's", a.keySet().equals(copy.keySet()) && copy.keySet().equals(a.keySet()));
            c.put("map equals HashMap", a.equals(copy) + " " + copy.equals(a));
            c.put("values equal own", a.values().equals(a.values()));
            c.put("values equal other map's", a.values().equals(b.values()));
            c.put("values hash stable", a.values().hashCode() == a.values().hashCode());
            c.put("values equal a list", a.values().equals(new ArrayList<>(a.values())));
            Map<String, String> small = c.builder("true").environment();
            small.clear();
            small.put("B", "2");
            small.put("A", "1");
            small.put("C", "3");
            c.put("toString", small.toString());
            c.put("keys", small.keySet().toString());
            c.put("values", small.values().toString());
            c.put("entries", small.entrySet().toString());
            c.put("equals a HashMap", small.equals(new java.util.HashMap<>(Map.of("A", "1", "B", "2", "C", "3"))));
            c.put("hash of a HashMap", small.hashCode() == Map.of("A", "1", "B", "2", "C", "3").hashCode());
        });
        add("E15", "the ways Basic deletes, adds and modifies a variable", c -> {
            List<String> out = new ArrayList<>();
            for (int way = 0; way < 8; way++) {
                Map<String, String> env = c.builder("true").environment();
                env.put("Foo", "BAAR");
                switch (way) {
                    case 0 -> env.remove("Foo");
                    case 1 -> env.keySet().remove("Foo");
                    case 2 -> env.values().remove("BAAR");
                    case 3 -> {
                        Map<String, String> other = c.builder("true").environment();
                        other.clear();
                        other.put("Foo", "BAAR");
                        env.entrySet().remove(other.entrySet().iterator().next());
                    }
                    case 4 -> env.entrySet().remove(Map.entry("Foo", "BAAR"));
                    case 5 -> env.keySet().removeIf("Foo"::equals);
                    case 6 -> env.entrySet().removeIf(e -> e.getKey().equals("Foo"));
                    default -> env.values().removeIf("BAAR"::equals);
                }
                out.add(way + ":" + env.get("Foo") + "," + env.remove("Foo"));
            }
            c.put("deleted", out);
            Map<String, String> env = c.builder("true").environment();
            env.put("Foo", "OldValue");
            for (Map.Entry<String, String> e : env.entrySet()) if (e.getKey().equals("Foo")) e.setValue("NewValue");
            c.put("modified", env.get("Foo"));
            c.attempt("entry setValue returns old", () -> {
                for (Map.Entry<String, String> e : env.entrySet()) if (e.getKey().equals("Foo")) return e.setValue("Third");
                return "absent";
            });
        });
        add("E16", "the child's PATH does not steer the search; a program only in it is not found", c -> {
            Files.createDirectories(c.file("onlyhere"));
            script(c, "onlyhere/fdkit-only-here", "#!/bin/sh\necho found\n", "rwxr-xr-x");
            Builder b = c.builder("fdkit-only-here");
            b.environment().put("PATH", c.file("onlyhere").toString());
            c.attempt("start", b::start);
            Builder sh = c.builder("sh", "-c", "echo \"$PATH\"");
            sh.environment().put("PATH", "anyOldPathIgnoredAnyways");
            c.put("child PATH", read(sh.start().getInputStream()).trim());
        });
        add("E17", "env of the child: exactly one more variable than the parent's", c -> {
            String before = read(c.builder("env").start().getInputStream());
            Builder b = c.builder("env");
            b.environment().put("QwErTyUiOp", "AsDfGhJk");
            String after = read(b.start().getInputStream());
            java.util.Set<String> one = new java.util.HashSet<>(Arrays.asList(before.split("\n")));
            java.util.Set<String> two = new java.util.HashSet<>(Arrays.asList(after.split("\n")));
            c.put("one more", two.size() - one.size());
            one.add("QwErTyUiOp=AsDfGhJk");
            c.put("same otherwise", one.equals(two));
        });
    }

    private static void commands() {
        add("C20", "the command list is the caller's; nulls are refused where the JDK refuses them", c -> {
            List<String> command = new ArrayList<>();
            Builder b = c.builderOfList(command);
            c.put("same list", b.command() == command);
            List<String> two = new ArrayList<>(List.of("foo", "bar"));
            b.command(two);
            c.put("same list again", b.command() == two);
            b.command("foo", "bar");
            c.put("array copied", b.command() != two && b.command().equals(two));
            b.command(two);
            two.add("baz");
            c.put("later change seen", b.command().get(2));
            c.attempt("null list constructor", () -> c.builderOfList(null));
            c.attempt("command(null list)", () -> b.command((List<String>) null));
            c.attempt("command(null array)", () -> b.command((String[]) null));
            c.attempt("null program start", () -> c.builder((String) null).start());
            c.attempt("null in array start", () -> c.builder("foo", null, "bar").start());
            c.attempt("growable", () -> {
                c.builder().command().add("foo");
                c.builder("bar").command().add("foo");
                return c.builder("1", "2").command().size();
            });
            c.attempt("empty list start", () -> c.builderOfList(new ArrayList<>()).start());
            Process p = c.builderOfList(new ArrayList<>(List.of("echo", "listed"))).start();
            c.put("out", read(p.getInputStream()));
        });
        add("C21", "directory and redirectErrorStream getters", c -> {
            Builder b = c.builder("true");
            c.put("directory initially", b.directory());
            File foo = new File("foo");
            c.put("directory set", b.directory(foo).directory() == foo);
            c.put("directory null", b.directory(null).directory());
            c.put("merge initially", b.redirectErrorStream());
            c.put("merge set", b.redirectErrorStream(true).redirectErrorStream());
            c.put("merge unset", b.redirectErrorStream(false).redirectErrorStream());
            Process p = c.builder("pwd").directory(c.dir.toFile()).directory(null).start();
            c.put("pwd", read(p.getInputStream()).trim().equals(Path.of("").toAbsolutePath().toString()));
            Process q = c.builder("pwd").directory(new File("/")).start();
            c.put("root", read(q.getInputStream()));
        });
        add("C23", "PATH search with relative and empty entries, directories, scripts, the parent's PATH", c -> {
            c.put("transcript", pathSearch(c, "search", "dir1:dir2:"));
        });
        add("C24", "PATH unset: the default search path", c -> {
            c.put("transcript", pathSearch(c, "unset", null));
        });
        add("C25", "arguments too long for exec, and a name too long for the file system", c -> {
            c.attempt("one huge argument", () -> c.builder("echo", "x".repeat(200_000)).start());
            List<String> many = new ArrayList<>(List.of("echo"));
            for (int i = 0; i < 40; i++) many.add("y".repeat(100_000));
            c.attempt("many long arguments", () -> c.builderOfList(many).start());
            c.attempt("long name", () -> c.builder("z".repeat(5000)).start());
            c.attempt("long path", () -> c.builder("/" + "d/".repeat(3000) + "prog").start());
            Builder env = c.builder("true");
            env.environment().put("HUGE", "v".repeat(200_000));
            c.attempt("huge variable", env::start);
        });
        add("R19", "inheritIO and INHERIT: a child uses the JVM's own stdin, stdout and stderr", c -> {
            String side = c.side.mechanism() == null ? "jdk" : c.side.mechanism().propertyValue();
            Process p = c.builder(javaCommand(PathSearchMain.class.getName(), side, "inherit")).start();
            try (OutputStream in = p.getOutputStream()) {
                in.write("first line\nthe rest\n".getBytes(StandardCharsets.UTF_8));
            }
            c.put("stdout", read(p.getInputStream()));
            c.put("stderr", read(p.getErrorStream()).lines().filter(l -> !l.startsWith("WARNING")).toList());
            c.put("exit", p.waitFor());
        });
        add("C22", "program names with non-ASCII characters that do not exist; a non-executable empty file", c -> {
            c.attempt("eth", () -> c.builder("\u00f0").start());
            c.attempt("j caron", () -> c.builder("\u01f0").start());
            Files.createFile(c.file("emptyCommand"));
            c.attempt("./emptyCommand", () -> c.builder("./emptyCommand").directory(c.dir.toFile()).start());
            c.attempt("missing directory", () -> c.builder("echo").directory(new File("UnLiKeLY")).start());
        });
    }

    /** A JVM of this test's running {@code main} with {@code args}. */
    private static String[] javaCommand(String main, String... args) {
        List<String> cmd = new ArrayList<>(List.of(ProcessHandle.current().info().command().orElseThrow(),
                "--enable-native-access=ALL-UNNAMED", "-Xshare:auto", "-XX:TieredStopAtLevel=1",
                "-cp", System.getProperty("java.class.path"), main));
        cmd.addAll(List.of(args));
        return cmd.toArray(new String[0]);
    }

    /** The transcript of {@link PathSearchMain} run for this side in a JVM with {@code path} as PATH (null: unset). */
    private static String pathSearch(Differential.Ctx c, String part, String path) throws Exception {
        String side = c.side.mechanism() == null ? "jdk" : c.side.mechanism().propertyValue();
        Builder jvm = c.builder(javaCommand(PathSearchMain.class.getName(), side, part));
        jvm.directory(c.dir.toFile());
        if (path == null) jvm.environment().remove("PATH");
        else jvm.environment().put("PATH", path);
        Process p = jvm.start();
        String out = read(p.getInputStream()), err = read(p.getErrorStream());
        c.expect(p.waitFor() == 0, "the PATH search JVM ran: " + err);
        return out;
    }

    private static void redirects() {
        add("R16", "redirect getters, setters with a File, and their checks", c -> {
            Builder b = c.builder("cat");
            c.put("initial", b.redirectInput() + " " + b.redirectOutput() + " " + b.redirectError());
            b.inheritIO();
            c.put("inheritIO", b.redirectInput() + " " + b.redirectOutput() + " " + b.redirectError());
            b.redirectInput(Redirect.INHERIT).redirectOutput(Redirect.DISCARD).redirectError(Redirect.DISCARD);
            c.put("discard", b.redirectOutput().equals(Redirect.DISCARD) + " " + b.redirectError().file());
            File in = c.file("ifile").toFile(), out = c.file("ofile").toFile(), err = c.file("efile").toFile();
            b.redirectInput(in).redirectOutput(out).redirectError(err);
            c.put("from file", b.redirectInput().equals(Redirect.from(in)) && b.redirectInput().file() == in);
            c.put("to file", b.redirectOutput().equals(Redirect.to(out)) && b.redirectOutput().file() == out);
            c.put("error to file", b.redirectError().equals(Redirect.to(err)));
            c.attempt("input DISCARD", () -> b.redirectInput(Redirect.DISCARD));
            c.attempt("input null File", () -> b.redirectInput((File) null));
            c.attempt("output null File", () -> b.redirectOutput((File) null));
            c.attempt("error null File", () -> b.redirectError((File) null));
            c.attempt("output null", () -> b.redirectOutput((Redirect) null));
            c.attempt("error null", () -> b.redirectError((Redirect) null));
            c.put("unchanged", b.redirectInput().file() == in);
            c.attempt("start with missing input", b::start);
        });
        add("R17", "Basic's redirect sequence: files, appends, the same file twice, DISCARD with merging", c -> {
            File in = c.file("ifile").toFile(), out = c.file("ofile").toFile(), err = c.file("efile").toFile();
            Files.writeString(in.toPath(), "standard input");
            Builder b = c.builder("sh", "-c", "read -r line || true; printf 'standard error' >&2; printf 'standard output'");
            b.redirectInput(in).redirectOutput(out).redirectError(err);
            String[] steps = {"new files", "merged", "append", "replace", "append both", "discard both",
                "discard out", "discard err", "discard merged"};
            for (String step : steps) {
                Files.writeString(out.toPath(), "ofile-contents");
                Files.writeString(err.toPath(), "efile-contents");
                switch (step) {
                    case "new files" -> {
                        Files.delete(out.toPath());
                        Files.delete(err.toPath());
                    }
                    case "merged" -> b.redirectErrorStream(true);
                    case "append" -> b.redirectOutput(Redirect.appendTo(out)).redirectError(Redirect.appendTo(err))
                            .redirectErrorStream(false);
                    case "replace" -> b.redirectOutput(out).redirectError(Redirect.to(err));
                    case "append both" -> b.redirectOutput(Redirect.appendTo(out)).redirectError(Redirect.appendTo(out));
                    case "discard both" -> b.redirectOutput(Redirect.DISCARD).redirectError(Redirect.DISCARD);
                    case "discard out" -> b.redirectOutput(Redirect.DISCARD).redirectError(err);
                    case "discard err" -> b.redirectOutput(out).redirectError(Redirect.DISCARD);
                    default -> b.redirectOutput(Redirect.DISCARD).redirectErrorStream(true).redirectError(err);
                }
                Process p = b.start();
                String o = read(p.getInputStream()), e = read(p.getErrorStream());
                c.put(step, p.waitFor() + " [" + o + "][" + e + "] ofile=" + c.text(out.toPath()) + " efile="
                        + c.text(err.toPath()));
            }
        });
        add("R18", "stdin from a file with stdout and stderr piped; the writer is a null stream", c -> {
            Files.writeString(c.file("in"), "line one\nline two\n");
            Process p = c.builder("sh", "-c", "cat; cat >&2 < /dev/null; echo done >&2")
                    .redirectInput(c.file("in").toFile()).start();
            c.put("out", read(p.getInputStream()));
            c.put("err", read(p.getErrorStream()));
            c.attempt("writer", () -> {
                try (var w = p.outputWriter()) {
                    w.write("x");
                }
                return "written";
            });
            c.put("exit", p.waitFor());
        });
    }

    private static void streams() {
        add("S17", "4095 bytes in each pipe of an exited child: available, reads, writes, then closed streams", c -> {
            Process p = c.builder("sh", "-c", "head -c 4095 /dev/zero | tr '\\0' '!'; head -c 4095 /dev/zero | tr '\\0' 'E' >&2; exit 5").start();
            byte[] bang = new byte[4095];
            Arrays.fill(bang, (byte) '!');
            p.getOutputStream().write(bang);
            c.put("exit", p.waitFor());
            Thread.sleep(50); // the JDK closes the stdin pipe just after waitFor returns, from its reaper thread
            c.attempt("available out", () -> p.getInputStream().available());
            c.attempt("available err", () -> p.getErrorStream().available());
            c.attempt("write and flush", () -> {
                p.getOutputStream().write('!');
                p.getOutputStream().flush();
                return "flushed";
            });
            byte[] bytes = new byte[4096];
            c.attempt("read out", () -> p.getInputStream().read(bytes) + " " + (char) bytes[0] + bytes[4095]);
            c.attempt("read err", () -> p.getErrorStream().read(bytes) + " " + (char) bytes[0]);
            c.attempt("available at end", () -> p.getInputStream().available() + p.getErrorStream().available());
            c.attempt("read at end", () -> p.getInputStream().read() + " " + p.getErrorStream().read());
            c.attempt("close out", () -> {
                p.getInputStream().close();
                p.getErrorStream().close();
                return "closed";
            });
            c.attempt("close stdin", () -> {
                p.getOutputStream().close();
                return "closed";
            });
            for (InputStream in : List.of(p.getInputStream(), p.getErrorStream())) {
                c.attempt("read closed", in::read);
                c.attempt("read array closed", () -> in.read(bytes));
                c.attempt("available closed", in::available);
            }
        });
        add("S18", "reads pending when destroy() is called get EOF or \"Stream closed\"", c -> {
            for (int action = 0; action < 4; action++) {
                Process p = c.builder("sleep", "30").start();
                InputStream s = (action & 1) == 0 ? p.getInputStream() : p.getErrorStream();
                boolean array = (action & 2) != 0;
                Object[] got = new Object[1];
                CountDownLatch reading = new CountDownLatch(1);
                Thread t = Thread.ofPlatform().start(() -> {
                    try {
                        reading.countDown();
                        got[0] = array ? s.read(new byte[10]) : s.read();
                    } catch (IOException e) {
                        got[0] = e.getMessage();
                    }
                });
                reading.await();
                Thread.sleep(50);
                p.destroy();
                t.join();
                String r = String.valueOf(got[0]);
                c.put("case " + action, r.equals("-1") || r.equals("Stream closed") ? "EOF or closed" : r);
                c.put("exit " + action, p.waitFor());
            }
        });
        add("S19", "a grandchild holding the pipes does not make closing the streams hang", c -> {
            Process p = c.builder("sh", "-c", "sleep 30 & wait").start();
            InputStream stdout = p.getInputStream();
            Thread reader = Thread.ofPlatform().daemon().start(() -> {
                try {
                    stdout.read();
                } catch (IOException ignored) {
                    // closed under the reader: what Basic accepts
                }
            });
            Thread.sleep(100);
            List<ProcessHandle> grandchildren = p.descendants().toList();
            p.destroy();
            c.put("exit", p.waitFor());
            stdout.close();
            p.getErrorStream().close();
            p.getOutputStream().close();
            c.put("grandchild still alive after the closes", grandchildren.stream().anyMatch(ProcessHandle::isAlive));
            grandchildren.forEach(ProcessHandle::destroyForcibly);
            reader.join(10_000);
            c.put("reader done", !reader.isAlive());
        });
        add("S20", "closing the output stream while the child writes and another thread reads", c -> {
            for (int round = 0; round < 3; round++) {
                Process p = c.builder("yes").start();
                InputStream in = p.getInputStream();
                AtomicInteger endings = new AtomicInteger();
                Thread reader = Thread.ofPlatform().start(() -> {
                    byte[] buf = new byte[8192];
                    try {
                        while (in.read(buf) >= 0) {
                            // keep reading until the close
                        }
                    } catch (IOException e) {
                        // "Stream closed" on both; the point is that it ends
                    }
                    endings.incrementAndGet();
                });
                Thread.sleep(30);
                in.close();
                reader.join(10_000);
                c.put("reader ended " + round, endings.get());
                int exit = p.waitFor(); // SIGPIPE once the read end is gone
                c.put("exit " + round, exit == 141 || exit == 143);
            }
        });
        add("S21", "many children started at once from several threads", c -> {
            int threads = 8, each = 6;
            List<Thread> ts = new ArrayList<>();
            AtomicInteger right = new AtomicInteger();
            List<Throwable> errors = new java.util.concurrent.CopyOnWriteArrayList<>();
            for (int t = 0; t < threads; t++) {
                int id = t;
                ts.add(Thread.ofPlatform().start(() -> {
                    for (int i = 0; i < each; i++) {
                        try {
                            Process p = c.builder("sh", "-c", "echo $1; exit $2", "sh", id + "-" + i, "" + i).start();
                            String out = read(p.getInputStream()).trim();
                            if (out.equals(id + "-" + i) && p.waitFor() == i) right.incrementAndGet();
                        } catch (Exception e) {
                            errors.add(e);
                        }
                    }
                }));
            }
            for (Thread t : ts) t.join();
            c.put("right", right.get());
            c.put("errors", errors);
        });
        add("S22", "destroying a child blocked on a full stdout pipe", c -> {
            Process p = c.builder("yes").start();
            while (p.getInputStream().available() < 4096) Thread.sleep(5);
            Thread.sleep(50);
            p.destroy();
            c.put("SIGTERM", p.waitFor());
            c.attempt("read after destroy", () -> p.getInputStream().read());
            Process q = c.builder("sh", "-c", "trap '' TERM; yes").start();
            while (q.getInputStream().available() < 4096) Thread.sleep(5);
            q.destroyForcibly();
            c.put("SIGKILL", q.waitFor());
            c.put("alive", q.isAlive());
        });
        add("S23", "readers and writer without a charset, with null, and a second charset", c -> {
            Process p = c.builder("sh", "-c", "cat; echo err >&2").start();
            c.attempt("inputReader null", () -> p.inputReader(null));
            c.attempt("outputWriter null", () -> p.outputWriter(null));
            var w = p.outputWriter();
            c.put("writer again", w == p.outputWriter());
            c.attempt("writer other charset", () -> p.outputWriter(StandardCharsets.UTF_16));
            w.write("plain line\n");
            w.close();
            var r = p.inputReader();
            c.put("reader again", r == p.inputReader());
            c.attempt("reader other charset", () -> p.inputReader(StandardCharsets.UTF_16));
            c.put("lines", r.lines().toList());
            var e = p.errorReader();
            c.attempt("errorReader other charset", () -> p.errorReader(StandardCharsets.UTF_16));
            c.put("err", e.readLine());
            c.put("exit", p.waitFor());
        });
        add("S25", "a blocked read or write holds the stream's monitor, as Basic waits for before destroy", c -> {
            Process p = c.builder("sleep", "30").start();
            InputStream in = p.getInputStream();
            Thread reader = Thread.ofPlatform().start(() -> {
                try {
                    in.read();
                } catch (IOException ignored) {
                    // closed by destroy: either outcome is the JDK's
                }
            });
            OutputStream out = p.getOutputStream();
            Thread writer = Thread.ofPlatform().start(() -> {
                try {
                    out.write(new byte[1 << 20]); // more than the pipe holds: blocks until the child is gone
                } catch (IOException ignored) {
                    // broken pipe once the child is killed
                }
            });
            c.put("input monitor held", heldSoon(in, reader));
            c.put("output monitor held", heldSoon(out, writer));
            p.destroyForcibly();
            reader.join(10_000);
            writer.join(10_000);
            c.put("threads done", !reader.isAlive() && !writer.isAlive());
            c.put("exit", p.waitFor());
        });
        add("S26", "a live child that closed its end of each pipe: the write fails as the JDK's does", c -> {
            Process p = c.builder("sh", "-c", "exec 0<&- 1>&- 2>&-; sleep 30").start();
            c.put("out", p.getInputStream().read()); // end of stream once the child closed its stdout
            c.attempt("write", () -> {
                p.getOutputStream().write(new byte[10]);
                p.getOutputStream().flush();
                return "written";
            });
            c.attempt("err available", () -> p.getErrorStream().available());
            c.put("alive", p.isAlive());
            p.destroy();
            c.put("exit", p.waitFor());
        });
        add("S27", "an interrupt does not break a blocked read, nor a write, on a platform or a virtual thread", c -> {
            for (boolean virtual : new boolean[] {false, true}) {
                Process p = c.builder("sh", "-c", "sleep 0.5; echo x; cat > /dev/null").start();
                Object[] got = new Object[3];
                Thread t = (virtual ? Thread.ofVirtual() : Thread.ofPlatform()).start(() -> {
                    try {
                        got[0] = p.getInputStream().read();
                    } catch (IOException e) {
                        got[0] = e.toString();
                    }
                    got[1] = Thread.currentThread().isInterrupted();
                    try {
                        p.getOutputStream().write(new byte[200_000]);
                        p.getOutputStream().flush();
                        got[2] = "wrote";
                    } catch (IOException e) {
                        got[2] = e.toString();
                    }
                });
                Thread.sleep(150);
                t.interrupt();
                Thread.sleep(100);
                c.put((virtual ? "virtual" : "platform") + " still blocked", t.isAlive());
                t.join(10_000);
                c.put((virtual ? "virtual" : "platform") + " outcome", Arrays.toString(got));
                p.getOutputStream().close();
                c.put((virtual ? "virtual" : "platform") + " exit", p.waitFor());
            }
        });
        add("S24", "skip over blocks of a child's output, as SkipTest does", c -> {
            Process p = c.builder("sh", "-c", "for h in A B C D E; do printf $h; head -c 10000 /dev/zero; done").start();
            try (InputStream in = p.getInputStream()) {
                c.put("skip -1", in.skip(-1));
                c.put("skip 0", in.skip(0));
                StringBuilder headers = new StringBuilder();
                int header;
                while ((header = in.read()) != -1) {
                    headers.append((char) header);
                    long remaining = 10000;
                    do {
                        remaining -= in.skip(remaining);
                    } while (remaining != 0);
                }
                c.put("headers", headers);
                c.put("skip at end", in.skip(1));
            }
            c.put("exit", p.waitFor());
        });
    }

    /**
     * A child's blocked and ignored signal sets from /proc. Signals 32 and 33 are glibc's own (thread cancellation
     * and set*id): its posix_spawn leaves them ignored in a child, so the JDK's children (through jspawnhelper) show
     * them ignored where a forked child does not; no program can use them, so they are left out.
     */
    private static String signalMasks(Differential.Ctx c) throws Exception {
        Process p = c.builder("grep", "^Sig[BI]", "/proc/self/status").start();
        StringBuilder out = new StringBuilder();
        for (String line : read(p.getInputStream()).trim().split("\n")) {
            String[] kv = line.split(":\\s*");
            long mask = Long.parseUnsignedLong(kv[1].trim(), 16) & ~(0b11L << 31);
            out.append(kv[0]).append('=').append(Long.toHexString(mask)).append(' ');
        }
        return out.toString().trim();
    }

    private static void processes() {
        add("X03", "exit values of children ended by signals", c -> {
            for (String sig : List.of("INT", "QUIT", "ABRT", "KILL", "SEGV", "PIPE", "ALRM", "TERM", "USR1")) {
                c.put(sig, c.builder("sh", "-c", "kill -" + sig + " $$; sleep 5").start().waitFor());
            }
            Process p = c.builder("sleep", "30").start();
            p.destroy();
            c.put("destroy", p.waitFor());
            Process q = c.builder("sleep", "30").start();
            q.destroyForcibly();
            c.put("destroyForcibly", q.waitFor());
            Process r = c.builder("sleep", "30").start();
            r.toHandle().destroyForcibly();
            c.put("handle destroyForcibly", r.waitFor());
        });
        add("X04", "the child starts with no blocked signals and no ignored ones, from any kind of thread", c -> {
            c.put("main thread", signalMasks(c));
            String[] fromPlatform = new String[1];
            Thread t = Thread.ofPlatform().start(() -> {
                try {
                    fromPlatform[0] = signalMasks(c);
                } catch (Exception e) {
                    fromPlatform[0] = e.toString();
                }
            });
            t.join();
            c.put("other thread", fromPlatform[0]);
            try (var virtual = java.util.concurrent.Executors.newVirtualThreadPerTaskExecutor()) {
                c.put("virtual thread", virtual.submit(() -> signalMasks(c)).get());
            }
        });
        add("D05", "DestroyTest: a child trapping SIGTERM outlives destroy(), with a reader blocked on its output", c -> {
            Process p = c.builder("sh", "-c", "trap 'echo trapped' TERM INT; echo started; while :; do sleep 0.05; done")
                    .redirectErrorStream(true).start();
            BufferedReaderOutcome reader = new BufferedReaderOutcome(p);
            reader.firstLine.await(10, TimeUnit.SECONDS);
            Thread.sleep(50); // the reader is back in read()
            p.destroy();
            Thread.sleep(300);
            c.put("alive after destroy", p.isAlive());
            p.destroyForcibly().waitFor();
            c.put("alive after destroyForcibly", p.isAlive());
            c.put("exit", p.exitValue());
            reader.thread.join(10_000);
            // Whether the trap's line arrives before destroy() closed the stream is a race on either side.
            c.put("reader saw", reader.lines.getFirst());
            c.put("reader ended", reader.ending.equals("end of stream") || reader.ending.equals("Stream closed"));
        });
        add("W09", "several threads waiting at once, one of them interrupted", c -> {
            Process p = c.builder("sleep", "30").start();
            List<Thread> waiters = new ArrayList<>();
            List<String> results = new java.util.concurrent.CopyOnWriteArrayList<>();
            for (int i = 0; i < 4; i++) {
                int id = i;
                waiters.add(Thread.ofPlatform().start(() -> {
                    try {
                        results.add(id + ":" + (id == 3 ? p.waitFor(30, TimeUnit.SECONDS) : p.waitFor()));
                    } catch (InterruptedException e) {
                        results.add(id + ":interrupted");
                    }
                }));
            }
            Thread.sleep(150);
            waiters.get(1).interrupt();
            waiters.get(1).join(10_000);
            c.put("alive after an interrupted waiter", p.isAlive());
            p.destroy();
            for (Thread t : waiters) t.join(10_000);
            c.put("results", results.stream().sorted().toList());
            c.put("exit", p.exitValue());
        });
        add("H07", "pid is the child's own; info of a live child", c -> {
            Process p = c.builder("sh", "-c", "echo $$; read -r x").start();
            String line = p.inputReader().readLine();
            c.put("pid", Long.parseLong(line.trim()) == p.pid());
            ProcessHandle.Info info = p.info();
            c.put("command", info.command().map(s -> s.endsWith("sh")).orElse(false));
            c.put("arguments", info.arguments().map(Arrays::asList).orElse(null));
            c.put("commandLine", info.commandLine().map(s -> s.contains("read -r x")).orElse(false));
            c.put("user", info.user().orElse(null));
            c.put("start", info.startInstant().isPresent());
            c.put("cpu", info.totalCpuDuration().isPresent());
            c.put("handle info", p.toHandle().info().command().equals(info.command()));
            c.put("handle parent", p.toHandle().parent().orElse(null) == null ? "none"
                    : p.toHandle().parent().get().equals(ProcessHandle.current()));
            c.put("children", p.children().count());
            p.getOutputStream().close();
            c.put("exit", p.waitFor());
            c.put("info after", p.info().command().isPresent());
        });
        add("H08", "no zombie after waitFor, onExit, destroy or the handle's onExit", c -> {
            Process a = c.builder("true").start();
            a.waitFor();
            c.put("waitFor", state(a.pid()));
            Process b = c.builder("true").start();
            b.onExit().get(10, TimeUnit.SECONDS);
            c.put("onExit", state(b.pid()));
            Process d = c.builder("sleep", "30").start();
            d.destroy();
            d.waitFor(10, TimeUnit.SECONDS);
            c.put("destroy", state(d.pid()));
            Process e = c.builder("true").start();
            e.toHandle().onExit().get(10, TimeUnit.SECONDS);
            e.waitFor();
            c.put("handle onExit", state(e.pid()));
            Process f = c.builder("true").start();
            long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(10);
            while (!state(f.pid()).equals("gone") && System.nanoTime() < deadline) Thread.sleep(5);
            c.put("never waited for", state(f.pid()));
        });
        add("H09", "the JVM's children include the child until it is reaped; descendants of a tree", c -> {
            Process p = c.builder("sh", "-c", "sleep 30 & sleep 30 & wait").start();
            long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(10);
            while (p.descendants().count() < 2 && System.nanoTime() < deadline) Thread.sleep(5);
            c.put("in children", ProcessHandle.current().children().anyMatch(p.toHandle()::equals));
            c.put("descendants", p.descendants().count());
            c.put("current descendants", ProcessHandle.current().descendants()
                    .filter(h -> h.parent().map(p.toHandle()::equals).orElse(false)).count());
            c.put("children's parent", p.children().allMatch(h -> h.parent().map(p.toHandle()::equals).orElse(false)));
            List<ProcessHandle> tree = p.descendants().toList();
            tree.forEach(ProcessHandle::destroyForcibly);
            c.put("exit", p.waitFor());
            c.put("after", ProcessHandle.current().children().anyMatch(p.toHandle()::equals));
            c.put("children after", p.children().count());
        });
        add("H10", "onExit: callbacks see the exited process; the handle's future completes with the handle", c -> {
            for (int value : new int[] {0, 1, 10}) {
                Process p = c.builder("sh", "-c", "exit " + value).start();
                var seen = p.onExit().thenApply(x -> x == p && !x.isAlive() && x.exitValue() == value);
                c.put("callback " + value, seen.get(10, TimeUnit.SECONDS));
                c.put("alive " + value, p.isAlive());
            }
            Process p = c.builder("sleep", "30").start();
            var handleDone = p.toHandle().onExit();
            var processDone = p.onExit();
            c.put("not done", handleDone.isDone() || processDone.isDone());
            c.put("cancel one", p.onExit().cancel(true) + " " + p.onExit().isCancelled() + " " + processDone.isDone());
            p.destroy();
            c.put("handle", handleDone.get(10, TimeUnit.SECONDS).equals(p.toHandle()));
            c.put("process", processDone.get(10, TimeUnit.SECONDS) == p);
            c.attempt("current onExit", () -> ProcessHandle.current().onExit());
        });
        add("H11", "toHandle asked first after the reap equals a handle of the JVM's children taken while it ran", c -> {
            // Reaped by waitFor, by the exit's notification (onExit), and by a poll of isAlive.
            for (String reapedBy : List.of("waitFor", "onExit", "isAlive")) {
                Process p = c.builder("sleep", "30").start();
                ProcessHandle seen = ProcessHandle.current().children().filter(h -> h.pid() == p.pid()).findFirst()
                        .orElseThrow();
                p.destroy();
                switch (reapedBy) {
                    case "waitFor" -> p.waitFor();
                    case "onExit" -> p.onExit().get(10, TimeUnit.SECONDS);
                    default -> {
                        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(10);
                        while (p.isAlive() && System.nanoTime() < deadline) Thread.sleep(5);
                    }
                }
                ProcessHandle h = p.toHandle();
                c.put(reapedBy + ": equals", h.equals(seen) + " " + seen.equals(h));
                c.put(reapedBy + ": hash, compare", (h.hashCode() == seen.hashCode()) + " " + h.compareTo(seen));
                c.put(reapedBy + ": the JDK's kind", h.getClass() == seen.getClass());
                c.put(reapedBy + ": alive", h.isAlive() + " " + h.onExit().get(10, TimeUnit.SECONDS).equals(seen));
                c.put(reapedBy + ": in a set", new java.util.HashSet<>(List.of(seen)).contains(h));
            }
        });
        add("L01", "no descriptor left in the parent after failing and finished starts", c -> {
            c.builder("true").start().waitFor(); // the first start may open descriptors for good, on either side
            try {
                c.builder("fdkit-no-such-program").start();
            } catch (IOException expected) {
                // warm-up of the failure path
            }
            Thread.sleep(50);
            long before = openDescriptors();
            int failures = 0;
            for (int i = 0; i < 20; i++) {
                List<Builder> failing = List.of(c.builder("fdkit-no-such-program"),
                        c.builder("true").directory(c.file("missing").toFile()),
                        c.builder("cat").redirectInput(c.file("missing").toFile()),
                        c.builder("cat").redirectInput(c.dir.toFile()),
                        c.builder("true").redirectOutput(c.file("missing/out").toFile()),
                        c.builder(c.dir.toString()));
                for (Builder b : failing) {
                    try {
                        b.start();
                    } catch (IOException expected) {
                        failures++;
                    }
                }
            }
            c.put("failures", failures);
            c.put("zombie children", ProcessHandle.current().children().filter(h -> state(h.pid()).equals("Z")).count());
            for (int i = 0; i < 20; i++) {
                Process p = c.builder("echo", "x").start();
                read(p.getInputStream());
                p.waitFor();
                p.getInputStream().close();
                p.getErrorStream().close();
                p.getOutputStream().close();
            }
            Thread.sleep(50);
            c.put("left open", openDescriptors() - before);
        });
    }
}
