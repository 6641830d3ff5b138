package dev.tether.benchmarks.connections;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import org.junit.jupiter.api.Test;

class BenchOptionsTest {

  @Test
  void anUnknownOption_stopsTheBenchmarkBeforeItStarts_namingItAndTheKnownOnes() {
    // A mistyped or guessed option (--help) must not start a run of hours with the defaults.
    assertThatThrownBy(() -> BenchOptions.parse("--help"))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessageContaining("unknown option --help")
        .hasMessageContaining("--settle-rounds");
    assertThatThrownBy(() -> BenchOptions.parse("--containers=jetty", "--round=3"))
        .hasMessageContaining("unknown option --round");
  }

  @Test
  void settle_isAShareOfTheServersCpu_andDefaultsToOnePerCent() {
    assertThat(BenchOptions.parse().settle()).isEqualTo(0.01);
    assertThat(BenchOptions.parse().settleRounds()).isEqualTo(12);
    assertThat(BenchOptions.parse("--settle=0.05", "--settle-rounds=0").settle()).isEqualTo(0.05);
    assertThatThrownBy(() -> BenchOptions.parse("--settle=5"))
        .hasMessage("--settle=5 must be a share from 0 to 1");
  }
}
