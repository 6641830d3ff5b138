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
 * The connection benchmark's driver. For each container (Jetty 12.1, Tomcat 11) and TLS protocol it
 * starts, side by side, the bare server as shipped (the JDK's stateless session tickets), the bare
 * server with the stateful session cache Tether needs, and the server with Tether (optionally also
 * Tether at grace 0), each a JVM of its own with the same flags; warms them up with every client
 * load, then for each load runs rounds against them in turn (the order reversed every other round,
 * so that drifting background load falls on all variants alike). It does this {@code forks} times,
 * with fresh JVMs each time (the variants' start order rotated), because a JVM carries a bias of its
 * own that no number of rounds averages out. It reports connections per second and server CPU per
 * connection, and Tether's ratios to both bare servers: per fork the median of the per-round ratios,
 * then across forks their median, range and the half-width of their 95 % confidence interval, the
 * smallest difference the run resolves. With {@code --jfr} every server records its CPU samples
 * while a load is measured, and the report gives Tether's share of them and where it goes. Then,
 * optionally, the memory comparison: sessions held by the server after clients that connected once
 * have left. Every server offers {@code h2} and {@code http/1.1} by ALPN; for the HTTP/2 load the
 * rate and CPU are per request.
 *
 * <pre>
 * mvn -B -q -pl benchmarks -am -DskipTests package
 * java -cp benchmarks/target/benchmarks.jar dev.tether.benchmarks.connections.ConnectionBenchmark \
 *     --server-cpus=0 --client-cpus=1 --jfr --out=connections.md
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

  /** The variants of one container and protocol: both bare servers, Tether, maybe Tether at 0. */
  List<ServerSpec> specs(String container, String protocol, boolean reconnecting) {
    List<ServerSpec> specs = new ArrayList<>(List.of(
        ServerSpec.bareDefaults(container, protocol, keyStore, PASSWORD),
        ServerSpec.bareStateful(container, protocol, keyStore, PASSWORD),
        ServerSpec.tether(container, options.graceMillis(), protocol, keyStore, PASSWORD)));
    if (options.saving() && reconnecting) {
      // Clients that reconnect: what the grace period saves against deleting at the last close.
      specs.add(ServerSpec.tether(container, 0, protocol, keyStore, PASSWORD));
    }
    return specs;
  }

  /**
   * Runs the cells of one container and protocol: {@code forks} times, fresh server JVMs of every
   * variant, warmed up with every load in turn (the JIT compiles the same code for all of them),
   * then each load measured in interleaved rounds.
   */
  List<Report.Cell> runCells(String container, String protocol, List<Load> loads)
      throws IOException, InterruptedException {
    List<ServerSpec> specs = specs(container, protocol,
        loads.stream().anyMatch(l -> reconnects(l.name())));
    Map<String, Report.Cell> cells = new LinkedHashMap<>();
    for (Load load : loads) {
      cells.put(load.name(), new Report.Cell(container, protocol, load.name(), load.description(),
          new LinkedHashMap<>(), new ArrayList<>(), new ArrayList<>()));
    }
    for (int fork = 0; fork < options.forks(); fork++) {
      List<ServerSpec> order = new ArrayList<>(specs);
      Collections.rotate(order, fork);
      List<Variant> variants = Variant.startAll(order, options.classPath(),
          options.serverJvmArgs(), options.serverCpus(), work, "-fork" + (fork + 1));
      try {
        if (options.jfr()) {
          // Flight recording from the start: the JVM's first recording disturbs its compiled code
          // (without this, servers recorded from the first measured round ran at a half to a
          // sixth of their speed, some with X25519 arithmetic left in the interpreter); the warm-up
          // lets the JIT settle again, and the measured rounds get a recording of their own.
          for (Variant v : variants) {
            v.startRecording();
          }
        }
        if (options.cpuProfile()) {
          // From the start too, as the recording: the JIT compiles what it compiles meanwhile with
          // the profiler's debug information.
          for (Variant v : variants) {
            v.startCpuProfile();
          }
        }
        warmUp(variants, loads, fork);
        for (Load load : loads) {
          measure(cells.get(load.name()), variants, load, fork);
        }
      } finally {
        variants.forEach(Variant::close);
      }
    }
    return new ArrayList<>(cells.values());
  }

  private void warmUp(List<Variant> variants, List<Load> loads, int fork)
      throws IOException, InterruptedException {
    for (int w = 0; w < options.warmups(); w++) {
      Load load = loads.get(w % loads.size());
      for (Variant v : variants) {
        Round warm = round(v, load, "fork " + (fork + 1) + " warm-up " + (w + 1));
        if (v == variants.get(0)) {
          load.calibrate(warm);
        }
      }
    }
  }

  /** One load's rounds in one fork, interleaved; with {@code --jfr} recorded in every variant. */
  private void measure(Report.Cell cell, List<Variant> variants, Load load, int fork)
      throws IOException, InterruptedException {
    // Full handshakes cannot be resumed, and HTTP/2's few connections do not reconnect, so grace 0
    // has nothing to show there.
    List<Variant> measured = variants.stream()
        .filter(v -> reconnects(load.name()) || !v.spec.tether() || v.spec.graceMillis() > 0)
        .toList();
    settle(measured, load, fork);
    Map<ServerSpec, List<Round>> rounds = new LinkedHashMap<>();
    measured.forEach(v -> rounds.put(v.spec, new ArrayList<>()));
    if (options.jfr()) {
      for (Variant v : measured) {
        v.startRecording();
      }
    }
    if (options.cpuProfile()) {
      for (Variant v : measured) {
        v.startCpuProfile();
      }
    }
    for (int r = 0; r < options.rounds(); r++) {
      List<Variant> order = new ArrayList<>(measured);
      if (r % 2 == 1) {
        Collections.reverse(order);
      }
      for (Variant v : order) {
        rounds.get(v.spec).add(round(v, load, "fork " + (fork + 1) + " round " + (r + 1)));
      }
    }
    if (options.jfr()) {
      collect(cell, measured, fork, ".jfr", Variant::stopRecording, Profile::of, cell.profiles(),
          "samples");
    }
    if (options.cpuProfile()) {
      collect(cell, measured, fork, ".collapsed", Variant::stopCpuProfile, Profile::ofCollapsed,
          cell.cpuProfiles(), "CPU samples");
    }
    rounds.forEach((spec, list) ->
        cell.rounds().computeIfAbsent(spec, s -> new ArrayList<>()).add(list));
    if (options.jfr() && fork == options.forks() - 1) {
      cell.profiles().stream().reduce(Profile.EMPTY, Profile::plus).writeStacks(work.resolve(
          String.join("-", cell.container(), cell.protocol(), cell.load(), "tether-stacks.txt")));
    }
    if (options.cpuProfile() && fork == options.forks() - 1) {
      cell.cpuProfiles().stream().reduce(Profile.EMPTY, Profile::plus).writeStacks(work.resolve(
          String.join("-", cell.container(), cell.protocol(), cell.load(),
              "tether-cpu-stacks.txt")));
    }
  }

  /**
   * Stops one kind of profile in every measured variant, each written to its own file, and keeps
   * the profile of Tether's server (at the compared grace) for the report.
   */
  private void collect(Report.Cell cell, List<Variant> measured, int fork, String suffix,
      ProfileStop stop, ProfileReader reader, List<Profile> into, String what) throws IOException {
    for (Variant v : measured) {
      Path file = work.resolve(String.join("-", cell.container(), cell.protocol(), cell.load(),
          v.spec.label().replaceAll("[ =,]+", "-"), "fork" + (fork + 1)) + suffix);
      stop.stop(v, file);
      if (v.spec.tether() && v.spec.graceMillis() == options.graceMillis()) {
        Profile profile = reader.read(file);
        into.add(profile);
        System.err.printf("%s %s %s fork %d: Tether in %.2f%% of %d %s%n", cell.container(),
            cell.protocol(), cell.load(), fork + 1, profile.share(), profile.samples(), what);
      }
    }
  }

  @FunctionalInterface
  private interface ProfileStop {
    void stop(Variant variant, Path file) throws IOException;
  }

  @FunctionalInterface
  private interface ProfileReader {
    Profile read(Path file) throws IOException;
  }

  /** Whether a load's clients reconnect, resuming: where a grace period can save handshakes. */
  private static boolean reconnects(String load) {
    return load.equals("resume") || load.equals("h2load");
  }

  private Round round(Variant v, Load load, String what) throws IOException, InterruptedException {
    Round.Counts before = v.counts();
    long cpu0 = v.cpuNanos();
    long jit0 = v.compilerNanos();
    Round.ClientResult c = load.run(v.port, v.spec.protocol());
    long cpu1 = v.cpuNanos();
    long jit1 = v.compilerNanos();
    Round.Counts after = v.counts();
    Round round = new Round(c.connections(), c.failures(), c.nanos(),
        Math.max(0, (cpu1 - cpu0) - (jit1 - jit0)), jit1 - jit0,
        after == null ? null : after.minus(before));
    System.err.printf(
        "%s %s %s %s %s: %d connections (%d failed), %.0f/s, %.0f us CPU each, JIT %.1f%%%s%n",
        v.spec.container(), v.spec.protocol(), load.name(), v.spec.label(), what,
        round.connections(), round.failures(), round.perSecond(), round.cpuMicrosPerConnection(),
        100 * round.compilerShare(), round.counts() == null ? "" : ", " + round.counts());
    return round;
  }

  /**
   * Runs more warm-up rounds of {@code load} on each variant until the JIT compiler took at most
   * {@code --settle} of its CPU in a round, or {@code --settle-rounds} rounds have run: a server
   * still compiling is measured at a speed it has not reached, and pinned side by side its compiler
   * takes CPU from the variant being measured.
   */
  private void settle(List<Variant> variants, Load load, int fork)
      throws IOException, InterruptedException {
    for (Variant v : variants) {
      for (int s = 1; s <= options.settleRounds(); s++) {
        Round r = round(v, load, "fork " + (fork + 1) + " settling " + s);
        if (v == variants.get(0)) {
          // h2load's requests per round were sized in a warm-up, at a speed still compiling.
          load.calibrate(r);
        }
        if (r.compilerShare() <= options.settle()) {
          break;
        }
        if (s == options.settleRounds()) {
          System.err.printf("%s %s %s %s fork %d: the JIT still took %.1f%% after %d rounds%n",
              v.spec.container(), v.spec.protocol(), load.name(), v.spec.label(), fork + 1,
              100 * r.compilerShare(), s);
        }
      }
    }
  }

  /**
   * The memory comparison: {@code memoryClients} clients connect once each (full handshakes) and
   * leave; the sessions each server still holds are counted at once and after Tether's grace.
   */
  Report.Memory memory(String container, String protocol, ChildProcess client)
      throws IOException, InterruptedException {
    List<ServerSpec> specs = List.of(
        ServerSpec.bareStateful(container, protocol, keyStore, PASSWORD),
        ServerSpec.tether(container, options.memoryGraceMillis(), protocol, keyStore, PASSWORD),
        ServerSpec.tether(container, 0, protocol, keyStore, PASSWORD));
    List<Variant> variants = Variant.startAll(specs, options.classPath(),
        options.serverJvmArgs(), options.serverCpus(), work, "-memory");
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
