package dev.tether.reliability;

import dev.tether.reliability.SoakSampler.Sample;
import java.io.IOException;
import java.nio.file.Path;
import java.util.List;
import java.util.function.ToDoubleFunction;
import org.jfree.chart.ChartUtils;
import org.jfree.chart.JFreeChart;
import org.jfree.chart.axis.NumberAxis;
import org.jfree.chart.plot.CombinedDomainXYPlot;
import org.jfree.chart.plot.XYPlot;
import org.jfree.chart.renderer.xy.XYLineAndShapeRenderer;
import org.jfree.data.xy.XYSeries;
import org.jfree.data.xy.XYSeriesCollection;

/**
 * Draws a soak's samples as one PNG: four panels over the same time axis (SAs, leases and TLS
 * sessions; connections per second; heap after young collections; threads and file descriptors).
 */
final class SoakChart {
  private SoakChart() {}

  static void write(List<Sample> samples, String title, Path png) throws IOException {
    System.setProperty("java.awt.headless", "true");
    CombinedDomainXYPlot plot = new CombinedDomainXYPlot(new NumberAxis("seconds"));
    plot.setGap(8);
    plot.add(panel(samples, "count", new String[] {"active SAs", "idle SAs", "leases",
        "TLS sessions"}, Sample::activeSas, Sample::idleSas, Sample::leases, Sample::tlsSessions), 3);
    plot.add(panel(samples, "per second", new String[] {"connections"},
        Sample::connectionsPerSecond), 2);
    plot.add(panel(samples, "MiB", new String[] {"heap after young GC"},
        s -> s.heapAfterYoungGcMiB() < 0 ? Double.NaN : s.heapAfterYoungGcMiB()), 2);
    plot.add(panel(samples, "count", new String[] {"threads", "file descriptors"},
        Sample::threads, Sample::fileDescriptors), 2);
    JFreeChart chart = new JFreeChart(title, JFreeChart.DEFAULT_TITLE_FONT, plot, true);
    ChartUtils.saveChartAsPNG(png.toFile(), chart, 1200, 1000);
  }

  @SafeVarargs
  private static XYPlot panel(List<Sample> samples, String unit, String[] names,
      ToDoubleFunction<Sample>... values) {
    XYSeriesCollection data = new XYSeriesCollection();
    for (int i = 0; i < names.length; i++) {
      XYSeries series = new XYSeries(names[i], false, true);
      for (Sample s : samples) {
        series.add(s.seconds(), values[i].applyAsDouble(s));
      }
      data.addSeries(series);
    }
    NumberAxis axis = new NumberAxis(unit);
    axis.setAutoRangeIncludesZero(true);
    return new XYPlot(data, null, axis, new XYLineAndShapeRenderer(true, false));
  }
}
