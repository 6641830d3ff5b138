package dev.tether.benchmarks.connections;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.List;
import org.junit.jupiter.api.Test;

class ReportTest {

  private static Round round(long connections, long seconds, long cpuMillis) {
    return new Round(connections, 0, seconds * 1_000_000_000L, cpuMillis * 1_000_000L, null);
  }

  @Test
  void median_ofAnEvenCount_isTheMeanOfTheMiddleTwo() {
    assertThat(Report.median(new double[] {4, 1, 3, 2})).isEqualTo(2.5);
    assertThat(Report.median(new double[] {5, 1, 3})).isEqualTo(3.0);
  }

  @Test
  void ratio_isTheMedianOfPerRoundRatios_withTheirRange() {
    List<Round> bare = List.of(round(100, 1, 0), round(200, 1, 0), round(100, 1, 0));
    List<Round> tether = List.of(round(99, 1, 0), round(150, 1, 0), round(110, 1, 0));

    assertThat(Report.ratio(bare, tether, Round::perSecond)).isEqualTo("**0.990** (0.75–1.10)");
  }

  @Test
  void cpuPerConnection_isServerCpuOverCompletedConnections() {
    assertThat(round(500, 5, 2_000).cpuMicrosPerConnection()).isEqualTo(4_000.0);
  }

  @Test
  void mix_givesTheShareOfResumedConnections() {
    Round r = new Round(100, 0, 1, 1, new Round.Counts(3, 97, 90));

    assertThat(Report.mix(List.of(r))).isEqualTo("97.0% resumed");
  }
}
