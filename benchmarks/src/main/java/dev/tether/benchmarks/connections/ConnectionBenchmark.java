package dev.tether.benchmarks.connections;

import dev.tether.certificates.SelfSignedCertificate;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * The connection benchmark's driver: for each container (Jetty 12.1, Tomcat 11) and TLS protocol, it
 * starts the bare server and two Tether servers (the grace period, and 0) as separate JVMs with the
 * same flags, warms them up with every client load, then for each load runs rounds against them in
 * turn (the order reversed every other round, so that drifting background load falls on all
 * variants alike), and reports the medians:
 * connections per second, server CPU per connection, Tether/bare ratios (for the HTTP/2 load,
 * requests per second and CPU per request). Every server offers {@code h2} and {@code http/1.1} by
 * ALPN. Then, optionally, the memory
 * comparison: sessions held by the server after clients that connected once have left.
 *
 * <pre>
 * mvn -B -q -pl benchmarks -am -DskipTests package
 * java -cp benchmarks/target/benchmarks.jar dev.tether.benchmarks.connections.ConnectionBenchmark \
 *     --out=connections.md
 * </pre>
 *
 * <p>Options: see {@link BenchOptions}. Progress goes to standard error, the Markdown report to
 * standard output and {@code --out}.
 */
public final class ConnectionBenchmark {
  static final String PASSWORD = "tether-bench";

  private final BenchOptions options;
  private Path work;
  private Path keyStore;

  ConnectionBenchmark(BenchOptions options) {
    this.options = options;
  }

  public static void main(String[] args) throws Exception {
    BenchOptions options = BenchOptions.parse(args);
    Report report = new ConnectionBenchmark(options).run(String.join(" ", args));
    String markdown = report.markdown();
    System.out.println(markdown);
    if (options.out() != null) {
      Files.writeString(options.out(), markdown);
    }
  }

  Report run(String commandLine) throws IOException, InterruptedException {
    work = options.work() != null ? Files.createDirectories(options.work())
        : Files.createTempDirectory("tether-bench");
    keyStore = work.resolve("bench.p12");
    SelfSignedCertificate.loadOrCreate(keyStore, PASSWORD.toCharArray());
    Report report = new Report(options, Machine.describe(options.h2load()), commandLine);
    boolean javaClient = options.memoryClients() > 0
        || options.loads().contains("full") || options.loads().contains("resume");
    try (ChildProcess client = javaClient ? startClient() : null) {
      for (String container : options.containers()) {
        for (String protocol : options.protocols()) {
          if (!options.loads().isEmpty()) {
            List<Load> loads = new ArrayList<>();
            for (String name : options.loads()) {
              loads.add(load(name, client));
            }
            runCells(container, protocol, loads).forEach(report::add);
          }
        }
      }
      if (options.memoryClients() > 0) {
        for (String container : options.containers()) {
          for (String protocol : options.protocols()) {
            report.add(memory(container, protocol, client));
          }
        }
      }
    }
    report.finish(Machine.loadAverage());
    return report;
  }

  private ChildProcess startClient() throws IOException {
    ChildProcess client = new ChildProcess("client", ChildProcess.pinned(options.clientCpus(),
        ChildProcess.java(options.classPath(), options.serverJvmArgs(), TlsClient.class,
            List.of("--keystore=" + keyStore, "--password=" + PASSWORD))),
        work.resolve("client.log"));
    client.readLine(); // "ready"
    return client;
  }

  private Load load(String name, ChildProcess client) {
    H2load h2load = new H2load(options.h2load(), options.clientCpus());
    return switch (name) {
      case "h2load" -> Load.h2load(h2load, options.concurrency(), options.seconds());
      case "h2" -> Load.http2(h2load, options.concurrency(), options.seconds());
      default -> Load.java(client, name, options.concurrency(), options.seconds());
    };
  }

  private ServerSpec spec(String container, boolean tether, long grace, String protocol) {
    return new ServerSpec(container, tether, grace, protocol, keyStore, PASSWORD);
  }

