package dev.fdkit.bench;

import org.jfree.chart.ChartFactory;
import org.jfree.chart.JFreeChart;
import org.jfree.chart.axis.LogAxis;
import org.jfree.chart.axis.NumberTickUnit;
import org.jfree.chart.plot.PlotOrientation;
import org.jfree.chart.plot.XYPlot;
import org.jfree.chart.renderer.xy.XYLineAndShapeRenderer;
import org.jfree.chart.title.TextTitle;
import org.jfree.data.xy.XYSeries;
import org.jfree.data.xy.XYSeriesCollection;
import org.jfree.svg.SVGGraphics2D;
import org.jfree.svg.SVGUtils;

import javax.imageio.ImageIO;
import java.awt.BasicStroke;
import java.awt.Color;
import java.awt.Font;
import java.awt.Graphics2D;
import java.awt.RenderingHints;
import java.awt.geom.Rectangle2D;
import java.awt.image.BufferedImage;
import java.io.IOException;
import java.nio.file.Path;
import java.text.DecimalFormat;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;

/**
 * Draws the results with JFreeChart: one chart per suite, stacked, each with time (median, microseconds) against
 * the descriptor count, both axes logarithmic, one line per method. SVG through JFreeSVG, PNG through ImageIO.
 */
public final class Plot {
    private Plot() {}

    private static final int WIDTH = 960, CHART_HEIGHT = 480;
    private static final Color[] COLORS = {
        new Color(0x1f77b4), new Color(0xd62728), new Color(0x2ca02c), new Color(0xff7f0e),
        new Color(0x9467bd), new Color(0x8c564b), new Color(0xe377c2), new Color(0x7f7f7f)
    };

    /** Whether the file name ends in .svg or .png (case-insensitive). */
    public static boolean supported(Path file) {
        String name = file.getFileName() == null ? "" : file.getFileName().toString().toLowerCase(Locale.ROOT);
        return name.endsWith(".svg") || name.endsWith(".png");
    }

    /** Writes the plot of {@code results} to {@code file} (.svg or .png); {@code subtitle} names the machine. */
    public static void write(List<Result> results, String subtitle, Path file) throws IOException {
        if (!supported(file)) throw new IllegalArgumentException("--plot: " + file + " must end in .svg or .png");
        System.setProperty("java.awt.headless", "true");
        List<JFreeChart> charts = new ArrayList<>();
        for (Suite s : Suite.values()) {
            List<Result> rs = results.stream().filter(r -> r.suite() == s).toList();
            if (!rs.isEmpty()) charts.add(chart(s, rs, subtitle));
        }
        if (charts.isEmpty()) throw new IllegalArgumentException("--plot: there are no results to plot");
        int height = CHART_HEIGHT * charts.size();
        boolean svg = file.getFileName().toString().toLowerCase(Locale.ROOT).endsWith(".svg");
        if (svg) {
            SVGGraphics2D g = new SVGGraphics2D(WIDTH, height);
            draw(charts, g);
            SVGUtils.writeToSVG(file.toFile(), g.getSVGElement());
        } else {
            BufferedImage image = new BufferedImage(WIDTH, height, BufferedImage.TYPE_INT_RGB);
            Graphics2D g = image.createGraphics();
            try {
                g.setRenderingHint(RenderingHints.KEY_ANTIALIASING, RenderingHints.VALUE_ANTIALIAS_ON);
                draw(charts, g);
            } finally {
                g.dispose();
            }
            if (!ImageIO.write(image, "png", file.toFile())) throw new IOException("no PNG writer in this JDK");
        }
    }

    private static void draw(List<JFreeChart> charts, Graphics2D g) {
        for (int i = 0; i < charts.size(); i++) {
            charts.get(i).draw(g, new Rectangle2D.Double(0, (double) i * CHART_HEIGHT, WIDTH, CHART_HEIGHT));
        }
    }

    private static JFreeChart chart(Suite suite, List<Result> rs, String subtitle) {
        Map<String, XYSeries> byMethod = new LinkedHashMap<>();
        for (Result r : rs) {
            byMethod.computeIfAbsent(r.method(), XYSeries::new).add(r.n(), Math.max(r.medianMicros(), 0.01));
        }
        XYSeriesCollection data = new XYSeriesCollection();
        byMethod.values().forEach(data::addSeries);
        String x = suite == Suite.SPAWN_THREADS ? "threads spawning (T)" : "descriptors open (N)";
        JFreeChart chart = ChartFactory.createXYLineChart("fdkit bench " + suite.id() + ": " + suite.title(),
                x, "median time (\u00b5s)", data, PlotOrientation.VERTICAL, true, false, false);
        chart.addSubtitle(new TextTitle(subtitle, new Font(Font.SANS_SERIF, Font.PLAIN, 11)));
        chart.setBackgroundPaint(Color.WHITE);
        XYPlot plot = chart.getXYPlot();
        plot.setBackgroundPaint(Color.WHITE);
        plot.setDomainGridlinePaint(Color.LIGHT_GRAY);
        plot.setRangeGridlinePaint(Color.LIGHT_GRAY);
        plot.setDomainAxis(logAxis(x));
        plot.setRangeAxis(logAxis("median time (\u00b5s)"));
        XYLineAndShapeRenderer renderer = new XYLineAndShapeRenderer(true, true);
        for (int i = 0; i < data.getSeriesCount(); i++) {
            renderer.setSeriesPaint(i, COLORS[i % COLORS.length]);
            renderer.setSeriesStroke(i, new BasicStroke(2f));
        }
        plot.setRenderer(renderer);
        return chart;
    }

    private static LogAxis logAxis(String label) {
        LogAxis axis = new LogAxis(label);
        axis.setBase(10);
        axis.setSmallestValue(0.01);
        // One labelled tick per power of ten (the tick unit of a LogAxis is in exponent space).
        axis.setAutoTickUnitSelection(false);
        axis.setTickUnit(new NumberTickUnit(1.0, new DecimalFormat("#,##0.##")), false, false);
        axis.setNumberFormatOverride(new DecimalFormat("#,##0.##"));
        axis.setMinorTickMarksVisible(true);
        axis.setMinorTickCount(9);
        return axis;
    }
}
