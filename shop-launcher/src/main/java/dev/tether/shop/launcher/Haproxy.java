package dev.tether.shop.launcher;

import static java.util.Objects.requireNonNull;

import java.io.IOException;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;

/**
 * HAProxy in front of the shop's nodes, the way the demo cluster runs it: TCP mode, so that TLS
 * passes through to the nodes (each terminates it with Tether on its connector), and
 * {@code balance roundrobin}, so that one client's connections reach several nodes. A node that does
 * not answer is skipped: a refused connection is tried once more on the next node
 * ({@code retries 2}, {@code option redispatch}); there are no health checks, which would be
 * connections the nodes count. Optionally HAProxy sends each node the PROXY protocol header
 * ({@code send-proxy-v2}) naming the client, and connects from a chosen address ({@code source}).
 *
 * <p>Started from Debian's {@code haproxy} in the foreground ({@code -db}) with a configuration
 * written next to its log; stopped by its pid.
 *
 * <pre>{@code
 * try (Haproxy lb = Haproxy.start(Path.of("/usr/sbin/haproxy"), dir, new Haproxy.Config(
 *     "127.0.0.1", 8443, List.of(new Haproxy.Backend("shop-1", 40001)), false, null, true))) {
 *   // https://localhost:8443/ reaches the nodes in turn
 * }
 * }</pre>
 *
 * <p>Thread-safe.
 */
public final class Haproxy implements AutoCloseable {
  /**
   * One node behind the balancer.
   *
   * @param name the node's name, HAProxy's server name
   * @param port the node's HTTPS port on 127.0.0.1
   */
  public record Backend(String name, int port) {
    public Backend {
      requireNonNull(name, "name");
    }
  }

  /**
   * What HAProxy is told.
   *
   * @param host the address HAProxy listens on
   * @param port the port HAProxy listens on
   * @param backends the nodes, in HAProxy's round-robin order
   * @param sendProxy whether HAProxy sends each node a PROXY protocol v2 header naming the client
   * @param source the address HAProxy connects to the nodes from, or {@code null} for the system's
   *     choice
   * @param logConnections whether HAProxy logs one line per connection (which node it went to)
   */
  public record Config(String host, int port, List<Backend> backends, boolean sendProxy,
      String source, boolean logConnections) {
    public Config {
      requireNonNull(host, "host");
      backends = List.copyOf(backends);
    }
  }

  private final ChildProcess process;
  private final Config config;
  private final String version;

  private Haproxy(ChildProcess process, Config config, String version) {
    this.process = process;
    this.config = config;
    this.version = version;
  }

  /**
   * Writes the configuration to {@code dir/haproxy.cfg} and starts HAProxy with its log in
   * {@code dir/haproxy.log}; returns once it listens.
   *
   * @throws IOException if HAProxy ends or does not listen within 20 seconds (the message holds the
   *     end of its log), or the port is taken
   */
  public static Haproxy start(Path executable, Path dir, Config config) throws IOException {
    InetAddress host = InetAddress.getByName(config.host());
    if (!isFree(host, config.port())) {
      throw new IOException(config.host() + ":" + config.port() + " is already in use");
    }
    Path cfg = Files.writeString(dir.resolve("haproxy.cfg"), configuration(config),
        StandardCharsets.UTF_8);
    String version = version(executable);
    ChildProcess p = ChildProcess.start("haproxy", List.of(executable.toString(), "-db", "-f",
        cfg.toString()), dir.resolve("haproxy.log"), null);
    long deadline = System.nanoTime() + Duration.ofSeconds(20).toNanos();
    try {
      while (isFree(host, config.port())) {
        if (!p.isAlive() || System.nanoTime() > deadline) {
          p.stop(Duration.ofSeconds(5));
          p.awaitExit(Duration.ofSeconds(5));
          String alert = Files.readString(p.log()).lines().filter(l -> l.contains("[ALERT]"))
              .findFirst().orElse("see " + p.log());
          throw new IOException("haproxy did not start: "
              + alert.replaceAll("^\\[ALERT\\] *\\(\\d+\\) : ", ""));
        }
        Thread.sleep(20);
      }
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      p.stop(Duration.ofSeconds(5));
      throw new IOException("interrupted while haproxy started", e);
    }
    return new Haproxy(p, config, version);
  }

  /** Returns HAProxy's configuration for {@code config}. */
  static String configuration(Config config) {
    StringBuilder cfg = new StringBuilder()
        .append("# Tether's demo cluster: TLS passes through to the shop's nodes, which terminate it\n")
        .append("global\n")
        .append("    # two descriptors a connection: 4,000 of them fit a user's usual limit\n")
        .append("    maxconn 2000\n")
        .append("    log stderr format raw local0 ").append(config.logConnections() ? "info" : "notice")
        .append('\n')
        .append("defaults\n")
        .append("    mode tcp\n")
        .append("    log global\n")
        .append(config.logConnections() ? "    option tcplog\n" : "")
        .append("    timeout connect 2s\n")
        .append("    timeout client 5m\n")
        .append("    timeout server 5m\n")
        .append("    # a node that refuses the connection (stopped, restarting): the next one\n")
        .append("    retries 2\n")
        .append("    option redispatch\n")
        .append("frontend shop\n")
        .append("    bind ").append(config.host()).append(':').append(config.port()).append('\n')
        .append("    default_backend nodes\n")
        .append("backend nodes\n")
        .append("    balance roundrobin\n");
    for (Backend b : config.backends()) {
      cfg.append("    server ").append(b.name()).append(" 127.0.0.1:").append(b.port());
      if (config.sendProxy()) {
        cfg.append(" send-proxy-v2");
      }
      if (config.source() != null) {
        cfg.append(" source ").append(config.source());
      }
      cfg.append('\n');
    }
    return cfg.toString();
  }

  private static String version(Path executable) throws IOException {
    Process v = new ProcessBuilder(executable.toString(), "-v").redirectErrorStream(true).start();
    String out = new String(v.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
    String first = out.lines().findFirst().orElse("HAProxy");
    // "HAProxy version 2.6.12-1+deb12u4 2026/10/17 - https://haproxy.org/"
    String[] words = first.split(" ");
    return words.length >= 3 && words[1].equals("version") ? "HAProxy " + words[2] : first;
  }

  private static boolean isFree(InetAddress host, int port) {
    try (ServerSocket probe = new ServerSocket()) {
      probe.setReuseAddress(true);
      probe.bind(new InetSocketAddress(host, port));
      return true;
    } catch (IOException e) {
      return false;
    }
  }

  /** Returns the port HAProxy listens on. */
  public int port() {
    return config.port();
  }

  /** Returns HAProxy's pid. */
  public long pid() {
    return process.pid();
  }

  /** Returns HAProxy's version, e.g. {@code HAProxy 2.6.12-1+deb12u4}. */
  public String version() {
    return version;
  }

  /** Returns the configuration HAProxy runs. */
  public Config config() {
    return config;
  }

  /** Returns HAProxy's log file. */
  public Path log() {
    return process.log();
  }

  /** Returns whether HAProxy still runs. */
  public boolean isAlive() {
    return process.isAlive();
  }

  /** Stops HAProxy (SIGTERM, SIGKILL after 10 s) and returns once it ended. */
  @Override
  public void close() {
    process.stop(Duration.ofSeconds(10));
  }
}
