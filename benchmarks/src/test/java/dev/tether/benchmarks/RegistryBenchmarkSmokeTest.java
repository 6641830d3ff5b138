package dev.tether.benchmarks;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.Collection;
import org.junit.jupiter.api.Test;
import org.openjdk.jmh.results.RunResult;
import org.openjdk.jmh.runner.Runner;
import org.openjdk.jmh.runner.options.OptionsBuilder;
import org.openjdk.jmh.runner.options.TimeValue;

/** Checks that the JMH benchmarks still start and measure: one method, one short iteration. */
class RegistryBenchmarkSmokeTest {

  @Test
  void acquireReuseRelease_runsOneIteration_andSamplesOperations() throws Exception {
    Collection<RunResult> results = new Runner(new OptionsBuilder()
        .include("^" + RegistryBenchmark.class.getName() + "\\.acquireReuseRelease$")
        .param("size", "1000")
        .forks(0)
        .threads(1)
        .warmupIterations(0)
        .measurementIterations(1)
        .measurementTime(TimeValue.milliseconds(200))
        .shouldFailOnError(true)
        .build()).run();

    assertThat(results).hasSize(1);
    var statistics = results.iterator().next().getPrimaryResult().getStatistics();
    assertThat(statistics.getN()).isPositive();
    assertThat(statistics.getPercentile(50)).isPositive();
  }

  /**
   * The measured bound of the moment, with room for the JVM's variation: 264 bytes at 100,000 SAs
   * from distinct peers (241 at 1,000,000, where the tables' fixed part weighs less) since the idle
   * queue keeps its SAs in arrays and a peer with one SA has no counter of its own; 300 before.
   */
  @Test
  void footprint_ofIdleSas_isUnder290BytesEach() throws Exception {
    String line = Footprint.measure(100_000, true);

    assertThat(line).matches(".* \\d+ bytes of Tether bookkeeping per SA");
    long bytes = Long.parseLong(line.replaceAll(".* (\\d+) bytes.*", "$1"));
    assertThat(bytes).isBetween(1L, 290L);
  }
}
