package dev.tether.benchmarks.connections;

import dev.tether.internal.Durations;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.function.Predicate;
import java.util.function.ToDoubleFunction;

/**
 * The connection benchmark's results as Markdown: the machine, connections per second and server CPU
 * per connection of every variant with Tether's ratios to both bare servers (per fork, then across
 * forks), Tether's share of the server's CPU samples, the saving of the grace period for reconnecting
 * clients, the sessions held after clients left, and every round's numbers.
 */
final class Report {
  /** Two-sided 95 % quantiles of Student's t, by degrees of freedom (1 to 20; 2.0 beyond). */
  private static final double[] T95 = {12.706, 4.303, 3.182, 2.776, 2.571, 2.447, 2.365, 2.306,
      2.262, 2.228, 2.201, 2.179, 2.160, 2.145, 2.131, 2.120, 2.110, 2.101, 2.093, 2.086};

  private final BenchOptions options;
  private final String machine;
  private final String commandLine;
  private final List<Cell> cells = new ArrayList<>();
  private final List<Memory> memories = new ArrayList<>();
  private String endLoad = "unknown";

  Report(BenchOptions options, String machine, String commandLine) {
    this.options = options;
    this.machine = machine;
    this.commandLine = commandLine;
  }

  /**
   * One container x protocol x load: each server variant's rounds, per fork, and the profiles of
   * Tether's server (one per fork): flight recordings ({@code --jfr}) and CPU-time profiles
   * ({@code --cpu-profile}).
   */
  record Cell(String container, String protocol, String load, String description,
      Map<ServerSpec, List<List<Round>>> rounds, List<Profile> profiles,
      List<Profile> cpuProfiles) {

    List<List<Round>> bareDefaults() {
      return find(s -> !s.tether() && !s.stateful());
    }

    List<List<Round>> bareStateful() {
      return find(s -> !s.tether() && s.stateful());
    }

    List<List<Round>> tether(long grace) {
      return find(s -> s.tether() && s.graceMillis() == grace);
    }

    private List<List<Round>> find(Predicate<ServerSpec> which) {
      return rounds.entrySet().stream().filter(e -> which.test(e.getKey()))
          .map(Map.Entry::getValue).findFirst().orElse(null);
    }
  }

  /** The memory comparison of one container and protocol: readings before, at once, after the grace. */
  record Memory(String container, String protocol, long clients, long graceMillis,
      Map<ServerSpec, List<Map<String, String>>> readings) {}

  /**
   * Tether against a bare server on one measure: each fork's median of per-round ratios, and across
   * forks their median, range, and the half-width of the 95 % confidence interval of their mean (the
   * smallest difference the run resolves; none with one fork).
   */
  record Comparison(double[] perFork) {
    double median() {
      return Report.median(perFork);
    }

    double resolution() {
      int n = perFork.length;
      if (n < 2) {
        return Double.NaN;
      }
      double mean = Arrays.stream(perFork).average().orElseThrow();
      double variance = Arrays.stream(perFork).map(r -> (r - mean) * (r - mean)).sum() / (n - 1);
      return (n - 1 <= T95.length ? T95[n - 2] : 2.0) * Math.sqrt(variance / n);
    }

    String markdown() {
      double[] sorted = perFork.clone();
      Arrays.sort(sorted);
      double res = resolution();
      return String.format(Locale.ROOT, "**%.3f** (%.3f–%.3f%s)", median(), sorted[0],
          sorted[sorted.length - 1], Double.isNaN(res) ? "" : String.format(Locale.ROOT,
              ", ±%.3f", res));
    }
  }

  void add(Cell cell) {
    cells.add(cell);
  }

  void add(Memory memory) {
    memories.add(memory);
  }

  List<Cell> cells() {
    return cells;
  }

  List<Memory> memories() {
    return memories;
  }

  void finish(String loadAverage) {
    endLoad = loadAverage;
  }

