package dev.fdkit.bench;

import dev.fdkit.Fds;
import dev.fdkit.spawn.SpawnMechanism;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import javax.imageio.ImageIO;
import java.awt.image.BufferedImage;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * The smoke mode CI relies on ({@code --max 16 --reps 1}), run for real: every suite, every method, tables, JSON,
 * both plot formats, bad arguments, and the RLIMIT_NOFILE bound. The in-process runs also prove the bench left the
 * test JVM's own descriptors alone.
 */
class BenchCommandTest {
    /** A ratio cell: "1.02 [0.98, 1.05]", or "-" for an anchor against itself. */
    private static final String CELL = "(?:-|\\d+\\.\\d\\d \\[\\d+\\.\\d\\d, \\d+\\.\\d\\d\\])";
    /** A table row: N (or T), method, median, min, the ratio cells, and the extra column (FDSize, spawns/s). */
    private static final Pattern ROW = Pattern.compile("^\\s*(\\d+)  (.+?)\\s+(\\d+\\.\\d)\\s+(\\d+\\.\\d)"
            + "((?:\\s+" + CELL + ")*)(?:\\s+(\\d+))?$");
    private static final Pattern RATIO = Pattern.compile("(\\d+\\.\\d\\d) \\[(\\d+\\.\\d\\d), (\\d+\\.\\d\\d)\\]");
    private static final Pattern BASE = Pattern.compile("opens its own at (\\d+) and up");

    record Run(int exit, String out, String err) {}

    /** Runs the CLI in this JVM, capturing what it prints. */
    private static Run inProcess(String... args) {
        PrintStream oldOut = System.out, oldErr = System.err;
        ByteArrayOutputStream out = new ByteArrayOutputStream(), err = new ByteArrayOutputStream();
        int exit;
        try {
            System.setOut(new PrintStream(out, true, StandardCharsets.UTF_8));
            System.setErr(new PrintStream(err, true, StandardCharsets.UTF_8));
            exit = BenchCommand.run(args);
        } finally {
            System.setOut(oldOut);
            System.setErr(oldErr);
        }
        return new Run(exit, out.toString(StandardCharsets.UTF_8), err.toString(StandardCharsets.UTF_8));
    }

    /** A parsed row; ratios are the cells that hold a ratio (an anchor's own column shows "-"). */
    record Row(String suite, int n, String method, double median, double min, List<double[]> ratios, String cells) {}

    /** The table rows of each suite section ("== close: ..."), in order. */
    private static List<Row> rows(String out) {
        List<Row> rows = new ArrayList<>();
        String suite = null;
        for (String line : out.lines().toList()) {
            if (line.startsWith("== ")) suite = line.substring(3, line.indexOf(':'));
            Matcher m = ROW.matcher(line);
            if (suite != null && !suite.startsWith("compare") && m.matches()) {
                List<double[]> ratios = new ArrayList<>();
                Matcher q = RATIO.matcher(m.group(5));
                while (q.find()) {
                    ratios.add(new double[] {Double.parseDouble(q.group(1)), Double.parseDouble(q.group(2)),
                        Double.parseDouble(q.group(3))});
                }
                rows.add(new Row(suite, Integer.parseInt(m.group(1)), m.group(2).trim(), Double.parseDouble(m.group(3)),
                        Double.parseDouble(m.group(4)), ratios, m.group(5)));
            }
        }
        return rows;
    }

    private static final List<String> C_CLOSE = List.of("C close_range", "C close_range-cloexec", "C readdir+close");
    private static final List<String> C_SPAWN = List.of("C shared-table floor", "C floor + pidfd/epoll",
            "C floor + pidfd + reaper", "C floor + pidfd + read", "C posix_spawn+closefrom_np");
    private static final List<String> IN_JVM_SPAWN = java.util.Arrays.stream(InJvmAnchor.Floor.values())
            .map(InJvmAnchor.Floor::label).toList();

