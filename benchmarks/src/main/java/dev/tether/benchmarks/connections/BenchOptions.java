package dev.tether.benchmarks.connections;

import dev.tether.benchmarks.Args;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.List;
import java.util.Map;

/**
 * The connection benchmark's settings, from {@code --name=value} options. Every default is the one
 * docs/BENCHMARKS.md was measured with.
 *
 * @param containers {@code --containers=jetty,tomcat}
 * @param protocols {@code --protocols=TLSv1.2,TLSv1.3}
 * @param loads {@code --loads=full,resume,h2load,h2}: the Java client with a new session per
 *     connection, the Java client reconnecting with resumption, h2load over HTTP/1.1 reconnecting for
 *     every request, and h2load over HTTP/2 ({@code h2}: long connections, many streams each; its rate
 *     and CPU are per request)
 * @param forks {@code --forks=3} server JVMs per variant, one after another, each fresh (as JMH's
 *     forks): a JVM's own bias (code layout, JIT decisions, heap placement) then shows as a
 *     difference between forks instead of between variants
 * @param rounds {@code --rounds=5} measured rounds per variant, load and fork
 * @param warmups {@code --warmups=8} warm-up rounds per variant and fork, not counted, cycling
 *     through the loads
 * @param settle {@code --settle=0.01}: before a load is measured, each server gets more warm-up
 *     rounds of it until its JIT compiler took at most this part of its CPU in a round
 * @param settleRounds {@code --settle-rounds=12}: at most this many such rounds per server and load
 * @param seconds {@code --seconds=5} per round
 * @param concurrency {@code --concurrency=4} client threads (Java) or clients (h2load)
 * @param graceMillis {@code --grace=30000} Tether's grace period in the cost comparison
 * @param memoryClients {@code --memory-clients=3000} clients that connect once and leave, in the
 *     memory comparison; 0 skips it
 * @param memoryGraceMillis {@code --memory-grace=10000} Tether's grace period there
 * @param serverJvmArgs {@code --server-jvm-args="-Xms512m -Xmx512m"}, for every server variant
 * @param classPath {@code --classpath}: where the server and client classes are; default this JVM's
 * @param work {@code --work}: directory for the key store and the processes' logs
 * @param out {@code --out}: file the Markdown report is written to (also printed)
 * @param h2load {@code --h2load=/usr/bin/h2load}
 * @param serverCpus {@code --server-cpus=0}: the CPUs the server JVMs may run on ({@code taskset -c}
 *     list); empty (the default) leaves them unpinned
 * @param clientCpus {@code --client-cpus=1}: the same for the clients (the Java client and h2load)
 * @param jfr {@code --jfr}: every server records its CPU samples while a load is measured, and the
 *     report gives Tether's share of them (the same recording in every variant, so none is favoured)
 * @param cpuProfile {@code --cpu-profile}: every server is profiled by async-profiler while a load
 *     is measured (CPU time of every thread, kernel code included, a sample at every millisecond of
 *     CPU), and the report gives Tether's share of the server's CPU; with {@code --jfr} too, both
 *     run at once
 * @param saving {@code --saving}: also Tether with grace 0, against which the grace period's saving
 *     for reconnecting clients is reported
 */