  String markdown() {
    StringBuilder md = new StringBuilder();
    md.append("#### Machine\n\n").append(machine)
        .append("- Load average at the end (1, 5, 15 min): ").append(endLoad).append("\n\n")
        .append("Command: `java -cp benchmarks/target/benchmarks.jar ")
        .append(ConnectionBenchmark.class.getName()).append(commandLine.isEmpty() ? "" : " ")
        .append(commandLine).append("`; ").append(options.forks())
        .append(" fork(s): fresh server JVMs of every variant, side by side, each fork with ")
        .append(options.warmups())
        .append(" warm-up rounds per server (cycling through the clients), then before each load")
        .append(" up to ").append(options.settleRounds())
        .append(" more per server until its JIT compiler took at most ")
        .append(String.format(Locale.ROOT, "%.0f %%", 100 * options.settle()))
        .append(" of its CPU in a round, then ")
        .append(options.rounds()).append(" measured rounds per server and client, of ")
        .append(options.seconds()).append(" s each, interleaved; ").append(options.concurrency())
        .append(" concurrent client threads (JDK) or clients (h2load); server JVMs: `")
        .append(String.join(" ", options.serverJvmArgs())).append("`, plus `")
        .append(BenchOptions.STATEFUL).append("` for all but the bare server as shipped")
        .append(options.serverCpus().isEmpty() ? "" : "; servers on CPU " + options.serverCpus())
        .append(options.clientCpus().isEmpty() ? "" : ", clients on CPU " + options.clientCpus())
        .append(".\n\n");
    if (!cells.isEmpty()) {
      costTable(md, "Connections per second", Round::perSecond);
      costTable(md, "Server CPU per connection (µs, JIT compiler threads left out)",
          Round::cpuMicrosPerConnection);
      cpuProfileTable(md);
      profileTable(md);
      savingTable(md);
    }
    if (!memories.isEmpty()) {
      memoryTable(md);
    }
    if (!cells.isEmpty()) {
      roundsTable(md);
    }
    return md.toString();
  }

  private void costTable(StringBuilder md, String title, ToDoubleFunction<Round> f) {
    md.append("#### ").append(title).append(": bare servers against Tether (grace ")
        .append(duration(options.graceMillis())).append(")\n\n")
        .append("Values: medians over every round of every fork. Ratios: Tether/bare per fork (the "
            + "median of its per-round ratios), then across forks: **median** (range, ± the "
            + "half-width of the 95 % confidence interval of their mean: the smallest difference "
            + "this run resolves).\n\n")
        .append("| container | TLS | client | handshakes (Tether's counters) "
            + "| bare, JDK defaults | bare, stateful | Tether "
            + "| Tether / bare, JDK defaults | Tether / bare, stateful |\n")
        .append("|---|---|---|---|--:|--:|--:|--:|--:|\n");
    for (Cell c : cells) {
      List<List<Round>> tether = c.tether(options.graceMillis());
      md.append("| ").append(c.container()).append(" | ").append(c.protocol()).append(" | ")
          .append(c.description()).append(" | ").append(mix(flatten(tether))).append(" | ")
          .append(value(c.bareDefaults(), f)).append(" | ")
          .append(value(c.bareStateful(), f)).append(" | ")
          .append(value(tether, f)).append(" | ")
          .append(c.bareDefaults() == null ? "-" : compare(c.bareDefaults(), tether, f).markdown())
          .append(" | ")
          .append(c.bareStateful() == null ? "-" : compare(c.bareStateful(), tether, f).markdown())
          .append(" |\n");
    }
    md.append('\n');
  }

  private void cpuProfileTable(StringBuilder md) {
    if (cells.stream().allMatch(c -> c.cpuProfiles().isEmpty())) {
      return;
    }
    md.append("#### Tether's share of the server's CPU (async-profiler, CPU time, a sample every ")
        .append(BenchServer.CPU_INTERVAL).append(")\n\n")
        .append("Every thread of Tether's server sampled at every interval of CPU time it uses, in "
            + "Java, native, JVM or kernel code alike, over the measured rounds of every fork: the "
            + "samples with a frame of Tether's code anywhere in the stack (inclusive, inlined "
            + "frames included), per cent of all; per fork in brackets. What Tether only passes "
            + "on (its innermost frame calls a method of the same name outside Tether) is given "
            + "apart, as in the flight recordings' table. Tether's CPU per connection (per request "
            + "where the client says so): its samples times the interval, over the connections "
            + "of Tether's measured rounds; unlike the share, it does not move with the cost of the "
            + "rest of the connection on the machine of the day.\n\n");
    shareRows(md, Cell::cpuProfiles, true);
  }

