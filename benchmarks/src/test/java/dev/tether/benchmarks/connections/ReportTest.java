package dev.tether.benchmarks.connections;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.List;
import org.junit.jupiter.api.Test;

class ReportTest {

  private static Round round(long connections, long seconds, long cpuMillis) {
    return new Round(connections, 0, seconds * 1_000_000_000L, cpuMillis * 1_000_000L, 0, null);
  }

  @Test
  void median_ofAnEvenCount_isTheMeanOfTheMiddleTwo() {
    assertThat(Report.median(new double[] {4, 1, 3, 2})).isEqualTo(2.5);
    assertThat(Report.median(new double[] {5, 1, 3})).isEqualTo(3.0);
  }

  @Test
  void compare_takesEachForksMedianRatio_thenTheirMedianRangeAndResolution() {
    List<List<Round>> bare = List.of(
        List.of(round(100, 1, 0), round(200, 1, 0), round(100, 1, 0)),
        List.of(round(100, 1, 0), round(100, 1, 0), round(100, 1, 0)),
        List.of(round(100, 1, 0), round(100, 1, 0), round(100, 1, 0)));
    List<List<Round>> tether = List.of(
        List.of(round(99, 1, 0), round(150, 1, 0), round(110, 1, 0)),
        List.of(round(102, 1, 0), round(104, 1, 0), round(90, 1, 0)),
        List.of(round(96, 1, 0), round(97, 1, 0), round(98, 1, 0)));

    Report.Comparison c = Report.compare(bare, tether, Round::perSecond);

    assertThat(c.perFork()).containsExactly(0.99, 1.02, 0.97);
    assertThat(c.median()).isEqualTo(0.99);
    // mean 0.99333, sample deviation 0.02517; t(2 df) 4.303 x 0.02517 / sqrt(3) = 0.0625
    assertThat(c.resolution()).isCloseTo(0.0625, org.assertj.core.data.Offset.offset(0.0005));
    assertThat(c.markdown()).isEqualTo("**0.990** (0.970–1.020, ±0.063)");
  }

  @Test
  void compare_withOneFork_claimsNoResolution() {
    Report.Comparison c = Report.compare(List.of(List.of(round(100, 1, 0))),
        List.of(List.of(round(98, 1, 0))), Round::perSecond);

    assertThat(c.markdown()).isEqualTo("**0.980** (0.980–0.980)");
  }

  @Test
  void cpuPerConnection_isServerCpuOverCompletedConnections() {
    assertThat(round(500, 5, 2_000).cpuMicrosPerConnection()).isEqualTo(4_000.0);
  }

  @Test
  void perConnection_isTethersSamplesTimesTheIntervalOverTethersConnections() {
    // Fork 1: 30 of Tether's samples over 10,000 connections (3 µs each at 1 ms a sample); fork 2:
    // 10 over 5,000 (2 µs); together 40 over 15,000.
    List<Profile> profiles = List.of(
        new Profile(12_000, 30, 5, java.util.Map.of(), java.util.Map.of(), java.util.Map.of()),
        new Profile(6_000, 10, 0, java.util.Map.of(), java.util.Map.of(), java.util.Map.of()));
    List<List<Round>> tether = List.of(
        List.of(round(4_000, 5, 0), round(6_000, 5, 0)),
        List.of(round(5_000, 5, 0)));

    assertThat(BenchServer.CPU_INTERVAL_MICROS).isEqualTo(1_000);
    assertThat(Report.perConnection(profiles, tether)).isEqualTo("**2.67 µs** (3.00, 2.00)");
  }

  @Test
  void perConnection_withoutTethersRoundsForEveryProfile_saysNothing() {
    List<Profile> one = List.of(Profile.EMPTY);

    assertThat(Report.perConnection(one, null)).isEqualTo("-");
    assertThat(Report.perConnection(one, List.of())).isEqualTo("-");
  }

  @Test
  void mix_givesTheShareOfResumedConnections() {
    Round r = new Round(100, 0, 1, 1, 0, new Round.Counts(3, 97, 90));

    assertThat(Report.mix(List.of(r))).isEqualTo("97.0% resumed");
  }
}
