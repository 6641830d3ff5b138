package dev.tether.benchmarks.connections;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Checks that the connection benchmark still runs end to end, on the smallest scale: real server
 * processes, the Java client process, one short round, and the memory comparison with a few clients.
 */
class ConnectionBenchmarkSmokeTest {
  /** Light JVMs: the smoke runs are too short for the optimizing compiler to pay off. */
  private static final String SMALL_JVMS =
      "--server-jvm-args=-Xmx128m -XX:TieredStopAtLevel=1 -XX:+UseSerialGC";

  @TempDir
  Path work;

  @Test
  void fullHandshakeCell_onJetty_measuresBothBareServersAndTether_inEveryFork_withProfiles()
      throws Exception {
    BenchOptions options = BenchOptions.parse("--containers=jetty", "--protocols=TLSv1.3",
        "--loads=full", "--forks=2", "--warmups=0", "--settle-rounds=0", "--rounds=1", "--seconds=1",
        "--concurrency=1", "--memory-clients=0", "--jfr", "--cpu-profile", SMALL_JVMS, "--work=" + work);

    Report report = new ConnectionBenchmark(options).run("");

    assertThat(report.cells()).hasSize(1);
    Report.Cell cell = report.cells().get(0);
    assertThat(cell.bareDefaults()).hasSize(2);
    assertThat(cell.bareStateful()).hasSize(2);
    assertThat(cell.tether(options.graceMillis())).hasSize(2);
    for (List<List<Round>> variant : List.of(cell.bareDefaults(), cell.bareStateful())) {
      Round bare = variant.get(1).get(0);
      assertThat(bare.connections()).isPositive();
      assertThat(bare.failures()).isZero();
      assertThat(bare.counts()).isNull();
      assertThat(bare.cpuNanos()).isPositive();
      // A server measured without any warm-up is still compiling, and this is read from /proc.
      assertThat(bare.compilerNanos()).isPositive();
    }
    Round tether = cell.tether(options.graceMillis()).get(1).get(0);
    assertThat(tether.connections()).isPositive();
    assertThat(tether.failures()).isZero();
    // The client forgets its session after every connection: no resumption reaches Tether.
    assertThat(tether.counts()).isEqualTo(new Round.Counts(tether.connections(), 0, 0));
    // Each fork's recording of Tether's server has samples. Whether Tether's frames are among them is
    // chance here: a 1 s round gives about 100 samples of running Java code, 1-3 % of them Tether's.
    assertThat(cell.profiles()).hasSize(2).allSatisfy(p -> assertThat(p.samples()).isPositive());
    // Each fork's CPU-time profile has every thread's CPU (about 1,100 samples a round, some 3 % of
    // them Tether's while the server is this fresh), and the forks together have Tether's frames
    // among it: none in both would mean Tether's frames are not recognized.
    assertThat(cell.cpuProfiles()).hasSize(2)
        .allSatisfy(p -> assertThat(p.samples()).isGreaterThan(p.tether()).isPositive());
    assertThat(cell.cpuProfiles().stream().mapToLong(Profile::tether).sum()).isPositive();
    assertThat(report.markdown())
        .contains("| jetty | TLSv1.3 | JDK client, new session per connection | all full |")
        .contains("Tether's share of the server's CPU samples")
        .contains("Tether's share of the server's CPU (async-profiler")
        .containsPattern("\\| \\*\\*\\d+\\.\\d\\d µs\\*\\* \\(\\d+\\.\\d\\d, \\d+\\.\\d\\d\\) \\|");
  }

  @Test
  void http2Cell_onTomcat_measuresRequestsOverFewConnections_bothBareServersAndTether() throws Exception {
    BenchOptions options = BenchOptions.parse("--containers=tomcat", "--protocols=TLSv1.3",
        "--loads=h2", "--forks=1", "--warmups=0", "--settle-rounds=1", "--rounds=1", "--seconds=1",
        "--concurrency=2", "--memory-clients=0", SMALL_JVMS, "--work=" + work);

    Report report = new ConnectionBenchmark(options).run("");

    assertThat(report.cells()).hasSize(1);
    Report.Cell cell = report.cells().get(0);
    assertThat(cell.tether(0)).as("no grace-0 variant for long connections").isNull();
    for (List<List<Round>> variant : List.of(cell.bareDefaults(), cell.bareStateful())) {
      Round bare = variant.get(0).get(0);
      assertThat(bare.connections()).as("requests").isGreaterThanOrEqualTo(400);
      assertThat(bare.failures()).isZero();
    }
    Round tether = cell.tether(options.graceMillis()).get(0).get(0);
    assertThat(tether.connections()).as("requests").isGreaterThanOrEqualTo(400);
    assertThat(tether.failures()).isZero();
    // Two connections, one SA each, carried every request.
    assertThat(tether.counts().negotiated() + tether.counts().reused()).isEqualTo(2);
    assertThat(report.markdown()).contains("| tomcat | TLSv1.3 | h2load over HTTP/2, 2 connections");
  }

  @Test
  void memoryComparison_onTomcat_bareKeepsSessions_tetherDeletesThemAfterItsGrace()
      throws Exception {
    BenchOptions options = BenchOptions.parse("--containers=tomcat", "--protocols=TLSv1.2",
        "--loads=", "--memory-clients=20", "--memory-grace=1000", "--concurrency=2",
        SMALL_JVMS, "--work=" + work);

    Report report = new ConnectionBenchmark(options).run("");

    assertThat(report.cells()).isEmpty();
    assertThat(report.memories()).hasSize(1);
    Map<ServerSpec, List<Map<String, String>>> readings = report.memories().get(0).readings();
    assertThat(readings).hasSize(3);
    readings.forEach((spec, r) -> {
      String atOnce = r.get(1).get("sessions");
      String after = r.get(2).get("sessions");
      if (!spec.tether()) {
        assertThat(spec.stateful()).isTrue();
        assertThat(List.of(atOnce, after)).as(spec.label()).containsExactly("20", "20");
      } else if (spec.graceMillis() > 0) {
        // The first clients' SAs may expire while the last ones connect.
        assertThat(Integer.parseInt(atOnce)).as(spec.label()).isBetween(1, 20);
        assertThat(after).as(spec.label()).isEqualTo("0");
      } else {
        assertThat(List.of(atOnce, after)).as(spec.label()).containsExactly("0", "0");
      }
    });
  }
}