  /**
   * The rows of a share table; with {@code perConnection}, also Tether's CPU per connection (CPU-time
   * profiles only: a flight recording's samples are not CPU time).
   */
  private void shareRows(StringBuilder md, java.util.function.Function<Cell, List<Profile>> of,
      boolean perConnection) {
    String numbers = perConnection ? "--:|--:|--:|--:|" : "--:|--:|--:|";
    md.append("| container | TLS | client | samples | Tether's share | passed on ")
        .append(perConnection ? "| Tether's CPU per connection " : "")
        .append("| Tether's methods (inclusive) | running in Tether's samples |\n")
        .append("|---|---|---|").append(numbers).append("---|---|\n");
    for (Cell c : cells) {
      List<Profile> profiles = of.apply(c);
      if (profiles.isEmpty()) {
        continue;
      }
      Profile all = profiles.stream().reduce(Profile.EMPTY, Profile::plus);
      StringBuilder forks = new StringBuilder();
      for (Profile p : profiles) {
        forks.append(forks.length() == 0 ? "" : ", ")
            .append(String.format(Locale.ROOT, "%.2f", p.share()));
      }
      md.append("| ").append(c.container()).append(" | ").append(c.protocol()).append(" | ")
          .append(c.description()).append(" | ")
          .append(String.format(Locale.ROOT, "%,d", all.samples())).append(" | ")
          .append(String.format(Locale.ROOT, "**%.2f %%** (%s)", all.share(), forks))
          .append(String.format(Locale.ROOT, " | %.2f %%", all.passedOnShare()));
      if (perConnection) {
        md.append(" | ").append(perConnection(profiles, c.tether(options.graceMillis())));
      }
      md.append(" | ").append(all.top(all.byTetherMethod(), 4)).append(" | ")
          .append(all.top(all.byCallee(), 4)).append(" |\n");
    }
    md.append('\n');
  }

  /**
   * Tether's CPU per connection, in µs: its samples (one per {@link BenchServer#CPU_INTERVAL_MICROS}
   * of CPU) over the connections of Tether's measured rounds, all forks and per fork.
   */
  static String perConnection(List<Profile> profiles, List<List<Round>> tetherRounds) {
    if (tetherRounds == null || tetherRounds.size() != profiles.size()) {
      return "-";
    }
    long samples = 0;
    long connections = 0;
    StringBuilder forks = new StringBuilder();
    for (int f = 0; f < profiles.size(); f++) {
      long n = tetherRounds.get(f).stream().mapToLong(Round::connections).sum();
      long t = profiles.get(f).tether();
      samples += t;
      connections += n;
      forks.append(f == 0 ? "" : ", ").append(micros(t, n));
    }
    return "**" + micros(samples, connections) + " µs** (" + forks + ")";
  }

  private static String micros(long samples, long connections) {
    return connections == 0 ? "-" : String.format(Locale.ROOT, "%.2f",
        (double) samples * BenchServer.CPU_INTERVAL_MICROS / connections);
  }

  private void profileTable(StringBuilder md) {
    if (cells.stream().allMatch(c -> c.profiles().isEmpty())) {
      return;
    }
    md.append("#### Tether's share of the server's CPU samples (JFR, every ")
        .append(BenchServer.SAMPLE_MILLIS).append(" ms)\n\n")
        .append("Samples of Tether's server with a frame of Tether's code anywhere in the stack "
            + "(inclusive), over the measured rounds of every fork, per cent of all its samples; "
            + "per fork in brackets. Not counted as Tether's, and given apart: what Tether only "
            + "passes on, where its innermost frame calls a method of the same name and parameters "
            + "that it overrides or wraps (the algorithm checks of constraints the engine's owner "
            + "set, which the handshake inspector passes each question on to; Tomcat's "
            + "TetherChannel.handshake calling SecureNioChannel.handshake): a server without Tether "
            + "does that work the same way. Where the rest "
            + "goes: Tether's methods, inclusive, and the methods running in Tether's samples.\n\n");
    shareRows(md, Cell::profiles, false);
  }

