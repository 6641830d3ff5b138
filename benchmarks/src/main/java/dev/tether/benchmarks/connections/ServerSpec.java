package dev.tether.benchmarks.connections;

import dev.tether.benchmarks.Args;
import dev.tether.internal.Durations;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Map;

/**
 * What one benchmark server runs: a container, with or without Tether (and its grace period), the
 * JDK's session mode, one TLS protocol, and the key store of its certificate. It travels to the
 * server process as arguments (the session mode as a JVM flag, which the server checks).
 *
 * @param container {@code jetty} or {@code tomcat}
 * @param tether whether Tether is installed
 * @param graceMillis Tether's grace period; ignored without Tether
 * @param stateful whether the JVM runs the JDK's stateful session cache
 *     ({@link BenchOptions#STATEFUL}), as Tether needs; without it a bare server runs as shipped,
 *     with the JDK's stateless session tickets
 * @param protocol the one TLS protocol the server offers, {@code TLSv1.2} or {@code TLSv1.3}
 * @param keyStore a PKCS#12 key store holding the certificate under {@code tether}
 * @param password the key store's password
 */
record ServerSpec(String container, boolean tether, long graceMillis, boolean stateful,
    String protocol, Path keyStore, String password) {

  static final List<String> CONTAINERS = List.of("jetty", "tomcat");

  /**
   * Tether's per-peer bound on the benchmark's servers. Every client of the benchmark connects from
   * 127.0.0.1, so the default bound (1,000 SAs per client address, a guard against one client
   * hoarding SAs) would refuse its full handshakes once 1,000 SAs of 127.0.0.1 wait out their grace.
   */
  static final int MAX_ASSOCIATIONS_PER_PEER = 1_000_000;
  static final List<String> PROTOCOLS = List.of("TLSv1.2", "TLSv1.3");

  ServerSpec {
    container = container.toLowerCase(Locale.ROOT);
    if (!CONTAINERS.contains(container)) {
      throw new IllegalArgumentException("container '" + container + "' must be one of " + CONTAINERS);
    }
    if (!PROTOCOLS.contains(protocol)) {
      throw new IllegalArgumentException("protocol '" + protocol + "' must be one of " + PROTOCOLS);
    }
    if (tether && !stateful) {
      throw new IllegalArgumentException("Tether needs the JDK's stateful session cache");
    }
    if (graceMillis < 0) {
      throw new IllegalArgumentException("grace " + graceMillis + " must be 0 or more milliseconds");
    }
  }

  /** A bare server as shipped: the JDK's default, stateless session tickets. */
  static ServerSpec bareDefaults(String container, String protocol, Path keyStore,
      String password) {
    return new ServerSpec(container, false, 0, false, protocol, keyStore, password);
  }

  /** A bare server with the stateful session cache Tether needs: only Tether differs from it. */
  static ServerSpec bareStateful(String container, String protocol, Path keyStore,
      String password) {
    return new ServerSpec(container, false, 0, true, protocol, keyStore, password);
  }

  static ServerSpec tether(String container, long graceMillis, String protocol, Path keyStore,
      String password) {
    return new ServerSpec(container, true, graceMillis, true, protocol, keyStore, password);
  }

  /**
   * Returns how the variant is named in reports: {@code bare, JDK defaults}, {@code bare, stateful}
   * or {@code tether grace=30s}.
   */
  String label() {
    return tether ? "tether grace=" + Durations.format(Duration.ofMillis(graceMillis))
        : stateful ? "bare, stateful" : "bare, JDK defaults";
  }

  /** The JVM flags of this variant besides those every server gets. */
  List<String> jvmFlags() {
    return stateful ? List.of(BenchOptions.STATEFUL) : List.of();
  }

  List<String> toArgs() {
    List<String> args = new ArrayList<>();
    args.add("--container=" + container);
    args.add("--tether=" + tether);
    args.add("--grace=" + graceMillis);
    args.add("--stateful=" + stateful);
    args.add("--protocol=" + protocol);
    args.add("--keystore=" + keyStore);
    args.add("--password=" + password);
    return args;
  }

  static ServerSpec fromArgs(String[] args) {
    Map<String, String> a = Args.parse(args);
    return new ServerSpec(a.getOrDefault("container", "jetty"),
        Boolean.parseBoolean(a.getOrDefault("tether", "false")),
        Long.parseLong(a.getOrDefault("grace", "30000")),
        Boolean.parseBoolean(a.getOrDefault("stateful", "true")),
        a.getOrDefault("protocol", "TLSv1.3"),
        Path.of(Args.required(a, "keystore")), Args.required(a, "password"));
  }
}