  /**
   * Runs the cells of one container and protocol. The server variants are started once and warmed up
   * with every load in turn (the JIT compiles the same code for all of them), then each load is
   * measured in interleaved rounds.
   */
  List<Report.Cell> runCells(String container, String protocol, List<Load> loads)
      throws IOException, InterruptedException {
    List<ServerSpec> specs = new ArrayList<>(List.of(spec(container, false, 0, protocol),
        spec(container, true, options.graceMillis(), protocol)));
    boolean reconnecting = loads.stream().anyMatch(l -> reconnects(l.name()));
    if (reconnecting) {
      // Clients that reconnect: what the grace period saves against deleting at the last close.
      specs.add(spec(container, true, 0, protocol));
    }
    List<Variant> variants = Variant.startAll(specs, options.classPath(), jvmArgs(), options.serverCpus(),
        work);
    try {
      for (int w = 0; w < options.warmups(); w++) {
        Load load = loads.get(w % loads.size());
        for (Variant v : variants) {
          Round warm = round(v, load, "warm-up " + (w + 1));
          if (v == variants.get(0)) {
            load.calibrate(new Round.ClientResult(warm.connections(), warm.failures(),
                warm.nanos()));
          }
        }
      }
      List<Report.Cell> cells = new ArrayList<>();
      for (Load load : loads) {
        // Full handshakes cannot be resumed, and HTTP/2's few connections do not reconnect, so grace
        // 0 has nothing to show there.
        List<Variant> measured = reconnects(load.name()) ? variants : variants.subList(0, 2);
        Map<ServerSpec, List<Round>> rounds = new LinkedHashMap<>();
        measured.forEach(v -> rounds.put(v.spec, new ArrayList<>()));
        for (int r = 0; r < options.rounds(); r++) {
          List<Variant> order = new ArrayList<>(measured);
          if (r % 2 == 1) {
            Collections.reverse(order);
          }
          for (Variant v : order) {
            rounds.get(v.spec).add(round(v, load, "round " + (r + 1)));
          }
        }
        cells.add(new Report.Cell(container, protocol, load.name(), load.description(), rounds));
      }
      return cells;
    } finally {
      variants.forEach(Variant::close);
    }
  }

  /** Whether a load's clients reconnect, resuming: where a grace period can save handshakes. */
  private static boolean reconnects(String load) {
    return load.equals("resume") || load.equals("h2load");
  }

  private List<String> jvmArgs() {
    List<String> args = new ArrayList<>(options.serverJvmArgs());
    args.add(BenchOptions.STATEFUL);
    return args;
  }

  private Round round(Variant v, Load load, String what) throws IOException, InterruptedException {
    Round.Counts before = v.counts();
    long cpu0 = v.cpuNanos();
    Round.ClientResult c = load.run(v.port, v.spec.protocol());
    long cpu1 = v.cpuNanos();
    Round.Counts after = v.counts();
    Round round = new Round(c.connections(), c.failures(), c.nanos(), cpu1 - cpu0,
        after == null ? null : after.minus(before));
    System.err.printf("%s %s %s %s %s: %d connections (%d failed), %.0f/s, %.0f us CPU each%s%n",
        v.spec.container(), v.spec.protocol(), load.name(), v.spec.label(), what,
        round.connections(), round.failures(), round.perSecond(), round.cpuMicrosPerConnection(),
        round.counts() == null ? "" : ", " + round.counts());
    return round;
  }

  /**
   * The memory comparison: {@code memoryClients} clients connect once each (full handshakes) and
   * leave; the sessions each server still holds are counted at once and after Tether's grace.
   */
  Report.Memory memory(String container, String protocol, ChildProcess client)
      throws IOException, InterruptedException {
    List<ServerSpec> specs = List.of(spec(container, false, 0, protocol),
        spec(container, true, options.memoryGraceMillis(), protocol),
        spec(container, true, 0, protocol));
    List<Variant> variants = Variant.startAll(specs, options.classPath(), jvmArgs(), options.serverCpus(),
        work);
    try {
      Map<ServerSpec, List<Map<String, String>>> readings = new LinkedHashMap<>();
      long lastLoadEnd = 0;
      for (Variant v : variants) {
        List<Map<String, String>> r = new ArrayList<>();
        r.add(v.sessions());
        client.ask("run port=" + v.port + " protocol=" + protocol + " mode=full threads="
            + options.concurrency() + " seconds=0 connections=" + options.memoryClients());
        lastLoadEnd = System.nanoTime();
        r.add(v.sessions());
        readings.put(v.spec, r);
        System.err.printf("%s %s memory %s: %s%n", container, protocol, v.spec.label(), r);
      }
      long wait = options.memoryGraceMillis() + 2_000 - (System.nanoTime() - lastLoadEnd) / 1_000_000;
      if (wait > 0) {
        Thread.sleep(wait);
      }
      for (Variant v : variants) {
        readings.get(v.spec).add(v.sessions());
        Round.Counts counts = v.counts();
        readings.get(v.spec).add(counts == null ? Map.of()
            : Map.of("negotiated", Long.toString(counts.negotiated())));
      }
      return new Report.Memory(container, protocol, options.memoryClients(),
          options.memoryGraceMillis(), readings);
    } finally {
      variants.forEach(Variant::close);
    }
  }
}