  private void savingTable(StringBuilder md) {
    List<Cell> withZero = cells.stream().filter(c -> c.tether(0) != null).toList();
    if (withZero.isEmpty()) {
      return;
    }
    md.append("#### Saving: clients that reconnect, Tether grace ")
        .append(duration(options.graceMillis())).append(" against grace 0\n\n")
        .append("| container | TLS | client | grace 0: handshakes | grace 0 conn/s "
            + "| grace 0 CPU µs/conn | grace ").append(duration(options.graceMillis()))
        .append(": handshakes | SAs revived | conn/s | CPU µs/conn | CPU saved per connection |\n")
        .append("|---|---|---|---|--:|--:|---|--:|--:|--:|--:|\n");
    for (Cell c : withZero) {
      List<Round> zero = flatten(c.tether(0));
      List<Round> grace = flatten(c.tether(options.graceMillis()));
      double cpuZero = median(zero, Round::cpuMicrosPerConnection);
      double cpuGrace = median(grace, Round::cpuMicrosPerConnection);
      Round.Counts g = total(grace);
      md.append("| ").append(c.container()).append(" | ").append(c.protocol()).append(" | ")
          .append(c.description()).append(" | ").append(mix(zero)).append(" | ")
          .append(num(median(zero, Round::perSecond))).append(" | ").append(num(cpuZero))
          .append(" | ").append(mix(grace)).append(" | ")
          .append(g == null ? "-" : String.format(Locale.ROOT, "%,d", g.revived())).append(" | ")
          .append(num(median(grace, Round::perSecond))).append(" | ").append(num(cpuGrace))
          .append(" | ").append(String.format(Locale.ROOT, "%.0f µs (%.0f%%)", cpuZero - cpuGrace,
              100 * (cpuZero - cpuGrace) / cpuZero)).append(" |\n");
    }
    md.append('\n');
  }

  private void memoryTable(StringBuilder md) {
    Memory first = memories.get(0);
    md.append("#### Memory: ").append(String.format(Locale.ROOT, "%,d", first.clients()))
        .append(" clients connect once (full handshakes) and leave\n\n")
        .append("Sessions in the server's `SSLSessionContext` and heap in use after a full GC, "
            + "before the clients, at once after the last one left, and ")
        .append(duration(first.graceMillis()))
        .append(" + 2 s later (Tether's grace has passed).\n\n")
        .append("| container | TLS | server | sessions at once | sessions after | heap at once "
            + "(MB over before) | heap after (MB over before) | SAs negotiated |\n")
        .append("|---|---|---|--:|--:|--:|--:|--:|\n");
    for (Memory m : memories) {
      m.readings().forEach((spec, r) -> {
        long before = Long.parseLong(r.get(0).get("heap"));
        md.append("| ").append(m.container()).append(" | ").append(m.protocol()).append(" | ")
            .append(spec.tether() ? "Tether, grace " + duration(spec.graceMillis())
                : "bare, stateful (JDK cache: 20,480 sessions, 24 h)").append(" | ")
            .append(String.format(Locale.ROOT, "%,d", Long.parseLong(r.get(1).get("sessions"))))
            .append(" | ")
            .append(String.format(Locale.ROOT, "%,d", Long.parseLong(r.get(2).get("sessions"))))
            .append(" | ").append(mb(Long.parseLong(r.get(1).get("heap")) - before)).append(" | ")
            .append(mb(Long.parseLong(r.get(2).get("heap")) - before)).append(" | ")
            .append(r.get(3).getOrDefault("negotiated", "-")).append(" |\n");
      });
    }
    md.append('\n');
  }