    /** Every method of the suite and its anchors, except those a "note:" line of the output says cannot run here. */
    private static List<String> expectedMethods(String suite, String out) {
        List<String> labels = new ArrayList<>();
        switch (suite) {
            case "close" -> {
                for (CloseMethod m : CloseMethod.values()) labels.add(m.label());
                labels.addAll(C_CLOSE);
            }
            case "list" -> {
                for (ListMethod m : ListMethod.values()) labels.add(m.label());
                labels.add("C poll-nval");
            }
            case "spawn-threads" -> labels.addAll(List.of("fdkit default", "C shared-table floor"));
            default -> {
                for (SpawnMechanism m : SpawnMechanism.values()) labels.add("fdkit " + m.propertyValue());
                labels.add("ProcessBuilder");
                labels.add("NuProcess 3.0.0");
                labels.addAll(C_SPAWN);
                labels.addAll(IN_JVM_SPAWN);
            }
        }
        List<String> notes = out.lines().filter(l -> l.startsWith("note: ")).toList();
        labels.removeIf(label -> notes.stream().anyMatch(n -> n.endsWith(": " + label + " skipped")));
        return labels;
    }

    /**
     * Every expected method has a row at every N, times are sane, every row but an anchor's has a ratio to the C
     * anchor with its interval around it, and the C rows (anchors) have none in that column.
     */
    private static void assertComplete(List<Row> rows, String suite, List<Integer> ns, String out) {
        List<Row> mine = rows.stream().filter(r -> r.suite().equals(suite)).toList();
        assertTrue(!mine.isEmpty(), "no rows for " + suite + ":\n" + out);
        for (int n : ns) {
            List<Row> atN = mine.stream().filter(r -> r.n() == n).toList();
            for (String method : expectedMethods(suite, out)) {
                assertTrue(atN.stream().anyMatch(r -> r.method().equals(method)),
                        suite + " N=" + n + " has no row for " + method + ":\n" + out);
            }
            for (Row r : atN) {
                assertTrue(r.method().length() <= Bench.METHOD_WIDTH, "the method column is too narrow for " + r);
                assertTrue(r.median() > 0 && r.min() > 0 && r.min() <= r.median(), r + "\n" + out);
                // >= 0: printed to two decimals, a round in which the anchor stalled can make a low end 0.00.
                for (double[] q : r.ratios()) assertTrue(q[1] <= q[0] && q[0] <= q[2] && q[1] >= 0, r + "\n" + out);
                boolean anchor = r.method().equals("C shared-table floor") || r.method().equals("C poll-nval")
                        || r.method().startsWith("C close_range");
                if (anchor) assertTrue(r.cells().strip().startsWith("-"), "an anchor has no ratio to itself: " + r);
                else assertTrue(!r.ratios().isEmpty() && !r.cells().strip().startsWith("-"), "no ratio in " + r);
            }
        }
        assertEquals(ns, mine.stream().map(Row::n).distinct().toList(), suite + " visits exactly these N");
    }

    @Test
    void theCAnchorIsInTheJar() {
        assertTrue(CAnchor.shipped(), "the build puts fdkit-anchor for " + System.getProperty("os.arch") + " in the jar");
    }

