package dev.fdkit.spawn.conformance;

import dev.fdkit.spawn.conformance.Differential.Builder;
import dev.fdkit.spawn.conformance.Differential.Ctx;
import dev.fdkit.spawn.conformance.Differential.Scenario;

import java.io.BufferedInputStream;
import java.io.BufferedReader;
import java.io.File;
import java.io.InputStream;
import java.io.OutputStream;
import java.lang.ProcessBuilder.Redirect;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.TimeUnit;
import java.util.stream.Collectors;

import static dev.fdkit.spawn.conformance.Differential.Ctx.read;
import static dev.fdkit.spawn.conformance.Differential.Ctx.shape;

/**
 * The scenarios, grouped as the JDK's own tests of Process are (ProcessBuilder/Basic: environment, redirects,
 * streams, exit codes, destroy, waitFor, exceptions, PATH search, scripts without #!, working directory; and the
 * ProcessHandle, ReaderWriter, Destroy, Skip and WaitFor tests). Each writes down what it observes; pids and other
 * per-run values are recorded only as relations.
 */
final class Scenarios {
    private Scenarios() {}

    private static final List<Scenario> ALL = new ArrayList<>();

    static void add(String id, String what, Differential.Body body) {
        ALL.add(new Scenario(id, what, body));
    }

    static List<Scenario> all() {
        return List.copyOf(ALL);
    }

    static String sortedLines(String s) {
        return s.lines().sorted().collect(Collectors.joining("\n"));
    }

    static Path script(Ctx c, String name, String text, String mode) throws Exception {
        Path f = c.file(name);
        Files.writeString(f, text);
        Files.setPosixFilePermissions(f, PosixFilePermissions.fromString(mode));
        return f;
    }

    /** One byte written, then flush and close, each outcome recorded. */
    private static void writeFlushClose(Ctx c, OutputStream o) {
        c.attempt("write", () -> {
            o.write('x');
            return "wrote";
        });
        c.attempt("flush", () -> {
            o.flush();
            return "flushed";
        });
        c.attempt("close", () -> {
            o.close();
            return "closed";
        });
    }

    static {
        environment();
        commandsAndExceptions();
        redirects();
        streams();
        exitAndWait();
        destroy();
        handles();
        MoreScenarios.register();
        PipelineScenarios.register();
    }

    // ------------------------------------------------------------------------------------------ environment

