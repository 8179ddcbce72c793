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
    /** A table row: N, method, median, min, ratio, and for list the FDSize. */
    private static final Pattern ROW =
            Pattern.compile("^\\s*(\\d+)  (.+?)\\s+(\\d+\\.\\d)\\s+(\\d+\\.\\d)\\s+(\\d+\\.\\d\\d)(?:\\s+(\\d+))?$");
    private static final Pattern BASE = Pattern.compile("opens its own at (\\d+) and up");
    private static final Pattern JSON_RESULT = Pattern.compile("\\{\"suite\": \"(\\w+)\", \"method\": \"([^\"]+)\", "
            + "\"n\": (\\d+), \"median_us\": ([\\d.]+), \"min_us\": ([\\d.]+), \"ratio\": ([\\d.]+), \"reps\": (\\d+)\\}");

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

    record Row(String suite, int n, String method, double median, double min, double ratio) {}

    /** The table rows of each suite section ("== close: ..."), in order. */
    private static List<Row> rows(String out) {
        List<Row> rows = new ArrayList<>();
        String suite = null;
        for (String line : out.lines().toList()) {
            if (line.startsWith("== ")) suite = line.substring(3, line.indexOf(':'));
            Matcher m = ROW.matcher(line);
            if (suite != null && m.matches()) {
                rows.add(new Row(suite, Integer.parseInt(m.group(1)), m.group(2).trim(), Double.parseDouble(m.group(3)),
                        Double.parseDouble(m.group(4)), Double.parseDouble(m.group(5))));
            }
        }
        return rows;
    }

    /** Every method of the suite, except those a "note:" line of the output says cannot run here. */
    private static List<String> expectedMethods(String suite, String out) {
        List<String> labels = new ArrayList<>();
        switch (suite) {
            case "close" -> {
                for (CloseMethod m : CloseMethod.values()) labels.add(m.label());
            }
            case "list" -> {
                for (ListMethod m : ListMethod.values()) labels.add(m.label());
            }
            default -> {
                for (SpawnMechanism m : SpawnMechanism.values()) labels.add("fdkit " + m.propertyValue());
                labels.add("ProcessBuilder");
                labels.add("NuProcess 3.0.0");
            }
        }
        List<String> notes = out.lines().filter(l -> l.startsWith("note: ")).toList();
        labels.removeIf(label -> notes.stream().anyMatch(n -> n.endsWith(": " + label + " skipped")));
        return labels;
    }

    /** Every expected method has a row at every N, times are sane, and each N has exactly one best (ratio 1.00). */
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
                assertTrue(r.median() > 0 && r.min() > 0 && r.min() <= r.median(), r + "\n" + out);
                assertTrue(r.ratio() >= 1.0, r.toString());
            }
            assertTrue(atN.stream().anyMatch(r -> r.ratio() == 1.0), suite + " N=" + n + " has no best row:\n" + out);
        }
        assertEquals(ns, mine.stream().map(Row::n).distinct().toList(), suite + " visits exactly these N");
    }

    @Test
    void smokeRunMeasuresEverySuiteAndLeavesTheJvmsDescriptorsAlone() throws IOException {
        int[] before = Fds.numbers();
        Run r = inProcess("all", "--max", "16", "--reps", "1");
        int[] after = Fds.numbers();
        assertEquals(0, r.exit(), r.err() + r.out());
        assertTrue(r.out().contains("safety: "), r.out());
        List<Row> rows = rows(r.out());
        assertComplete(rows, "close", List.of(4, 16), r.out());
        assertComplete(rows, "list", List.of(4, 16), r.out());
        assertComplete(rows, "spawn", List.of(10, 16), r.out());

        // Every descriptor this JVM had is still open, and the bench left none of its own behind.
        Matcher base = BASE.matcher(r.out());
        assertTrue(base.find(), r.out());
        int first = Integer.parseInt(base.group(1));
        assertTrue(first > before[before.length - 1], "the bench's base " + first + " is above the JVM's descriptors");
        for (int fd : before) assertTrue(Arrays.binarySearch(after, fd) >= 0, "the bench closed the JVM's fd " + fd);
        assertArrayEquals(new int[0], Fds.numbers(first, Fds.MAX_FD), "descriptors left open at the bench's base");
    }

    @Test
    void jsonCarriesEveryPointAndThePlotIsARealSvg(@TempDir Path dir) throws IOException {
        Path svg = dir.resolve("bench.svg");
        Run r = inProcess("all", "--max", "16", "--reps", "1", "--json", "--plot", svg.toString());
        assertEquals(0, r.exit(), r.err() + r.out());
        String json = r.out().strip();
        assertTrue(json.startsWith("{") && json.endsWith("}"), json);
        assertTrue(json.contains("\"kernel\": ") && json.contains("\"jdk\": ") && json.contains("\"base_fd\": "), json);
        Matcher m = JSON_RESULT.matcher(json);
        Map<String, Double> bestRatio = new HashMap<>();
        List<String> methods = new ArrayList<>();
        int count = 0;
        while (m.find()) {
            count++;
            double median = Double.parseDouble(m.group(4)), min = Double.parseDouble(m.group(5));
            assertTrue(median > 0 && min <= median, m.group());
            assertEquals("1", m.group(7));
            bestRatio.merge(m.group(1) + "@" + m.group(3), Double.parseDouble(m.group(6)), Math::min);
            if (!methods.contains(m.group(2))) methods.add(m.group(2));
        }
        int skipped = json.split(" skipped\"", -1).length - 1; // notes end "...: <method> skipped"
        // list also lists another process in full, at 10 and --max.
        int expected = 2 * (CloseMethod.values().length + ListMethod.values().length + SpawnMechanism.values().length + 2
                + LsMethod.values().length - skipped);
        assertEquals(expected, count, "every method at both N, unless a note says it cannot run here:\n" + json);
        assertEquals(7, bestRatio.size(), "three suites at two N each, and list at 10: " + bestRatio);
        bestRatio.values().forEach(v -> assertEquals(1.0, v, 1e-9));
        assertTrue(r.out().lines().noneMatch(l -> l.startsWith("== ")), "no tables in JSON mode");

        String text = Files.readString(svg);
        assertTrue(text.contains("<svg") && text.contains("</svg>"), "not an SVG document");
        for (String method : methods) {
            assertTrue(text.contains(method.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;")),
                    "the legend lacks " + method);
        }
        assertTrue(text.contains("fdkit bench close") && text.contains("fdkit bench spawn"), "a chart per suite");
    }

    @Test
    void pngPlotHasOneChartPerSuite(@TempDir Path dir) throws IOException {
        Path png = dir.resolve("close.png");
        Run r = inProcess("close", "--max", "16", "--reps", "1", "--plot", png.toString());
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

    @Test
    void rlimitBoundsMaxWithANote() throws Exception {
        // A child JVM whose RLIMIT_NOFILE (soft and hard) is 400: --max 100000 must come down with a note.
        List<String> cmd = List.of("bash", "-c", "ulimit -n 400 && exec \"$@\"", "bash",
                ProcessHandle.current().info().command().orElseThrow(), "--enable-native-access=ALL-UNNAMED",
                "-XX:TieredStopAtLevel=1", "-cp", System.getProperty("java.class.path"), BenchCommand.class.getName(),
                "close", "--max", "100000", "--reps", "1");
        Process p = new ProcessBuilder(cmd).redirectErrorStream(true).start();
        p.getOutputStream().close();
        String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        assertTrue(p.waitFor(60, TimeUnit.SECONDS), "timed out");
        assertEquals(0, p.exitValue(), out);
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