    @Test
    void smokeRunMeasuresEverySuiteAndAnchorAndLeavesTheJvmsDescriptorsAlone() throws IOException {
        int[] before = Fds.numbers();
        Run r = inProcess("all", "--max", "16", "--reps", "1", "--rounds", "2");
        int[] after = Fds.numbers();
        assertEquals(0, r.exit(), r.err() + r.out());
        assertTrue(r.out().contains("safety: "), r.out());
        assertTrue(r.out().lines().noneMatch(l -> l.contains("no C anchor")), "the C anchor ran:\n" + r.out());
        List<Row> rows = rows(r.out());
        assertComplete(rows, "close", List.of(4, 16), r.out());
        assertComplete(rows, "list", List.of(4, 16), r.out());
        // Another process listed in full, at 10 and --max: every tool that runs here, against lsfd.
        List<Row> other = rows.stream().filter(row -> row.suite().startsWith("list another process")).toList();
        assertEquals(List.of(10, 16), other.stream().map(Row::n).distinct().toList(), r.out());
        assertTrue(other.stream().anyMatch(row -> row.method().equals(LsMethod.LIBRARY.label())), r.out());
        boolean lsfd = other.stream().anyMatch(row -> row.method().equals(LsMethod.LSFD.label())); // else a note
        for (Row row : other) {
            boolean against = lsfd && !row.method().equals(LsMethod.LSFD.label());
            assertEquals(against ? 1 : 0, row.ratios().size(), "each row against lsfd, lsfd itself without: " + row);
        }
        assertComplete(rows, "spawn", List.of(10, 16), r.out());
        assertComplete(rows, "spawn-threads", List.of(1, 2, 4), r.out());
        // close has two ratio columns: fdkit's calls against the C anchor and against the bare FFM downcall.
        for (String method : List.of("Fds.closeRange", "Fds.closeFrom", "Fds.markCloseOnExec")) {
            assertTrue(rows.stream().filter(row -> row.method().equals(method)).allMatch(row -> row.ratios().size() == 2),
                    method + " has a ratio to C and to FFM:\n" + r.out());
        }
        // spawn: fdkit's rows against the floor, against fdkit's design in C (which has its own ratio to the floor),
        // and against the floor with fdkit's calls and that design, both run in this JVM (each has its ratio to its
        // twin in the C anchor, as the floor in this JVM has); the other methods against the floor alone.
        List<Row> spawn = rows.stream().filter(row -> row.suite().equals("spawn")).toList();
        for (Row row : spawn) {
            int expected = row.method().startsWith("fdkit ") ? 4 : row.method().equals("C shared-table floor") ? 0 : 1;
            assertEquals(expected, row.ratios().size(), row + "\n" + r.out());
        }
        for (String floor : IN_JVM_SPAWN) {
            assertEquals(2, spawn.stream().filter(row -> row.method().equals(floor)).count(), floor + ":\n" + r.out());
        }
        assertTrue(r.out().lines().anyMatch(l -> l.contains("vs C+reaper [CI]") && l.contains("vs JVM+pidfd [CI]")
                        && l.endsWith("vs JVM+reaper [CI]")),
                "spawn's heading names the JVM+pidfd and JVM+reaper columns:\n" + r.out());

        // Every descriptor this JVM had is still open, and the bench left none of its own behind.
        Matcher base = BASE.matcher(r.out());
        assertTrue(base.find(), r.out());
        int first = Integer.parseInt(base.group(1));
        assertTrue(first > before[before.length - 1], "the bench's base " + first + " is above the JVM's descriptors");
        for (int fd : before) assertTrue(Arrays.binarySearch(after, fd) >= 0, "the bench closed the JVM's fd " + fd);
        assertArrayEquals(new int[0], Fds.numbers(first, Fds.MAX_FD), "descriptors left open at the bench's base");
    }