    private static void environment() {
        add("E01", "untouched environment reaches the child", c -> {
            String env = read(c.builder("env").start().getInputStream());
            c.expect(env.contains("PATH="), "env printed PATH");
            c.put("env", sortedLines(env));
        });
        add("E02", "cleared environment plus one variable", c -> {
            Builder b = c.builder("env");
            b.environment().clear();
            b.environment().put("ONLY", "one");
            c.put("env", read(b.start().getInputStream()));
        });
        add("E03", "put with a null name or value", c -> {
            Map<String, String> env = c.builder("true").environment();
            c.attempt("null name", () -> env.put(null, "v"));
            c.attempt("null value", () -> env.put("K", null));
            c.attempt("get null", () -> env.get(null));
            c.attempt("containsKey null", () -> env.containsKey(null));
            c.attempt("remove null", () -> env.remove(null));
        });
        add("E04", "names with '=' or NUL and values with NUL are refused at put", c -> {
            Map<String, String> env = c.builder("true").environment();
            c.attempt("equals in name", () -> env.put("A=B", "v"));
            c.attempt("NUL in name", () -> env.put("A\0B", "v"));
            c.attempt("NUL in value", () -> env.put("K", "v\0w"));
            c.attempt("setValue NUL", () -> env.entrySet().iterator().next().setValue("x\0"));
            c.attempt("size unchanged", () -> env.size() == System.getenv().size());
        });
        add("E05", "non-String keys and values", c -> {
            @SuppressWarnings({"unchecked", "rawtypes"})
            Map<Object, Object> raw = (Map) c.builder("true").environment();
            c.attempt("get(Integer)", () -> raw.get(1));
            c.attempt("containsKey(Integer)", () -> raw.containsKey(1));
            c.attempt("containsValue(Integer)", () -> raw.containsValue(1));
            c.attempt("remove(Integer)", () -> raw.remove(1));
            c.attempt("put(Integer)", () -> raw.put(1, "v"));
        });
        add("E06", "an empty name is allowed", c -> {
            Builder b = c.builder("sh", "-c", "env | grep -c '^=empty$' || true");
            c.attempt("put empty name", () -> b.environment().put("", "empty"));
            c.attempt("get empty name", () -> b.environment().get(""));
            Process p = b.start();
            c.put("child", read(p.getInputStream()).trim());
            c.put("exit", p.waitFor());
        });
        add("E07", "the map's views and equality", c -> {
            Map<String, String> env = c.builder("true").environment();
            c.put("equals getenv", env.equals(System.getenv()));
            c.put("getenv equals", System.getenv().equals(env));
            c.put("hash", env.hashCode() == System.getenv().hashCode());
            c.put("keySet PATH", env.keySet().contains("PATH"));
            c.put("values PATH", env.values().contains(System.getenv("PATH")));
            c.put("entry PATH", env.entrySet().contains(Map.entry("PATH", System.getenv("PATH"))));
            c.put("keySet remove", env.keySet().remove("PATH"));
            c.put("PATH after", env.get("PATH"));
            env.put("X", "1");
            c.put("values remove", env.values().remove("1"));
            c.put("X after", env.containsKey("X"));
            env.put("Y", "2");
            var it = env.entrySet().iterator();
            while (it.hasNext()) if (it.next().getKey().equals("Y")) it.remove();
            c.put("Y after", env.get("Y"));
            c.attempt("put returns old", () -> {
                env.put("Z", "a");
                return env.put("Z", "b");
            });
            c.attempt("entry setValue null", () -> env.entrySet().iterator().next().setValue(null));
            c.put("toString has Z", env.toString().contains("Z=b"));
        });
        add("E08", "removing PATH from the child's environment still finds the program in the parent's PATH", c -> {
            Builder b = c.builder("sh", "-c", "echo \"${PATH-unset}\"");
            b.environment().remove("PATH");
            Process p = b.start();
            c.put("out", read(p.getInputStream()).trim());
            c.put("exit", p.waitFor());
        });
        add("E09", "non-ASCII names and values", c -> {
            Builder b = c.builder("sh", "-c", "printf %s \"$VALUE_X\"");
            b.environment().put("VALUE_X", "grüße €");
            b.environment().put("NÄME", "ü");
            Process p = b.start();
            c.put("out", read(p.getInputStream()));
            c.put("exit", p.waitFor());
        });
        add("E10", "a touched environment keeps the other variables", c -> {
            Builder b = c.builder("env");
            b.environment().put("ADDED", "yes");
            b.environment().remove("HOME");
            c.put("env", sortedLines(read(b.start().getInputStream())));
        });
        add("E11", "a variable set with setenv(3) after the JVM started reaches a child of an untouched builder", c -> {
            NativeEnv.setenv("FDKIT_CONFORMANCE_LATE", "late value");
            try {
                Process p = c.builder("sh", "-c", "echo \"${FDKIT_CONFORMANCE_LATE-unset}\"").start();
                c.put("untouched", read(p.getInputStream()).trim());
                Builder b = c.builder("sh", "-c", "echo \"${FDKIT_CONFORMANCE_LATE-unset}\"");
                b.environment().put("OTHER", "x");
                c.put("touched", read(b.start().getInputStream()).trim());
                c.put("getenv", System.getenv("FDKIT_CONFORMANCE_LATE"));
            } finally {
                NativeEnv.unsetenv("FDKIT_CONFORMANCE_LATE");
            }
        });
    }

    // ------------------------------------------------------------------------------------------ commands, exceptions

