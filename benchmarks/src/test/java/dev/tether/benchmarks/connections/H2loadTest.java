package dev.tether.benchmarks.connections;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.io.IOException;
import org.junit.jupiter.api.Test;

class H2loadTest {
  private static final String SUMMARY = """
      progress: 100% done

      finished in 4.99s, 200.30 req/s, 0B/s
      requests: 1000 total, 1000 started, 1000 done, 998 succeeded, 2 failed, 1 errored, 0 timeout
      status codes: 998 2xx, 0 3xx, 0 4xx, 0 5xx
      """;

  @Test
  void parse_countsRequestsDoneWithoutTransportError() throws IOException {
    Round.ClientResult r = H2load.parse(SUMMARY);

    assertThat(r).isEqualTo(new Round.ClientResult(999, 1, 4_990_000_000L));
  }

  @Test
  void parse_countsTomcatsAnswersWithoutReasonPhrase_whichH2loadCallsFailed() throws IOException {
    String tomcat = "finished in 574.20ms, 34.83 req/s, 0B/s\n"
        + "requests: 20 total, 20 started, 20 done, 0 succeeded, 20 failed, 0 errored, 0 timeout\n";

    assertThat(H2load.parse(tomcat)).isEqualTo(new Round.ClientResult(20, 0, 574_200_000L));
  }

  @Test
  void parse_countsOnlyAnsweredRequests_whenFailedConnectionsAbandonedTheirs() throws IOException {
    String abandoned = "finished in 1.00s, 100.00 req/s, 0B/s\n"
        + "requests: 10000 total, 10000 started, 4437 done, 4437 succeeded, 5563 failed,"
        + " 5563 errored, 0 timeout\n";

    assertThat(H2load.parse(abandoned)).isEqualTo(new Round.ClientResult(4437, 5563,
        1_000_000_000L));
  }

  @Test
  void parse_understandsMilliseconds() throws IOException {
    assertThat(H2load.parse(SUMMARY.replace("4.99s", "812.50ms")).nanos()).isEqualTo(812_500_000L);
  }

  @Test
  void parse_withoutSummary_failsShowingTheOutput() {
    assertThatThrownBy(() -> H2load.parse("connect: Connection refused"))
        .isInstanceOf(IOException.class).hasMessageContaining("Connection refused");
  }

  @Test
  void command_reconnectsForEveryRequest() {
    assertThat(new H2load("/usr/bin/h2load", "").command(8443, 100, 4)).startsWith("/usr/bin/h2load")
        .containsSubsequence("--h1", "-H", "Connection: close", "-n", "100", "-c", "4",
            "https://127.0.0.1:8443/ok");
  }

  @Test
  void command_withClientCpus_runsPinned() {
    assertThat(new H2load("/usr/bin/h2load", "1").command(8443, 100, 4))
        .startsWith("taskset", "-c", "1", "/usr/bin/h2load");
  }
}