    @Test
    void jsonCarriesEveryPointWithItsRatiosAndThePlotIsARealSvg(@TempDir Path dir) throws IOException {
        Path svg = dir.resolve("bench.svg");
        Run r = inProcess("all", "--max", "16", "--reps", "1", "--rounds", "2", "--json", "--plot", svg.toString());
        assertEquals(0, r.exit(), r.err() + r.out());
        String json = r.out().strip();
        assertTrue(json.startsWith("{") && json.endsWith("}"), json);
        Path file = dir.resolve("run.json");
        Files.writeString(file, json);
        BenchJson.Document doc = BenchJson.read(file);
        assertTrue(doc.header().containsKey("kernel") && doc.header().containsKey("jdk")
                && doc.header().containsKey("base_fd") && doc.header().containsKey("date"), json);
        assertEquals(2.0, doc.header().get("rounds"));
        List<String> methods = new ArrayList<>();
        Map<String, Integer> ratiosPerSuite = new HashMap<>();
        for (Result res : doc.results()) {
            assertTrue(res.medianMicros() > 0 && res.minMicros() <= res.medianMicros(), res.toString());
            assertEquals(2, res.rounds());
            for (Ratio q : res.ratios()) {
                assertTrue(q.low() <= q.median() && q.median() <= q.high() && q.low() >= 0, res.toString());
                ratiosPerSuite.merge(res.suite().id(), 1, Integer::sum);
            }
            if (!methods.contains(res.method())) methods.add(res.method());
        }
        for (String suite : List.of("close", "list", "spawn", "spawn-threads")) {
            assertTrue(ratiosPerSuite.getOrDefault(suite, 0) > 0, "ratios for " + suite + ": " + json);
        }
        // spawn's ratios name their anchors: the in-JVM floors against their twins in the C anchor, fdkit's rows
        // against the pidfd one in this JVM too.
        for (Result res : doc.results()) {
            if (res.suite() != Suite.SPAWN) continue;
            List<String> anchors = res.ratios().stream().map(q -> q.column() + "=" + q.anchor()).toList();
            if (res.method().startsWith("fdkit ")) {
                assertEquals(List.of("C=C shared-table floor", "C+reaper=C floor + pidfd + reaper",
                        "JVM+pidfd=C floor + pidfd/epoll in this JVM",
                        "JVM+reaper=C floor + pidfd + reaper in this JVM"), anchors, res.toString());
            } else if (res.method().equals("C floor in this JVM")) {
                assertEquals(List.of("C=C shared-table floor"), anchors, res.toString());
            } else if (res.method().equals("C floor + pidfd/epoll in this JVM")) {
                assertEquals(List.of("C=C floor + pidfd/epoll"), anchors, res.toString());
            } else if (res.method().equals("C floor + pidfd + reaper in this JVM")) {
                assertEquals(List.of("C=C floor + pidfd + reaper"), anchors, res.toString());
            }
        }
        int skipped = json.split(" skipped\"", -1).length - 1; // notes end "...: <method> skipped"
        int close = CloseMethod.values().length + C_CLOSE.size(), list = ListMethod.values().length + 1;
        int spawn = SpawnMechanism.values().length + 1 + 2 + C_SPAWN.size() + IN_JVM_SPAWN.size(); // + posix-spawn FFM
        // list also lists another process in full, at 10 and --max; spawn-threads has two rows at three T.
        int expected = 2 * (close + list + spawn + LsMethod.values().length) + 3 * 2 - 2 * skipped;
        assertEquals(expected, doc.results().size(), "every method at every N, unless a note says it cannot run:\n" + json);
        assertTrue(r.out().lines().noneMatch(l -> l.startsWith("== ")), "no tables in JSON mode");

        String text = Files.readString(svg);
        assertTrue(text.contains("<svg") && text.contains("</svg>"), "not an SVG document");
        for (String method : methods) {
            assertTrue(text.contains(method.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;")),
                    "the legend lacks " + method);
        }
        assertTrue(text.contains("fdkit bench close") && text.contains("fdkit bench spawn-threads"), "a chart per suite");

        // --from prints the stored run's tables: the same rows as its JSON.
        Run from = inProcess("--from", file.toString());
        assertEquals(0, from.exit(), from.err() + from.out());
        assertEquals(doc.results().size(), rows(from.out()).size(), from.out());
    }

    @Test
    void compareOfARealRunWithItselfFlagsNothingAndALiveRunComparesEveryRatio(@TempDir Path dir) throws IOException {
        Path baseline = jsonRun(dir.resolve("baseline.json"), "close", "--max", "16", "--reps", "1", "--rounds", "3");
        int ratios = 0;
        for (Result res : BenchJson.read(baseline).results()) ratios += res.ratios().size();

        // The run against itself: every ratio compared, none flagged.
        Run same = inProcess("--from", baseline.toString(), "--compare", baseline.toString());
        assertEquals(0, same.exit(), same.err() + same.out());
        assertTrue(same.out().contains("compare: 0 of " + ratios + " ratios changed"), same.out());
        assertTrue(same.out().lines().noneMatch(l -> l.contains("CHANGED") || l.contains("REGRESSION")), same.out());

        // A live run compared with the real baseline prints a line for every ratio of the baseline. Runs of 2 and 3
        // rounds have no 95% intervals: whatever moved, nothing counts as a regression.
        Run live = inProcess("close", "--max", "16", "--reps", "1", "--rounds", "2", "--compare", baseline.toString());
        assertEquals(0, live.exit(), live.err() + live.out());
        assertTrue(live.out().contains(" of " + ratios + " ratios changed beyond their intervals; 0 regressions"),
                live.out());
    }

    /** Runs the bench with {@code --json} added to {@code args} and writes what it printed to {@code file}. */
    private static Path jsonRun(Path file, String... args) throws IOException {
        List<String> all = new ArrayList<>(List.of(args));
        all.add("--json");
        Run run = inProcess(all.toArray(String[]::new));
        assertEquals(0, run.exit(), run.err() + run.out());
        Files.writeString(file, run.out());
        return file;
    }

    @Test
    void aBaselineWrittenBeforeTheInJvmRowsStillComparesAndPrints(@TempDir Path dir) throws IOException {
        Path now = jsonRun(dir.resolve("now.json"), "spawn", "--max", "16", "--reps", "1", "--rounds", "2");
        BenchJson.Document doc = BenchJson.read(now);
        // The same run as a bench without the in-JVM anchors wrote it: no in-JVM rows, no JVM+ columns.
        List<Result> old = new ArrayList<>();
        int all = 0, dropped = 0;
        for (Result res : doc.results()) {
            all += res.ratios().size();
            if (IN_JVM_SPAWN.contains(res.method())) {
                dropped += res.ratios().size();
                continue;
            }
            List<Ratio> kept = res.ratios().stream().filter(q -> !q.column().equals(Bench.JVM_PIDFD)
                    && !q.column().equals(Bench.JVM_REAPER)).toList();
            dropped += res.ratios().size() - kept.size();
            old.add(new Result(res.suite(), res.method(), res.n(), res.medianMicros(), res.minMicros(), res.calls(),
                    res.rounds(), kept, res.extra()));
        }
        assertTrue(dropped >= 2 * (IN_JVM_SPAWN.size() + 2), "the run had in-JVM rows and JVM+ ratios: " + doc);
        Path baseline = dir.resolve("old.json");
        Files.writeString(baseline, BenchJson.write(doc.header(), old));
        int common = all - dropped;

        // Against the old baseline: what it has is compared, the new ratios are listed as new, nothing fails.
        Run forward = inProcess("--from", now.toString(), "--compare", baseline.toString());
        assertEquals(0, forward.exit(), forward.err() + forward.out());
        assertTrue(forward.out().contains("compare: 0 of " + common + " ratios changed"), forward.out());
        assertEquals(dropped, forward.out().lines().filter(l -> l.endsWith("new (not in the baseline)")).count(),
                forward.out());
        // The other way round they are the ones not measured now.
        Run back = inProcess("--from", baseline.toString(), "--compare", now.toString());
        assertEquals(0, back.exit(), back.err() + back.out());
        assertTrue(back.out().contains("compare: 0 of " + common + " ratios changed"), back.out());
        assertEquals(dropped, back.out().lines().filter(l -> l.endsWith("not measured now")).count(), back.out());
        // And --from prints the old run's tables as they were.
        Run from = inProcess("--from", baseline.toString());
        assertEquals(0, from.exit(), from.err() + from.out());
        assertEquals(old.size(), rows(from.out()).size(), from.out());
        assertTrue(from.out().lines().filter(l -> l.strip().startsWith("N  method"))
                .noneMatch(l -> l.contains("vs JVM+")), "no JVM+ column:\n" + from.out());
    }

    /**
     * A result of the close suite whose ratio to C is the bench's own interval over these per-round ratios (times are
     * never compared, only ratios).
     */
    private static Result closeResult(String method, double... perRound) {
        Ratio q = Stats.ratio(Bench.C, "C close_range", perRound);
        return new Result(Suite.CLOSE, method, 16, 10.0, 9.0, perRound.length, perRound.length, List.of(q), -1);
    }

    /** Ten rounds of ratios around {@code level}, spread by up to 4% as the rounds of a quiet run are. */
    private static double[] rounds(double level) {
        double[] r = new double[10];
        for (int i = 0; i < r.length; i++) r[i] = level * (1 + 0.01 * (i * 7 % 5));
        return r;
    }

    private static Path writeRun(Path file, List<Result> results) throws IOException {
        Map<String, Object> header = new java.util.LinkedHashMap<>();
        header.put("machine", "a run made by " + BenchCommandTest.class.getSimpleName());
        header.put("rounds", 10);
        header.put("reps", 1);
        Files.writeString(file, BenchJson.write(header, results));
        return file;
    }

    @Test
    void compareExitsWithThreeOnlyWhenARatioGotSlowerBeyondBothIntervals(@TempDir Path dir) throws IOException {
        // Fds.closeRange 1.5 times slower against C, over 10 rounds in each run: a regression. Fds.closeFrom slower by
        // as much, but over 2 rounds (a range, not a 95% interval): flagged, not counted. Fds.markCloseOnExec: same.
        Path before = writeRun(dir.resolve("before.json"), List.of(closeResult("Fds.closeRange", rounds(1.0)),
                closeResult("Fds.closeFrom", 1.0, 1.02), closeResult("Fds.markCloseOnExec", rounds(1.1))));
        Path after = writeRun(dir.resolve("after.json"), List.of(closeResult("Fds.closeRange", rounds(1.5)),
                closeResult("Fds.closeFrom", 1.5, 1.52), closeResult("Fds.markCloseOnExec", rounds(1.1))));

        Run worse = inProcess("--from", after.toString(), "--compare", before.toString());
        assertEquals(BenchCommand.EXIT_REGRESSION, worse.exit(), worse.err() + worse.out());
        assertEquals("", worse.err());
        assertTrue(worse.out().contains("compare: 2 of 3 ratios changed beyond their intervals; 1 regression "),
                worse.out());
        assertTrue(verdict(worse.out(), "Fds.closeRange").startsWith("REGRESSION: slower"), worse.out());
        assertTrue(verdict(worse.out(), "Fds.closeFrom").startsWith("CHANGED: slower")
                && verdict(worse.out(), "Fds.closeFrom").contains("not counted"), worse.out());
        assertEquals("same", verdict(worse.out(), "Fds.markCloseOnExec"), worse.out());

        // The other way round every change is an improvement: reported, exit 0.
        Run better = inProcess("--from", before.toString(), "--compare", after.toString());
        assertEquals(0, better.exit(), better.err() + better.out());
        assertTrue(better.out().contains("compare: 2 of 3 ratios changed beyond their intervals; 0 regressions"),
                better.out());
        assertTrue(verdict(better.out(), "Fds.closeRange").startsWith("CHANGED: faster"), better.out());
        assertTrue(verdict(better.out(), "Fds.closeFrom").startsWith("CHANGED: faster"), better.out());
    }

    /** The verdict column of {@code method}'s line in the comparison. */
    private static String verdict(String out, String method) {
        String section = out.substring(out.indexOf("== compare with"));
        Matcher m = Pattern.compile("(?m)^close\\s+16  " + Pattern.quote(method) + "\\s+C\\s+" + CELL + "\\s+" + CELL
                + "\\s+(.*)$").matcher(section);
        assertTrue(m.find(), "no comparison line for " + method + ":\n" + out);
        return m.group(1);
    }

    @Test
    void pngPlotHasOneChartPerSuite(@TempDir Path dir) throws IOException {
        Path png = dir.resolve("close.png");
        Run r = inProcess("close", "--max", "16", "--reps", "1", "--rounds", "1", "--plot", png.toString());
        assertEquals(0, r.exit(), r.err() + r.out());
        BufferedImage image = ImageIO.read(png.toFile());
        assertTrue(image != null, "not a PNG");
        assertEquals(960, image.getWidth());
        assertEquals(480, image.getHeight(), "one suite, one chart");
        assertTrue(rows(r.out()).stream().allMatch(row -> row.suite().equals("close")), r.out());
    }

    @Test
    void badArgumentsAreOneClearLine(@TempDir Path dir) {
        String[][] cases = {
            {"--max must be >= 1", "--max", "0"},
            {"--reps must be >= 1", "--reps", "0"},
            {"--rounds must be >= 1", "--rounds", "0"},
            {"--compare " + dir.resolve("none.json") + ": no such file", "--compare", dir.resolve("none.json").toString()},
            {"--from " + dir.resolve("none.json") + ": no such file", "--from", dir.resolve("none.json").toString()},
            {"unknown suite 'sideways'", "sideways"},
            {"must end in .svg or .png", "--plot", dir.resolve("plot.txt").toString()},
            {"does not exist", "--plot", dir.resolve("missing/plot.svg").toString()},
        };
        for (String[] c : cases) {
            Run r = inProcess(Arrays.copyOfRange(c, 1, c.length));
            assertEquals(2, r.exit(), String.join(" ", c) + ": " + r.err());
            assertEquals(1, r.err().lines().count(), r.err());
            assertTrue(r.err().contains(c[0]), r.err());
            assertEquals("", r.out());
        }
    }

    /**
     * Runs {@code fdkit bench ARGS} in a child JVM started through {@code wrapper} (a shell prefix, or nothing), with
     * stdout and stderr kept apart: picocli's warnings go to the stderr the JVM started with, which only a process
     * of its own captures whole.
     */
    private static Run childJvm(List<String> wrapper, String... args) throws Exception {
        List<String> cmd = new ArrayList<>(wrapper);
        cmd.addAll(List.of(ProcessHandle.current().info().command().orElseThrow(), "--enable-native-access=ALL-UNNAMED",
                "-XX:TieredStopAtLevel=1", "-cp", System.getProperty("java.class.path"), BenchCommand.class.getName()));
        cmd.addAll(List.of(args));
        Path err = Files.createTempFile("bench-stderr", ".txt");
        try {
            Process p = new ProcessBuilder(cmd).redirectError(err.toFile()).start();
            p.getOutputStream().close();
            String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
            if (!p.waitFor(60, TimeUnit.SECONDS)) {
                p.destroyForcibly().waitFor();
                throw new AssertionError("timed out: " + cmd);
            }
            return new Run(p.exitValue(), out, Files.readString(err));
        } finally {
            Files.delete(err);
        }
    }

    /** Every command of the bench's command line: picocli renders its help with no warning on stderr. */
    @Test
    void usageHelpOfEveryCommandRendersWithoutAPicocliWarning() throws Exception {
        List<List<String>> commands = new ArrayList<>();
        collectCommands(new picocli.CommandLine(BenchCommand.class), new ArrayList<>(), commands);
        for (List<String> command : commands) {
            List<String> args = new ArrayList<>(command);
            args.add("--help");
            Run r = childJvm(List.of(), args.toArray(String[]::new));
            assertEquals(0, r.exit(), args + ": " + r.err());
            assertTrue(r.out().startsWith("Usage: fdkit bench"), args + ": " + r.out());
            assertEquals("", r.err(), "stderr of " + String.join(" ", args) + " (picocli's warnings go there)");
        }
    }

    private static void collectCommands(picocli.CommandLine cl, List<String> path, List<List<String>> all) {
        all.add(List.copyOf(path));
        cl.getSubcommands().forEach((name, sub) -> {
            path.add(name);
            collectCommands(sub, path, all);
            path.removeLast();
        });
    }

    @Test
    void rlimitBoundsMaxWithANote() throws Exception {
        // A child JVM whose RLIMIT_NOFILE (soft and hard) is 400: --max 100000 must come down with a note.
        Run r = childJvm(List.of("bash", "-c", "ulimit -n 400 && exec \"$@\"", "bash"),
                "close", "--max", "100000", "--reps", "1", "--rounds", "1");
        String out = r.out();
        assertEquals(0, r.exit(), out + r.err());
        Matcher note = Pattern.compile("note: --max 100000 lowered to (\\d+): RLIMIT_NOFILE's soft limit is 400").matcher(out);
        assertTrue(note.find(), out);
        int lowered = Integer.parseInt(note.group(1));
        Matcher base = BASE.matcher(out);
        assertTrue(base.find(), out);
        assertEquals(400, Integer.parseInt(base.group(1)) + lowered, "the block ends at the limit");
        List<Row> rows = rows(out);
        assertEquals(lowered, rows.get(rows.size() - 1).n(), "the last N is the lowered --max");
    }
}