    private static void commandsAndExceptions() {
        add("C01", "an empty command", c -> c.attempt("start", () -> c.builder().start()));
        add("C02", "a null element in the command", c -> {
            Builder b = c.builder("echo");
            b.command().add(null);
            c.attempt("start", b::start);
        });
        add("C03", "NUL in the program or an argument", c -> {
            c.attempt("program", () -> c.builder("ec\0ho").start());
            c.attempt("argument", () -> c.builder("echo", "a\0b").start());
        });
        add("C04", "a program not in PATH", c -> {
            c.attempt("start", () -> c.builder("fdkit-conformance-no-such-program", "arg").start());
        });
        add("C05", "an absolute path that does not exist", c -> {
            c.attempt("start", () -> c.builder("/no/such/dir/prog").start());
        });
        add("C06", "a directory as the program", c -> c.attempt("start", () -> c.builder(c.dir.toString()).start()));
        add("C07", "a file without execute permission", c -> {
            Path f = script(c, "noexec.sh", "#!/bin/sh\necho hi\n", "rw-r--r--");
            c.attempt("start", () -> c.builder(f.toString()).start());
        });
        add("C08", "a missing working directory", c -> {
            c.attempt("start", () -> c.builder("true").directory(c.file("missing").toFile()).start());
            c.attempt("missing program too",
                    () -> c.builder("fdkit-no-such-program").directory(c.file("missing").toFile()).start());
        });
        add("C09", "a regular file as the working directory", c -> {
            Files.writeString(c.file("plain"), "x");
            c.attempt("start", () -> c.builder("true").directory(c.file("plain").toFile()).start());
        });
        add("C10", "an empty program name", c -> c.attempt("start", () -> c.builder("").start()));
        add("C11", "a script without #! runs through /bin/sh", c -> {
            Path f = script(c, "noshebang", "echo \"no shebang: $1\"\nexit 7\n", "rwxr-xr-x");
            Process p = c.builder(f.toString(), "arg1").start();
            c.put("out", read(p.getInputStream()));
            c.put("exit", p.waitFor());
        });
        add("C12", "an empty executable file", c -> {
            Path f = script(c, "empty", "", "rwxr-xr-x");
            Process p = c.builder(f.toString()).start();
            c.put("out", read(p.getInputStream()));
            c.put("exit", p.waitFor());
        });
        add("C13", "a script with #! and arguments", c -> {
            Path f = script(c, "args.sh", "#!/bin/sh\nfor a in \"$@\"; do printf '[%s]' \"$a\"; done\n", "rwxr-xr-x");
            Process p = c.builder(f.toString(), "a b", "", "ü", "*").start();
            c.put("out", read(p.getInputStream()));
            c.put("exit", p.waitFor());
        });
        add("C14", "PATH search finds a program and passes argv[0] as given", c -> {
            Process p = c.builder("sh", "-c", "echo \"$0\"").start();
            c.put("out", read(p.getInputStream()));
            c.put("exit", p.waitFor());
        });
        add("C15", "a relative program with a slash is resolved in the working directory", c -> {
            Files.createDirectories(c.file("sub"));
            script(c, "sub/here.sh", "#!/bin/sh\npwd\n", "rwxr-xr-x");
            Process p = c.builder("./here.sh").directory(c.file("sub").toFile()).start();
            c.put("out", read(p.getInputStream()).trim().equals(c.file("sub").toRealPath().toString()));
            c.put("exit", p.waitFor());
        });
        add("C16", "the working directory", c -> {
            Process p = c.builder("pwd").directory(c.dir.toFile()).start();
            c.put("out", read(p.getInputStream()).trim().equals(c.dir.toRealPath().toString()));
            Process q = c.builder("pwd").directory(null).start();
            c.put("default", read(q.getInputStream()).trim().equals(Path.of("").toAbsolutePath().toString()));
        });
        add("C17", "command() is live and modifiable", c -> {
            Builder b = c.builder("echo", "one");
            b.command().add("two");
            Process p = b.start();
            c.put("out", read(p.getInputStream()));
            c.put("command", b.command());
        });
        add("C18", "the first start error wins: redirect files are opened before the program is looked up", c -> {
            c.attempt("start", () -> c.builder("fdkit-no-such-program")
                    .redirectInput(Redirect.from(c.file("missing-in").toFile())).start());
        });
        add("C19", "a program that is a symlink to a missing file", c -> {
            Files.createSymbolicLink(c.file("dangling"), c.file("nowhere"));
            c.attempt("start", () -> c.builder(c.file("dangling").toString()).start());
        });
    }

    // ------------------------------------------------------------------------------------------ redirects

