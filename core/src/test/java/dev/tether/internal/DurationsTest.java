package dev.tether.internal;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.time.Duration;
import org.junit.jupiter.api.Test;

class DurationsTest {

  @Test
  void parse_unitsIsoAndPlainMilliseconds_meanTheSame() {
    assertThat(Durations.parse("grace", "30s")).isEqualTo(Duration.ofSeconds(30));
    assertThat(Durations.parse("grace", "30000")).isEqualTo(Duration.ofSeconds(30));
    assertThat(Durations.parse("grace", "PT30S")).isEqualTo(Duration.ofSeconds(30));
    assertThat(Durations.parse("grace", " 30 s ")).isEqualTo(Duration.ofSeconds(30));
    assertThat(Durations.parse("grace", "500ms")).isEqualTo(Duration.ofMillis(500));
    assertThat(Durations.parse("grace", "15m")).isEqualTo(Duration.ofMinutes(15));
    assertThat(Durations.parse("grace", "2H")).isEqualTo(Duration.ofHours(2));
    assertThat(Durations.parse("grace", "1d")).isEqualTo(Duration.ofDays(1));
    assertThat(Durations.parse("grace", "0")).isZero();
  }

  @Test
  void parse_negativeWrongOrTooLong_namesTheSettingAndTheText() {
    for (String bad : new String[] {"-1", "-1s", "soon", "", "30 sec", "PT-1S", "1.5s",
        "99999999999999999999", "300000d"}) {
      assertThatThrownBy(() -> Durations.parse("jetty.tether.grace", bad))
          .as(bad)
          .isInstanceOf(IllegalArgumentException.class)
          .hasMessage("jetty.tether.grace='" + bad + "' is not a duration: write e.g. 0, 500ms,"
              + " 30s, 15m, 2h, 1d, PT30S or milliseconds (30000)");
    }
  }

  @Test
  void format_writesTheLargestExactUnit_andParsesBack() {
    for (Duration d : new Duration[] {Duration.ZERO, Duration.ofMillis(1500), Duration.ofSeconds(30),
        Duration.ofMinutes(30), Duration.ofHours(2), Duration.ofDays(3)}) {
      assertThat(Durations.parse("x", Durations.format(d))).isEqualTo(d);
    }
    assertThat(Durations.format(Duration.ofMillis(1500))).isEqualTo("1500ms");
    assertThat(Durations.format(Duration.ofMinutes(30))).isEqualTo("30m");
  }
}