record BenchOptions(List<String> containers, List<String> protocols, List<String> loads,
    int forks, int rounds, int warmups, double settle, int settleRounds, long seconds,
    int concurrency, long graceMillis, long memoryClients, long memoryGraceMillis, List<String> serverJvmArgs, String classPath,
    Path work, Path out, String h2load, String serverCpus, String clientCpus, boolean jfr,
    boolean cpuProfile, boolean saving) {

  static final List<String> LOADS = List.of("full", "resume", "h2load", "h2");

  /** The flag of the JDK's stateful session cache, which Tether needs (and "bare, stateful" gets). */
  static final String STATEFUL = "-Djdk.tls.server.enableSessionTicketExtension=false";

  /** Every option this benchmark takes; any other stops it before it starts. */
  private static final List<String> NAMES = List.of("containers", "protocols", "loads", "forks", "rounds",
      "warmups", "settle", "settle-rounds", "seconds", "concurrency", "grace", "memory-clients",
      "memory-grace", "server-jvm-args", "classpath", "work", "out", "h2load", "server-cpus",
      "client-cpus", "jfr", "cpu-profile", "saving");

  static BenchOptions parse(String... args) {
    Map<String, String> o = Args.parse(NAMES, args);
    List<String> loads = list(o, "loads", "full,resume,h2load,h2");
    for (String load : loads) {
      if (!LOADS.contains(load)) {
        throw new IllegalArgumentException("--loads: '" + load + "' must be one of " + LOADS);
      }
    }
    List<String> containers = list(o, "containers", "jetty,tomcat");
    List<String> protocols = list(o, "protocols", "TLSv1.2,TLSv1.3");
    for (String c : containers) {
      if (!ServerSpec.CONTAINERS.contains(c)) {
        throw new IllegalArgumentException("--containers: '" + c + "' must be one of "
            + ServerSpec.CONTAINERS);
      }
    }
    for (String p : protocols) {
      if (!ServerSpec.PROTOCOLS.contains(p)) {
        throw new IllegalArgumentException("--protocols: '" + p + "' must be one of "
            + ServerSpec.PROTOCOLS);
      }
    }
    String work = o.get("work");
    return new BenchOptions(containers, protocols, loads, (int) Args.number(o, "forks", 3, 1),
        (int) Args.number(o, "rounds", 5, 1), (int) Args.number(o, "warmups", 8, 0),
        share(o, "settle", 0.01), (int) Args.number(o, "settle-rounds", 12, 0),
        Args.number(o, "seconds", 5, 1), (int) Args.number(o, "concurrency", 4, 1),
        Args.number(o, "grace", 30_000, 1), Args.number(o, "memory-clients", 3_000, 0),
        Args.number(o, "memory-grace", 10_000, 1),
        Arrays.asList(o.getOrDefault("server-jvm-args", "-Xms512m -Xmx512m").trim().split("\\s+")),
        o.getOrDefault("classpath", System.getProperty("java.class.path")),
        work == null ? null : Path.of(work), o.containsKey("out") ? Path.of(o.get("out")) : null,
        o.getOrDefault("h2load", "/usr/bin/h2load"), cpus(o, "server-cpus"), cpus(o, "client-cpus"),
        flag(o, "jfr"), flag(o, "cpu-profile"), flag(o, "saving"));
  }

  private static double share(Map<String, String> o, String name, double defaultValue) {
    String text = o.get(name);
    if (text == null) {
      return defaultValue;
    }
    try {
      double value = Double.parseDouble(text);
      if (value >= 0 && value <= 1) {
        return value;
      }
    } catch (NumberFormatException e) {
      // reported below
    }
    throw new IllegalArgumentException("--" + name + "=" + text + " must be a share from 0 to 1");
  }

  private static boolean flag(Map<String, String> o, String name) {
    String text = o.getOrDefault(name, "false");
    if (!text.equals("true") && !text.equals("false")) {
      throw new IllegalArgumentException("--" + name + "=" + text + " must be true or false");
    }
    return Boolean.parseBoolean(text);
  }

  private static String cpus(Map<String, String> o, String name) {
    String text = o.getOrDefault(name, "").trim();
    if (!text.matches("[0-9,\\-]*")) {
      throw new IllegalArgumentException("--" + name + ": '" + text
          + "' must be a CPU list as taskset takes it, e.g. 0 or 0-1 or 0,2");
    }
    return text;
  }

  private static List<String> list(Map<String, String> o, String name, String defaults) {
    String text = o.getOrDefault(name, defaults).trim();
    return text.isEmpty() ? List.of() : List.of(text.split("\\s*,\\s*"));
  }
}