    private static void redirects() {
        add("R01", "stdout to a file; the Process stream is a null stream, also after close", c -> {
            File out = c.file("out.txt").toFile();
            Process p = c.builder("echo", "to file").redirectOutput(Redirect.to(out)).start();
            c.put("exit", p.waitFor());
            c.put("file", c.text(out.toPath()));
            InputStream in = p.getInputStream();
            c.attempt("read", in::read);
            c.attempt("available", in::available);
            c.attempt("close", () -> {
                in.close();
                return "ok";
            });
            c.attempt("read after close", in::read);
            c.attempt("available after close", in::available);
            c.attempt("skip after close", () -> in.skip(5));
        });
        add("R02", "append twice", c -> {
            Redirect r = Redirect.appendTo(c.file("log").toFile());
            c.builder("echo", "one").redirectOutput(r).start().waitFor();
            c.builder("echo", "two").redirectOutput(r).start().waitFor();
            c.put("file", c.text(c.file("log")));
        });
        add("R03", "redirectErrorStream with redirectError(file): the file is still created and truncated", c -> {
            Files.writeString(c.file("err"), "old content");
            Process p = c.builder("sh", "-c", "echo out; echo err >&2")
                    .redirectError(Redirect.to(c.file("err").toFile())).redirectErrorStream(true).start();
            c.put("merged", sortedLines(read(p.getInputStream())));
            c.put("stderr stream", read(p.getErrorStream()));
            c.put("exit", p.waitFor());
            c.put("err file", c.text(c.file("err")));
        });
        add("R04", "stdin from a file", c -> {
            Files.writeString(c.file("in"), "from file\n");
            Process p = c.builder("cat").redirectInput(Redirect.from(c.file("in").toFile())).start();
            c.put("out", read(p.getInputStream()));
            writeFlushClose(c, p.getOutputStream());
            c.put("exit", p.waitFor());
        });
        add("R05", "stdin from a directory", c -> {
            c.attempt("start", () -> c.builder("cat").redirectInput(Redirect.from(c.dir.toFile())).start());
        });
        add("R06", "stdout or stderr to a directory", c -> {
            c.attempt("stdout", () -> c.builder("true").redirectOutput(Redirect.to(c.dir.toFile())).start());
            c.attempt("stderr", () -> c.builder("true").redirectError(Redirect.appendTo(c.dir.toFile())).start());
        });
        add("R07", "stdout to a file in a missing directory", c -> {
            c.attempt("start", () -> c.builder("true")
                    .redirectOutput(Redirect.to(c.file("missing/out").toFile())).start());
        });
        add("R08", "redirectErrorStream with redirectError into a missing directory fails", c -> {
            c.attempt("start", () -> c.builder("true").redirectErrorStream(true)
                    .redirectError(Redirect.to(c.file("missing/err").toFile())).start());
        });
        add("R09", "redirectErrorStream with redirectError to a directory fails", c -> {
            c.attempt("start", () -> c.builder("true").redirectErrorStream(true)
                    .redirectError(Redirect.to(c.dir.toFile())).start());
        });
        add("R10", "DISCARD", c -> {
            Process p = c.builder("sh", "-c", "echo out; echo err >&2").redirectOutput(Redirect.DISCARD)
                    .redirectError(Redirect.DISCARD).start();
            c.put("stdout", read(p.getInputStream()));
            c.put("stderr", read(p.getErrorStream()));
            c.put("exit", p.waitFor());
            Process q = c.builder("sh", "-c", "echo err >&2").redirectOutput(Redirect.DISCARD)
                    .redirectErrorStream(true).start();
            c.put("merged discard", read(q.getInputStream()) + read(q.getErrorStream()));
        });
        add("R11", "INHERIT gives null streams", c -> {
            Process p = c.builder("true").inheritIO().start();
            c.put("exit", p.waitFor());
            c.attempt("stdout read", () -> p.getInputStream().read());
            c.attempt("stderr available", () -> p.getErrorStream().available());
            c.attempt("stdin write", () -> {
                p.getOutputStream().write(1);
                return "wrote";
            });
            c.attempt("stdin write array", () -> {
                p.getOutputStream().write(new byte[3]);
                return "wrote";
            });
            c.attempt("stdin flush", () -> {
                p.getOutputStream().flush();
                return "flushed";
            });
            c.put("same stream", p.getInputStream() == p.getErrorStream());
        });
        add("R12", "stdin from a missing file", c -> {
            c.attempt("start", () -> c.builder("cat").redirectInput(Redirect.from(c.file("nope").toFile())).start());
        });
        add("R13", "invalid redirect arguments", c -> {
            Builder b = c.builder("cat");
            c.attempt("input WRITE", () -> b.redirectInput(Redirect.to(c.file("x").toFile())));
            c.attempt("input APPEND", () -> b.redirectInput(Redirect.appendTo(c.file("x").toFile())));
            c.attempt("output READ", () -> b.redirectOutput(Redirect.from(c.file("x").toFile())));
            c.attempt("error READ", () -> b.redirectError(Redirect.from(c.file("x").toFile())));
            c.attempt("input null", () -> b.redirectInput((Redirect) null));
        });
        add("R14", "stdout and stderr to the same file with append", c -> {
            Redirect r = Redirect.appendTo(c.file("both").toFile());
            Process p = c.builder("sh", "-c", "echo 1; echo 2 >&2; echo 3").redirectOutput(r).redirectError(r).start();
            c.put("exit", p.waitFor());
            c.put("file", c.text(c.file("both")));
        });
        add("R15", "redirectErrorStream merges into the stdout pipe; the error stream is a null stream", c -> {
            Process p = c.builder("sh", "-c", "echo out; echo err >&2").redirectErrorStream(true).start();
            c.put("merged", sortedLines(read(p.getInputStream())));
            InputStream err = p.getErrorStream();
            c.attempt("err read", err::read);
            c.attempt("err close", () -> {
                err.close();
                return "closed";
            });
            c.attempt("err read after close", err::read);
            c.put("exit", p.waitFor());
        });
    }

    // ------------------------------------------------------------------------------------------ streams

