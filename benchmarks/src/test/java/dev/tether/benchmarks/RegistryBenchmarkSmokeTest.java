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
   * The measured bound of the moment, not the target: an SA's mutable part ({@code SessionTag}: its
   * tag in the sessions, its deletion cause and the connections to end) took the figure from 266 to
   * 328 bytes (100,000 SAs, distinct peers); the engine's next step aims at 250.
   */
  @Test
  void footprint_ofIdleSas_isUnder350BytesEach() throws Exception {
    String line = Footprint.measure(100_000, true);

    assertThat(line).matches(".* \\d+ bytes of Tether bookkeeping per SA");
    long bytes = Long.parseLong(line.replaceAll(".* (\\d+) bytes.*", "$1"));
    assertThat(bytes).isBetween(1L, 350L);
  }
}
