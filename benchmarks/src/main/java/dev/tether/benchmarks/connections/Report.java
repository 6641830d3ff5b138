package dev.tether.benchmarks.connections;

import dev.tether.internal.Durations;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.function.ToDoubleFunction;

/**
 * The connection benchmark's results as Markdown: the machine, the cost table (bare against Tether),
 * the saving of the grace period for reconnecting clients, the sessions held after clients left,
 * and every round's numbers.
 */
final class Report {
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

  /** One container x protocol x load, with the rounds of each server variant. */
  record Cell(String container, String protocol, String load, String description,
      Map<ServerSpec, List<Round>> rounds) {

    List<Round> bare() {
      return find(false, -1);
    }

    List<Round> tether(long grace) {
      return find(true, grace);
    }

    private List<Round> find(boolean tether, long grace) {
      return rounds.entrySet().stream()
          .filter(e -> e.getKey().tether() == tether && (!tether || e.getKey().graceMillis() == grace))
          .map(Map.Entry::getValue).findFirst().orElse(null);
    }
  }

  /** The memory comparison of one container and protocol: readings before, at once, after the grace. */
  record Memory(String container, String protocol, long clients, long graceMillis,
      Map<ServerSpec, List<Map<String, String>>> readings) {}

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
        .append(commandLine).append("`; ").append(options.warmups())
        .append(" warm-up rounds per server (cycling through the clients), then ")
        .append(options.rounds()).append(" measured rounds per server and client, of ")
        .append(options.seconds())
        .append(" s each; ").append(options.concurrency())
        .append(" concurrent client threads (JDK) or clients (h2load); server JVMs: `")
        .append(String.join(" ", options.serverJvmArgs()))
        .append(' ').append(BenchOptions.STATEFUL).append("`")
        .append(options.serverCpus().isEmpty() ? "" : "; servers on CPU " + options.serverCpus())
        .append(options.clientCpus().isEmpty() ? "" : ", clients on CPU " + options.clientCpus())
        .append(".\n\n");
    if (!cells.isEmpty()) {
      costTable(md);
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

  private void costTable(StringBuilder md) {
    md.append("#### Cost: bare container against Tether (grace ")
        .append(duration(options.graceMillis())).append(")\n\n")
        .append("Medians over the rounds; a ratio is the median of the rounds' Tether/bare ratios "
            + "(round i of Tether against round i of bare), with their range.\n\n")
        .append("| container | TLS | client | handshakes (Tether's counters) | bare conn/s "
            + "| Tether conn/s | conn/s Tether/bare | bare CPU µs/conn | Tether CPU µs/conn "
            + "| CPU Tether/bare |\n")
        .append("|---|---|---|---|--:|--:|--:|--:|--:|--:|\n");
    for (Cell c : cells) {
      List<Round> bare = c.bare();
      List<Round> tether = c.tether(options.graceMillis());
      md.append("| ").append(c.container()).append(" | ").append(c.protocol()).append(" | ")
          .append(c.description()).append(" | ").append(mix(tether)).append(" | ")
          .append(num(median(bare, Round::perSecond))).append(failed(bare)).append(" | ")
          .append(num(median(tether, Round::perSecond))).append(failed(tether)).append(" | ")
          .append(ratio(bare, tether, Round::perSecond)).append(" | ")
          .append(num(median(bare, Round::cpuMicrosPerConnection))).append(" | ")
          .append(num(median(tether, Round::cpuMicrosPerConnection))).append(" | ")
          .append(ratio(bare, tether, Round::cpuMicrosPerConnection)).append(" |\n");
    }
    md.append('\n');
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
      List<Round> zero = c.tether(0);
      List<Round> grace = c.tether(options.graceMillis());
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
                : "bare (JDK cache: 20,480 sessions, 24 h)").append(" | ")
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
        .append("| container | TLS | client | server | conn/s per round | CPU µs/conn per round |\n")
        .append("|---|---|---|---|---|---|\n");
    for (Cell c : cells) {
      c.rounds().forEach((spec, rounds) -> md.append("| ").append(c.container()).append(" | ")
          .append(c.protocol()).append(" | ").append(c.load()).append(" | ").append(spec.label())
          .append(" | ").append(join(rounds, Round::perSecond)).append(" | ")
          .append(join(rounds, Round::cpuMicrosPerConnection)).append(" |\n"));
    }
    md.append("\n</details>\n");
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
    if (rounds == null || rounds.get(0).counts() == null) {
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

  /** The median of the per-round ratios {@code tether_i / bare_i}, with their range. */
  static String ratio(List<Round> bare, List<Round> tether, ToDoubleFunction<Round> f) {
    int n = Math.min(bare.size(), tether.size());
    double[] ratios = new double[n];
    for (int i = 0; i < n; i++) {
      ratios[i] = f.applyAsDouble(tether.get(i)) / f.applyAsDouble(bare.get(i));
    }
    double[] sorted = ratios.clone();
    Arrays.sort(sorted);
    return String.format(Locale.ROOT, "**%.3f** (%.2f–%.2f)", median(ratios), sorted[0],
        sorted[n - 1]);
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