    private static void streams() {
        add("S01", "cat echoes stdin", c -> {
            Process p = c.builder("cat").start();
            try (OutputStream o = p.getOutputStream()) {
                o.write("hello\nworld\n".getBytes(StandardCharsets.UTF_8));
            }
            c.put("out", read(p.getInputStream()));
            c.put("exit", p.waitFor());
        });
        add("S02", "a megabyte on stdout and stderr at once", c -> {
            Process p = c.builder("sh", "-c", "head -c 1000000 /dev/zero; head -c 700000 /dev/zero >&2").start();
            byte[][] err = new byte[1][];
            Thread t = Thread.ofPlatform().start(() -> {
                try {
                    err[0] = p.getErrorStream().readAllBytes();
                } catch (Exception e) {
                    err[0] = new byte[0];
                }
            });
            c.put("stdout", p.getInputStream().readAllBytes().length);
            t.join();
            c.put("stderr", err[0].length);
            c.put("exit", p.waitFor());
        });
        add("S03", "output is still readable after the child exited", c -> {
            Process p = c.builder("sh", "-c", "echo after exit; echo e >&2").start();
            c.put("exit", p.waitFor());
            c.put("out", read(p.getInputStream()));
            c.put("err", read(p.getErrorStream()));
            c.attempt("read again", () -> p.getInputStream().read());
            c.attempt("available", () -> p.getInputStream().available());
        });
        add("S04", "destroy closes the caller's buffered stream, buffered bytes included", c -> {
            Process p = c.builder("sh", "-c", "echo abcdef; exec sleep 30").start();
            InputStream in = p.getInputStream();
            c.attempt("first byte", () -> (char) in.read());
            p.destroy();
            c.attempt("read after destroy", in::read);
            c.attempt("available after destroy", in::available);
            c.put("exit", p.waitFor());
        });
        add("S05", "destroy flushes unflushed stdin bytes", c -> {
            Path out = c.file("got");
            Process p = c.builder("sh", "-c", "trap '' TERM; echo ready >&2; cat")
                    .redirectOutput(Redirect.to(out.toFile())).start();
            c.put("ready", p.errorReader().readLine()); // the trap is set: SIGTERM cannot end it before cat reads
            p.getOutputStream().write("unflushed".getBytes(StandardCharsets.UTF_8));
            p.destroy();
            c.put("exit", p.waitFor());
            c.put("child read", c.text(out));
        });
        add("S06", "writing stdin after the child exited", c -> {
            Process p = c.builder("true").start();
            c.put("exit", p.waitFor());
            Thread.sleep(50); // the exit is handled by the reaper asynchronously on both sides
            writeFlushClose(c, p.getOutputStream());
        });
        add("S07", "reading a closed stream", c -> {
            Process p = c.builder("echo", "x").start();
            p.getInputStream().close();
            c.attempt("read", () -> p.getInputStream().read());
            c.attempt("available", () -> p.getInputStream().available());
            c.attempt("skip", () -> p.getInputStream().skip(1));
            c.attempt("close again", () -> {
                p.getInputStream().close();
                return "closed";
            });
            p.waitFor(); // echo may or may not see the closed pipe (SIGPIPE): the exit value is a race
        });
        add("S08", "available() once output arrived", c -> {
            Process p = c.builder("printf", "12345").start();
            c.put("exit", p.waitFor());
            c.attempt("available", () -> p.getInputStream().available());
            c.put("out", read(p.getInputStream()));
        });
        add("S09", "skip on a child's output", c -> {
            Process p = c.builder("sh", "-c", "printf 0123456789; sleep 0.1; printf abcdefghij").start();
            InputStream in = p.getInputStream();
            c.put("read", (char) in.read());
            long skipped = 0;
            while (skipped < 12) {
                long n = in.skip(12 - skipped);
                if (n <= 0) break;
                skipped += n;
            }
            c.put("skipped", skipped);
            c.put("rest", read(in));
            c.attempt("skip at end", () -> in.skip(10));
            c.attempt("skip negative", () -> in.skip(-1));
            c.put("exit", p.waitFor());
        });
        add("S10", "inputReader, errorReader and outputWriter", c -> {
            Process p = c.builder("sh", "-c", "cat; echo fehler >&2").start();
            try (var w = p.outputWriter(StandardCharsets.UTF_8)) {
                w.write("zeile ü\n");
            }
            BufferedReader r = p.inputReader(StandardCharsets.UTF_8);
            c.put("same reader", r == p.inputReader(StandardCharsets.UTF_8));
            c.attempt("other charset", () -> p.inputReader(StandardCharsets.ISO_8859_1));
            c.put("line", r.readLine());
            c.put("err", p.errorReader().readLine());
            c.attempt("writer other charset", () -> p.outputWriter(StandardCharsets.ISO_8859_1));
            c.put("exit", p.waitFor());
        });
        add("S11", "read into an array with bad bounds", c -> {
            Process p = c.builder("echo", "x").start();
            InputStream in = p.getInputStream();
            c.attempt("negative length", () -> in.read(new byte[4], 0, -1));
            c.attempt("past the end", () -> in.read(new byte[4], 2, 3));
            c.attempt("null array", () -> in.read(null, 0, 1));
            c.attempt("zero length", () -> in.read(new byte[4], 0, 0));
            c.put("exit", p.waitFor());
        });
        add("S12", "stdin closed by the caller gives the child EOF", c -> {
            Process p = c.builder("wc", "-c").start();
            p.getOutputStream().write(new byte[100_000]);
            p.getOutputStream().close();
            c.put("out", read(p.getInputStream()).trim());
            c.attempt("write after close", () -> {
                p.getOutputStream().write(1);
                return "wrote";
            });
            c.put("exit", p.waitFor());
        });
        add("S13", "a reader blocked on output survives destroy and sees the end", c -> {
            Process p = c.builder("sleep", "30").start();
            InputStream in = p.getInputStream();
            Object[] got = new Object[1];
            Thread t = Thread.ofPlatform().start(() -> {
                try {
                    got[0] = in.read();
                } catch (Exception e) {
                    got[0] = e.getClass().getName();
                }
            });
            Thread.sleep(100);
            p.destroyForcibly();
            t.join();
            c.put("reader got", got[0]);
            c.put("exit", p.waitFor());
        });
        add("S14", "writing to a child that exited without reading", c -> {
            Process p = c.builder("sh", "-c", "exit 3").start();
            c.put("exit", p.waitFor());
            Thread.sleep(50);
            c.attempt("write big", () -> {
                p.getOutputStream().write(new byte[200_000]);
                p.getOutputStream().flush();
                return "written";
            });
        });
        add("S15", "the streams are the same objects every time", c -> {
            Process p = c.builder("true").start();
            c.put("in", p.getInputStream() == p.getInputStream());
            c.put("out", p.getOutputStream() == p.getOutputStream());
            c.put("err", p.getErrorStream() == p.getErrorStream());
            c.put("buffered in", p.getInputStream() instanceof BufferedInputStream);
            c.put("buffered out", p.getOutputStream() instanceof java.io.BufferedOutputStream);
            c.put("exit", p.waitFor());
        });
        add("S16", "destroyForcibly flushes unflushed stdin bytes too (into a dying child: no error)", c -> {
            Process p = c.builder("sleep", "30").start();
            p.getOutputStream().write("pending".getBytes(StandardCharsets.UTF_8));
            p.destroyForcibly();
            c.put("exit", p.waitFor());
            c.attempt("write after", () -> {
                p.getOutputStream().write(1);
                return "wrote";
            });
        });
    }

