package dev.fdkit.spawn.conformance;

import dev.fdkit.spawn.conformance.Differential.Builder;
import dev.fdkit.spawn.conformance.Differential.Ctx;

import java.io.InputStream;
import java.lang.ProcessBuilder.Redirect;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;

import static dev.fdkit.spawn.conformance.Differential.Ctx.read;
import static dev.fdkit.spawn.conformance.Scenarios.add;

/** startPipeline: the pipes between stages, the null streams they leave, the redirect checks and the clean-up. */
final class PipelineScenarios {
    private PipelineScenarios() {}

    /** Whether a child of this JVM runs with {@code marker} among its arguments. */
    private static boolean childWithArgument(String marker) {
        return ProcessHandle.current().children().anyMatch(h -> h.isAlive()
                && h.info().arguments().map(a -> Arrays.asList(a).contains(marker)).orElse(false));
    }

    static void register() {
        add("P01", "three stages: data flows through, the streams between stages are null streams", c -> {
            List<Process> ps = c.startPipeline(List.of(c.builder("printf", "b\\na\\nc\\n"), c.builder("sort"),
                    c.builder("tr", "a-z", "A-Z")));
            c.put("count", ps.size());
            c.put("out", read(ps.get(2).getInputStream()));
            for (int i = 0; i < 3; i++) {
                Process p = ps.get(i);
                c.put("exit " + i, p.waitFor());
                c.attempt("stdout read " + i, () -> p.getInputStream().read());
                c.attempt("stderr read " + i, () -> p.getErrorStream().read());
                c.attempt("stdin write " + i, () -> {
                    p.getOutputStream().write('x');
                    p.getOutputStream().flush();
                    return "wrote";
                });
            }
            c.put("list modifiable", ps.getClass().getName().equals(ArrayList.class.getName()));
        });
        add("P02", "the first stage's stdin is a pipe of the caller; a single stage is a plain start", c -> {
            List<Process> ps = c.startPipeline(List.of(c.builder("cat"), c.builder("wc", "-c")));
            ps.get(0).getOutputStream().write("12345".getBytes(StandardCharsets.UTF_8));
            ps.get(0).getOutputStream().close();
            c.put("out", read(ps.get(1).getInputStream()).trim());
            c.put("exits", ps.get(0).waitFor() + " " + ps.get(1).waitFor());
            List<Process> one = c.startPipeline(List.of(c.builder("echo", "alone")));
            c.put("one", read(one.get(0).getInputStream()));
            c.put("empty", c.startPipeline(new ArrayList<>()));
        });
        add("P03", "redirects of the ends: input from a file, output appended, a merged stage's stderr goes down the pipe", c -> {
            Files.writeString(c.file("in"), "from file\n");
            Files.writeString(c.file("out"), "before\n");
            Builder first = c.builder("sh", "-c", "cat; echo to-stderr >&2").redirectErrorStream(true)
                    .redirectInput(Redirect.from(c.file("in").toFile()));
            Builder last = c.builder("cat").redirectOutput(Redirect.appendTo(c.file("out").toFile()));
            List<Process> ps = c.startPipeline(List.of(first, last));
            c.put("exits", ps.get(0).waitFor() + " " + ps.get(1).waitFor());
            c.put("file", c.text(c.file("out")));
            c.attempt("merged stderr read", () -> ps.get(0).getErrorStream().read());
            c.put("builder untouched input", first.redirectInput().file() != null);
        });
        add("P04", "a redirect between stages that is not PIPE", c -> {
            c.attempt("output of the first", () -> c.startPipeline(List.of(
                    c.builder("true").redirectOutput(Redirect.to(c.file("x").toFile())), c.builder("cat"))));
            c.attempt("input of the second", () -> c.startPipeline(List.of(c.builder("true"),
                    c.builder("cat").redirectInput(Redirect.from(c.file("x").toFile())))));
            c.attempt("INHERIT in the middle", () -> c.startPipeline(List.of(c.builder("true"),
                    c.builder("cat").redirectOutput(Redirect.INHERIT), c.builder("cat"))));
            c.attempt("DISCARD in the middle", () -> c.startPipeline(List.of(c.builder("true"),
                    c.builder("cat").redirectOutput(Redirect.DISCARD), c.builder("cat"))));
            c.put("started stage killed", childWithArgument("0.0404"));
            c.attempt("marked", () -> c.startPipeline(List.of(c.builder("sleep", "30", "0.0404"),
                    c.builder("cat").redirectInput(Redirect.INHERIT))));
            c.put("marked stage left", childWithArgument("0.0404"));
        });
        add("P05", "a stage that cannot start kills and reaps the stages before it", c -> {
            c.attempt("start", () -> c.startPipeline(List.of(c.builder("sleep", "30", "0.0505"),
                    c.builder("fdkit-conformance-no-such-program"))));
            c.put("first stage left", childWithArgument("0.0505"));
            c.attempt("null builder", () -> c.startPipeline(Arrays.asList(c.builder("sleep", "30", "0.0505"),
                    null)));
            c.put("first stage left after null", childWithArgument("0.0505"));
            c.attempt("null list", () -> c.startPipeline(null));
        });
        add("P06", "the parent holds no pipe end: a writer whose reader exits gets SIGPIPE", c -> {
            List<Process> ps = c.startPipeline(List.of(c.builder("yes"), c.builder("head", "-n", "2")));
            c.put("out", read(ps.get(1).getInputStream()));
            c.put("head", ps.get(1).waitFor());
            c.put("yes", ps.get(0).waitFor());
        });
        add("P07", "each stage's own environment, directory and exit value", c -> {
            Builder a = c.builder("sh", "-c", "echo \"$STAGE\"; pwd; exit 3");
            a.environment().put("STAGE", "first");
            a.directory(c.dir.toFile());
            Builder b = c.builder("sh", "-c", "cat; echo \"$STAGE\"; exit 4");
            b.environment().put("STAGE", "second");
            List<Process> ps = c.startPipeline(List.of(a, b));
            c.put("out", read(ps.get(1).getInputStream()).replace(c.dir.toRealPath().toString(), "DIR"));
            c.put("exits", ps.get(0).waitFor() + " " + ps.get(1).waitFor());
            c.put("toString", Ctx.shape(ps.get(0)));
        });
        add("P08", "a pipeline's processes are children of the JVM with handles of their own", c -> {
            List<Process> ps = c.startPipeline(List.of(c.builder("sleep", "30"), c.builder("cat")));
            c.put("children", ps.stream().allMatch(p ->
                    ProcessHandle.current().children().anyMatch(h -> h.equals(p.toHandle()))));
            c.put("distinct pids", ps.get(0).pid() != ps.get(1).pid());
            ps.get(0).destroy();
            c.put("first", ps.get(0).waitFor());
            c.put("second sees EOF", ps.get(1).waitFor());
            InputStream last = ps.get(1).getInputStream();
            c.put("last out", read(last));
        });
    }
}