  private void roundsTable(StringBuilder md) {
    md.append("<details><summary>Every round</summary>\n\n")
        .append("| container | TLS | client | server | fork | conn/s per round "
            + "| CPU µs/conn per round |\n")
        .append("|---|---|---|---|--:|---|---|\n");
    for (Cell c : cells) {
      c.rounds().forEach((spec, forks) -> {
        for (int f = 0; f < forks.size(); f++) {
          md.append("| ").append(c.container()).append(" | ").append(c.protocol()).append(" | ")
              .append(c.load()).append(" | ").append(spec.label()).append(" | ").append(f + 1)
              .append(" | ").append(join(forks.get(f), Round::perSecond)).append(" | ")
              .append(join(forks.get(f), Round::cpuMicrosPerConnection)).append(" |\n");
        }
      });
    }
    md.append("\n</details>\n");
  }

  /** Tether against a bare server, fork by fork: see {@link Comparison}. */
  static Comparison compare(List<List<Round>> bare, List<List<Round>> tether,
      ToDoubleFunction<Round> f) {
    int forks = Math.min(bare.size(), tether.size());
    double[] perFork = new double[forks];
    for (int k = 0; k < forks; k++) {
      List<Round> b = bare.get(k);
      List<Round> t = tether.get(k);
      int n = Math.min(b.size(), t.size());
      double[] ratios = new double[n];
      for (int i = 0; i < n; i++) {
        ratios[i] = f.applyAsDouble(t.get(i)) / f.applyAsDouble(b.get(i));
      }
      perFork[k] = median(ratios);
    }
    return new Comparison(perFork);
  }

  /** The median over every round of every fork, marked if connections failed. */
  private static String value(List<List<Round>> forks, ToDoubleFunction<Round> f) {
    if (forks == null) {
      return "-";
    }
    List<Round> all = flatten(forks);
    return num(median(all, f)) + failed(all);
  }

  static List<Round> flatten(List<List<Round>> forks) {
    return forks == null ? List.of() : forks.stream().flatMap(List::stream).toList();
  }

  /** Marks a variant some of whose connections failed: its numbers are not comparable. */
  static String failed(List<Round> rounds) {
    long failures = rounds.stream().mapToLong(Round::failures).sum();
    return failures == 0 ? "" : String.format(Locale.ROOT, " (%,d failed!)", failures);
  }

  /** How the Tether server's handshakes went: the share of connections that resumed an SA. */
  static String mix(List<Round> rounds) {
    Round.Counts t = total(rounds);
    if (t == null || t.negotiated() + t.reused() == 0) {
      return "-";
    }
    double resumed = 100.0 * t.reused() / (t.negotiated() + t.reused());
    return resumed < 0.5 ? "all full" : String.format(Locale.ROOT, "%.1f%% resumed", resumed);
  }

  static Round.Counts total(List<Round> rounds) {
    if (rounds == null || rounds.isEmpty() || rounds.get(0).counts() == null) {
      return null;
    }
    Round.Counts sum = new Round.Counts(0, 0, 0);
    for (Round r : rounds) {
      sum = sum.plus(r.counts());
    }
    return sum;
  }

  static double median(List<Round> rounds, ToDoubleFunction<Round> f) {
    return median(rounds.stream().mapToDouble(f).toArray());
  }

  static double median(double[] values) {
    double[] v = values.clone();
    Arrays.sort(v);
    int n = v.length;
    return n == 0 ? Double.NaN : n % 2 == 1 ? v[n / 2] : (v[n / 2 - 1] + v[n / 2]) / 2;
  }

  private static String join(List<Round> rounds, ToDoubleFunction<Round> f) {
    StringBuilder s = new StringBuilder();
    for (Round r : rounds) {
      s.append(s.length() == 0 ? "" : ", ").append(num(f.applyAsDouble(r)));
    }
    return s.toString();
  }

  private static String num(double v) {
    return String.format(Locale.ROOT, "%,.0f", v);
  }

  private static String mb(long bytes) {
    return String.format(Locale.ROOT, "%.1f", bytes / 1048576.0);
  }

  private static String duration(long millis) {
    return Durations.format(Duration.ofMillis(millis));
  }
}