    // ------------------------------------------------------------------------------------------ exit codes, waiting

    private static void exitAndWait() {
        add("X01", "exit codes", c -> {
            for (String code : List.of("0", "1", "42", "127", "255")) {
                c.put("exit " + code, c.builder("sh", "-c", "exit " + code).start().waitFor());
            }
            c.put("kill -9", c.builder("sh", "-c", "kill -9 $$").start().waitFor());
            c.put("kill -TERM", c.builder("sh", "-c", "kill -TERM $$").start().waitFor());
            c.put("kill -HUP", c.builder("sh", "-c", "kill -HUP $$").start().waitFor());
            c.put("false", c.builder("false").start().waitFor());
        });
        add("X02", "exitValue, isAlive and toString before and after the exit", c -> {
            Process p = c.builder("sleep", "30").start();
            c.attempt("exitValue alive", p::exitValue);
            c.put("alive", p.isAlive());
            c.put("toString alive", shape(p));
            p.destroy();
            c.put("waitFor", p.waitFor());
            c.put("alive after", p.isAlive());
            c.attempt("exitValue after", p::exitValue);
            c.put("toString after", shape(p));
        });
        add("W01", "waitFor with zero, negative and overflowing timeouts on a live child", c -> {
            Process p = c.builder("sleep", "30").start();
            c.attempt("0 ms", () -> p.waitFor(0, TimeUnit.MILLISECONDS));
            c.attempt("-1 s", () -> p.waitFor(-1, TimeUnit.SECONDS));
            c.attempt("MIN ns", () -> p.waitFor(Long.MIN_VALUE, TimeUnit.NANOSECONDS));
            c.attempt("MIN days", () -> p.waitFor(Long.MIN_VALUE, TimeUnit.DAYS));
            c.attempt("Duration MIN", () -> p.waitFor(Duration.ofSeconds(Long.MIN_VALUE)));
            c.attempt("Duration -1ns", () -> p.waitFor(Duration.ofNanos(-1)));
            c.attempt("Duration ZERO", () -> p.waitFor(Duration.ZERO));
            c.attempt("100 ms", () -> p.waitFor(100, TimeUnit.MILLISECONDS));
            c.attempt("null unit", () -> p.waitFor(1, null));
            c.attempt("null duration", () -> p.waitFor((Duration) null));
            p.destroyForcibly();
            c.put("waitFor", p.waitFor());
        });
        add("W02", "waitFor with huge and negative timeouts on an exited child", c -> {
            Process p = c.builder("true").start();
            c.attempt("MAX days", () -> p.waitFor(Long.MAX_VALUE, TimeUnit.DAYS));
            c.attempt("MIN ns", () -> p.waitFor(Long.MIN_VALUE, TimeUnit.NANOSECONDS));
            c.attempt("Duration MAX", () -> p.waitFor(Duration.ofSeconds(Long.MAX_VALUE)));
            c.attempt("null unit", () -> p.waitFor(0, null));
            c.put("exit", p.exitValue());
        });
        add("W03", "an interrupted waitFor", c -> {
            Process p = c.builder("sleep", "30").start();
            Thread.currentThread().interrupt();
            c.attempt("waitFor()", p::waitFor);
            c.put("flag after waitFor()", Thread.interrupted());
            Thread.currentThread().interrupt();
            c.attempt("waitFor(10 s)", () -> p.waitFor(10, TimeUnit.SECONDS));
            c.put("flag after timed", Thread.interrupted());
            Thread.currentThread().interrupt();
            c.attempt("waitFor(0)", () -> p.waitFor(0, TimeUnit.SECONDS));
            c.put("flag after zero", Thread.interrupted());
            p.destroyForcibly();
            c.put("exit", p.waitFor());
            Thread.currentThread().interrupt();
            c.attempt("exited, interrupted waitFor()", p::waitFor);
            c.attempt("exited, interrupted waitFor(1 s)", () -> p.waitFor(1, TimeUnit.SECONDS));
            c.put("flag kept", Thread.interrupted());
        });
        add("W04", "an interrupt from another thread while waiting", c -> {
            Process p = c.builder("sleep", "30").start();
            Thread waiter = Thread.currentThread();
            Thread.ofPlatform().start(() -> {
                try {
                    Thread.sleep(100);
                } catch (InterruptedException ignored) {
                    // not interrupted
                }
                waiter.interrupt();
            });
            c.attempt("waitFor()", p::waitFor);
            c.put("alive", p.isAlive());
            p.destroy();
            c.put("exit", p.waitFor());
        });
        add("W05", "onExit", c -> {
            Process p = c.builder("sh", "-c", "exit 5").start();
            Process done = p.onExit().get(10, TimeUnit.SECONDS);
            c.put("same process", done == p);
            c.put("exit", done.exitValue());
            c.put("alive", done.isAlive());
            c.put("again", p.onExit().get() == p);
            c.put("after", p.onExit().get() == p);
        });
        add("W06", "onExit of a running child completes when it is destroyed", c -> {
            Process p = c.builder("sleep", "30").start();
            var f = p.onExit();
            c.put("done early", f.isDone());
            p.destroy();
            c.put("same", f.get(10, TimeUnit.SECONDS) == p);
            c.put("exit", p.exitValue());
        });
        add("W07", "many short children waited in order", c -> {
            List<Process> ps = new ArrayList<>();
            for (int i = 0; i < 20; i++) ps.add(c.builder("sh", "-c", "exit " + i).start());
            StringBuilder codes = new StringBuilder();
            for (Process p : ps) codes.append(p.waitFor()).append(' ');
            c.put("codes", codes);
        });
        add("W08", "supportsNormalTermination", c -> {
            Process p = c.builder("true").start();
            c.put("process", p.supportsNormalTermination());
            c.put("handle", p.toHandle().supportsNormalTermination());
            p.waitFor();
        });
    }

