package dev.tether.benchmarks;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Collection;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.openjdk.jmh.results.RunResult;
import org.openjdk.jmh.runner.Runner;
import org.openjdk.jmh.runner.RunnerException;
import org.openjdk.jmh.runner.options.ChainedOptionsBuilder;
import org.openjdk.jmh.runner.options.OptionsBuilder;
import org.openjdk.jmh.runner.options.TimeValue;

/**
 * Runs every registry benchmark (JMH, through its Runner API) and {@link Footprint}, and writes the
 * Markdown tables of docs/BENCHMARKS.md: latency percentiles of acquire + release
 * ({@link RegistryBenchmark}), the cost per SA of each step ({@link RegistryBatchBenchmark},
 * {@link ExpiryBenchmark}), with 1 and 2 threads, and the heap per SA.
 *
 * <pre>
 * mvn -B -q -pl benchmarks -am -DskipTests package
 * java -cp benchmarks/target/benchmarks.jar dev.tether.benchmarks.RegistrySuite --out=registry.md
 * </pre>
 *
 * <p>Options: {@code --sizes=1000,100000,1000000}, {@code --threads=1,2}, {@code --footprint=1000000}
 * (SAs in the footprint run; 0 skips it), {@code --quick} (short iterations, to check that it runs),
 * {@code --out=file}.
 */
public final class RegistrySuite {
  private static final Pattern BYTES = Pattern.compile("(\\d+) bytes");

  private RegistrySuite() {}

  public static void main(String[] args) throws Exception {
    Map<String, String> o =
        Args.parse(List.of("sizes", "threads", "footprint", "quick", "out"), args);
    String[] sizes = o.getOrDefault("sizes", "1000,100000,1000000").split(",");
    List<Integer> threads = new ArrayList<>();
    for (String t : o.getOrDefault("threads", "1,2").split(",")) {
      threads.add(Integer.parseInt(t.trim()));
    }
    boolean quick = o.containsKey("quick");
    int footprint = Integer.parseInt(o.getOrDefault("footprint", "1000000"));
    StringBuilder md = new StringBuilder();

    List<RunResult> latency = new ArrayList<>();
    List<RunResult> steps = new ArrayList<>();
    for (int t : threads) {
      latency.addAll(run(RegistryBenchmark.class, t, sizes, quick));
      steps.addAll(run(RegistryBatchBenchmark.class, t, sizes, quick));
    }
    steps.addAll(run(ExpiryBenchmark.class, 1, sizes, quick));

    md.append("#### Latency of one operation (JMH SampleTime, ns)\n\n")
        .append("| benchmark | SAs held | threads | p50 | p90 | p99 | p99.9 | samples |\n")
        .append("|---|--:|--:|--:|--:|--:|--:|--:|\n");
    for (RunResult r : latency) {
      var s = r.getPrimaryResult().getStatistics();
      md.append(row(r)).append(ns(s.getPercentile(50))).append(" | ").append(ns(s.getPercentile(90)))
          .append(" | ").append(ns(s.getPercentile(99))).append(" | ")
          .append(ns(s.getPercentile(99.9))).append(" | ")
          .append(String.format(Locale.ROOT, "%,d", s.getN())).append(" |\n");
    }
    md.append("\n#### Cost per SA of each step (JMH SingleShotTime over batches, ns per SA)\n\n")
        .append("| benchmark | SAs held | threads | median | mean | p90 | batches |\n")
        .append("|---|--:|--:|--:|--:|--:|--:|\n");
    for (RunResult r : steps) {
      var s = r.getPrimaryResult().getStatistics();
      md.append(row(r)).append(ns(s.getPercentile(50))).append(" | ").append(ns(s.getMean()))
          .append(" | ").append(ns(s.getPercentile(90))).append(" | ").append(s.getN())
          .append(" |\n");
    }
    if (footprint > 0) {
      md.append("\n#### Heap per SA (Tether's bookkeeping, without the TLS session)\n\n");
      for (String line : footprint(footprint)) {
        md.append("- ").append(line).append('\n');
      }
    }
    System.out.println(md);
    if (o.containsKey("out")) {
      Files.writeString(Path.of(o.get("out")), md);
    }
  }

  static Collection<RunResult> run(Class<?> benchmark, int threads, String[] sizes, boolean quick)
      throws RunnerException {
    ChainedOptionsBuilder b = new OptionsBuilder()
        .include("^" + Pattern.quote(benchmark.getName()) + "\\.")
        .param("size", sizes)
        .threads(threads)
        .shouldFailOnError(true);
    if (quick) {
      b.forks(1).warmupIterations(1).measurementIterations(2)
          .warmupTime(TimeValue.milliseconds(200)).measurementTime(TimeValue.milliseconds(200));
    }
    return new Runner(b.build()).run();
  }

  private static String row(RunResult r) {
    String name = r.getParams().getBenchmark();
    return "| " + name.substring(name.lastIndexOf('.', name.lastIndexOf('.') - 1) + 1) + " | "
        + String.format(Locale.ROOT, "%,d", Integer.parseInt(r.getParams().getParam("size")))
        + " | " + r.getParams().getThreads() + " | ";
  }

  private static String ns(double v) {
    return String.format(Locale.ROOT, "%,.0f", v);
  }

  /** Runs {@link Footprint} in a JVM of its own, so that nothing else is on the heap. */
  static List<String> footprint(int n) throws IOException, InterruptedException {
    Process p = new ProcessBuilder(ProcessHandle.current().info().command().orElse("java"),
        "-Xms4g", "-Xmx4g", "-XX:+UseParallelGC", "-cp", System.getProperty("java.class.path"),
        Footprint.class.getName(), Integer.toString(n)).redirectErrorStream(true).start();
    String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
    if (!p.waitFor(10, TimeUnit.MINUTES) || p.exitValue() != 0) {
      throw new IOException("Footprint failed: " + out);
    }
    List<String> lines = new ArrayList<>();
    for (String line : out.split("\n")) {
      Matcher m = BYTES.matcher(line);
      if (m.find()) {
        lines.add(line.trim());
      }
    }
    return lines;
  }
}