    // ------------------------------------------------------------------------------------------ destroy

    private static void destroy() {
        add("D01", "destroy, destroyForcibly and destroying twice", c -> {
            Process p = c.builder("sleep", "30").start();
            p.destroy();
            c.put("SIGTERM", p.waitFor());
            p.destroy();
            c.put("twice", p.exitValue());
            Process q = c.builder("sleep", "30").start();
            c.put("returns itself", q.destroyForcibly() == q);
            c.put("SIGKILL", q.waitFor());
        });
        add("D02", "destroy of a child that ignores SIGTERM", c -> {
            Process p = c.builder("sh", "-c", "trap '' TERM; echo ready; while :; do sleep 0.05; done").start();
            BufferedReader r = p.inputReader();
            c.put("line", r.readLine());
            p.destroy();
            c.attempt("wait 200 ms", () -> p.waitFor(200, TimeUnit.MILLISECONDS));
            p.destroyForcibly();
            c.put("exit", p.waitFor());
        });
        add("D03", "destroying a child that already exited", c -> {
            Process p = c.builder("true").start();
            p.waitFor();
            p.destroy();
            p.destroyForcibly();
            c.put("exit", p.exitValue());
            c.put("handle destroy", p.toHandle().destroy());
            c.put("handle destroyForcibly", p.toHandle().destroyForcibly());
        });
        add("D04", "a destroyed child's descendants are not destroyed", c -> {
            Path pidFile = c.file("grandchild");
            Process p = c.builder("sh", "-c", "sleep 30 & echo $! > " + pidFile + "; wait").start();
            long deadlineMillis = System.currentTimeMillis() + 10_000;
            while (c.text(pidFile).isBlank() || c.text(pidFile).equals("<missing>")) {
                if (System.currentTimeMillis() > deadlineMillis) break;
                Thread.sleep(10);
            }
            long grandchild = Long.parseLong(c.text(pidFile).trim());
            p.destroy();
            c.put("exit", p.waitFor());
            Optional<ProcessHandle> h = ProcessHandle.of(grandchild);
            c.put("grandchild alive", h.map(ProcessHandle::isAlive).orElse(false));
            h.ifPresent(ProcessHandle::destroyForcibly);
        });
    }

    // ------------------------------------------------------------------------------------------ handles

    private static void handles() {
        add("H01", "toHandle equals, hashes and compares like the JDK's handle", c -> {
            Process p = c.builder("sleep", "30").start();
            ProcessHandle h = p.toHandle();
            ProcessHandle jdk = ProcessHandle.of(p.pid()).orElseThrow();
            c.put("h.equals(of)", h.equals(jdk));
            c.put("of.equals(h)", jdk.equals(h));
            c.put("hash", h.hashCode() == jdk.hashCode());
            c.attempt("h.compareTo(of)", () -> h.compareTo(jdk));
            c.attempt("of.compareTo(h)", () -> jdk.compareTo(h));
            c.attempt("compareTo(current)", () -> Integer.signum(h.compareTo(ProcessHandle.current()))
                    == Integer.signum(Long.compare(p.pid(), ProcessHandle.current().pid())));
            c.put("same handle", p.toHandle() == p.toHandle());
            c.put("toString", h.toString().equals(Long.toString(p.pid())));
            c.put("in children", ProcessHandle.current().children().toList().contains(h));
            c.put("children contain", ProcessHandle.current().children().anyMatch(h::equals));
            c.put("in descendants", ProcessHandle.current().descendants().anyMatch(x -> x.equals(h)));
            c.put("set", new java.util.HashSet<>(ProcessHandle.current().children().toList()).contains(h));
            p.destroy();
            p.waitFor();
        });
        add("H02", "the handle's view of a running and an exited child", c -> {
            Process p = c.builder("sleep", "30").start();
            ProcessHandle h = p.toHandle();
            c.put("pid", h.pid() == p.pid());
            c.put("alive", h.isAlive());
            c.put("parent", h.parent().map(x -> x.equals(ProcessHandle.current())).orElse(false));
            c.put("command", h.info().command().map(s -> s.endsWith("/sleep")).orElse(false));
            c.put("process info", p.info().command().isPresent());
            c.put("destroy", h.destroy());
            c.put("onExit same", h.onExit().get(10, TimeUnit.SECONDS) == h);
            p.waitFor();
            c.put("alive after", h.isAlive());
            c.put("destroy after", h.destroy());
            c.put("info after", h.info().command().isPresent());
            c.put("parent after", h.parent().isPresent());
            c.put("exit", p.exitValue());
        });
        add("H03", "children and descendants of a child", c -> {
            Path ready = c.file("ready");
            Process p = c.builder("sh", "-c", "sleep 30 & sleep 30 & : > " + ready + "; wait").start();
            while (!Files.exists(ready)) Thread.sleep(10);
            c.put("children", p.children().count());
            c.put("handle children", p.toHandle().children().count());
            c.put("descendants", p.descendants().count());
            List<ProcessHandle> grandchildren = p.descendants().toList();
            p.destroyForcibly();
            c.put("exit", p.waitFor());
            for (ProcessHandle g : grandchildren) g.destroyForcibly();
            c.put("children after", p.children().count());
        });
        add("H04", "handle onExit of a child that exits by itself", c -> {
            Process p = c.builder("sh", "-c", "sleep 0.1; exit 9").start();
            ProcessHandle h = p.toHandle();
            ProcessHandle done = h.onExit().get(10, TimeUnit.SECONDS);
            c.put("same", done == h);
            c.put("exit", p.waitFor());
            c.put("alive", done.isAlive());
        });
        add("H05", "ProcessHandle.of the child while alive and after", c -> {
            Process p = c.builder("sleep", "30").start();
            c.put("of present", ProcessHandle.of(p.pid()).isPresent());
            p.destroyForcibly();
            p.waitFor();
            c.put("of after", ProcessHandle.of(p.pid()).map(ProcessHandle::isAlive).orElse(false));
        });
        add("H06", "Process.toString, pid and handle agree", c -> {
            Process p = c.builder("true").start();
            c.put("pid", p.pid() == p.toHandle().pid());
            p.waitFor();
            c.put("toString", shape(p));
        });
    }
}
