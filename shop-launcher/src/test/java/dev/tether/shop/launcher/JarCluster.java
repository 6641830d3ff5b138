package dev.tether.shop.launcher;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import dev.tether.certificates.SelfSignedCertificate;
import dev.tether.testing.JsonParser;
import dev.tether.testing.OpenSslClient;
import dev.tether.testing.OpenSslClient.Handshake;
import dev.tether.testing.RedisServer;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Collectors;
import java.util.stream.Stream;

/**
 * A cluster of the packaged {@code tether-shop.jar} for the end-to-end tests, as an operator runs
 * it: a {@code redis-server} on a free port, three nodes started with {@code java -jar} and the
 * cluster options, each in a JVM of its own, and HAProxy (TCP mode, roundrobin) in front on a free
 * port, connecting to the nodes from {@value #BALANCER} so that what a node takes for the client's
 * address is plain to see. Everything is stopped by pid.
 *
 * <p>The administrator reads each node directly from {@value #MONITOR} with BASIC credentials.
 * Not thread-safe.
 */
final class JarCluster implements AutoCloseable {
  /** The address HAProxy connects to the nodes from. */
  static final String BALANCER = "127.0.0.3";
  /** The address the administrator's reads come from. */
  static final String MONITOR = "127.0.0.9";
  static final Duration SLOW = Duration.ofSeconds(60);
  private static final Pattern NODE = Pattern.compile("id=\"node\">node ([a-z0-9-]+)<");

  final Path dir;
  final RedisServer redis;
  final Path pem;
  final SelfSignedCertificate certificate;
  final List<Node> nodes = new ArrayList<>();
  final Haproxy haproxy;
  private final Path secret;
  private final boolean proxyProtocol;

  /** One node: its name, container and port; its process changes when it is started again. */
  static final class Node {
    final String name;
    final Container container;
    final int port;
    ChildProcess process;

    Node(String name, Container container, int port) {
      this.name = name;
      this.container = container;
      this.port = port;
    }
  }

  /**
   * Starts Redis, a node per container ({@code shop-1}, ...) and HAProxy.
   *
   * @param proxyProtocol whether HAProxy sends the PROXY protocol and the nodes read it
   */
  JarCluster(Path dir, List<Container> containers, boolean proxyProtocol) throws Exception {
    this.dir = dir;
    this.proxyProtocol = proxyProtocol;
    this.redis = RedisServer.start();
    this.secret = Files.writeString(dir.resolve("cluster.secret"),
        "the nodes' shared secret for the end-to-end tests\n", StandardCharsets.UTF_8);
    this.certificate = SelfSignedCertificate.loadOrCreate(dir.resolve("shop.p12"),
        ShopLauncher.KEYSTORE_PASSWORD.toCharArray());
    this.pem = certificate.writePem(dir.resolve("shop.pem"));
    Files.createDirectories(dir.resolve("tmp"));
    Haproxy lb = null;
    try {
      for (int i = 0; i < containers.size(); i++) {
        nodes.add(new Node("shop-" + (i + 1), containers.get(i), RedisServer.freePort()));
      }
      for (Node n : nodes) {
        launch(n);
      }
      for (Node n : nodes) {
        n.process.awaitReady(SLOW);
      }
      lb = Haproxy.start(Executables.find("haproxy").orElseThrow(), dir, new Haproxy.Config(
          "127.0.0.1", RedisServer.freePort(), nodes.stream()
              .map(n -> new Haproxy.Backend(n.name, n.port)).toList(), proxyProtocol, BALANCER,
          true));
      awaitLive(nodes.size());
    } catch (Exception | Error e) {
      if (lb != null) {
        lb.close();
      }
      stopNodes();
      redis.close();
      throw e;
    }
    this.haproxy = lb;
  }

  /** Starts node {@code n} (again), on its port; {@code n.process.awaitReady} waits for it. */
  void launch(Node n) throws IOException {
    List<String> command = new ArrayList<>(ShopProcess.java(List.of(
        "-Xmx256m", "-XX:+UseSerialGC", "-XX:TieredStopAtLevel=1",
        "-Djava.io.tmpdir=" + dir.resolve("tmp"),
        "-D" + ShopLauncher.PARENT_PROPERTY + "=" + ProcessHandle.current().pid(),
        "-jar", ShopProcess.jar(),
        "--container", n.container.optionValue(), "--port", Integer.toString(n.port),
        "--keystore", dir.resolve("shop.p12").toString(),
        "--cluster", redis.uri(), "--node", n.name,
        "--cluster-secret-file", secret.toString(),
        // A login's response waits for every node up to 2 s, not 50 ms: on a machine loaded by
        // other builds a node may be descheduled longer than 50 ms, and the tests check that every
        // SA is gone when the response arrives.
        "--cluster-ack-timeout", "2s")));
    if (proxyProtocol) {
      command.add("--proxy-protocol");
    }
    n.process = ChildProcess.start(n.name, command, dir.resolve(n.name + ".log"),
        line -> line.startsWith("Tether shop node " + n.name + " on "));
  }

  Node node(String name) {
    return nodes.stream().filter(n -> n.name.equals(name)).findFirst().orElseThrow();
  }

  /** Waits until every node that runs sees {@code live} live nodes. */
  void awaitLive(int live) {
    await().atMost(SLOW).pollInterval(Duration.ofMillis(250)).untilAsserted(() -> {
      for (Node n : nodes) {
        if (n.process.isAlive()) {
          assertThat(cluster(n).get("liveNodes")).as("live nodes seen by %s", n.name)
              .isEqualTo((long) live);
        }
      }
    });
  }

  /** The administrator, reading a node directly. */
  Https1 monitor() {
    return new Https1(certificate.clientContext(), MONITOR).basic("admin", "tether-admin");
  }

  @SuppressWarnings("unchecked")
  Map<String, Object> stats(Node n) throws IOException {
    Https1.Response r = monitor().get(n.port, "/tether/stats");
    assertThat(r.status()).as("stats of %s: %s", n.name, r.body()).isEqualTo(200);
    return (Map<String, Object>) JsonParser.parse(r.body());
  }

  @SuppressWarnings("unchecked")
  Map<String, Object> cluster(Node n) throws IOException {
    return (Map<String, Object>) stats(n).get("cluster");
  }

  @SuppressWarnings("unchecked")
  List<Map<String, Object>> associations(Node n) throws IOException {
    Https1.Response r = monitor().get(n.port, "/tether/associations");
    assertThat(r.status()).as("associations of %s", n.name).isEqualTo(200);
    return (List<Map<String, Object>>) JsonParser.parse(r.body());
  }

  /** Deletions of {@code cause} on node {@code n}. */
  @SuppressWarnings("unchecked")
  long deleted(Node n, String cause) throws IOException {
    return (Long) ((Map<String, Object>) stats(n).get("deletedByCause")).get(cause);
  }

  /** An {@code openssl s_client} through HAProxy from {@code from}. */
  OpenSslClient throughBalancer(String from) {
    return new OpenSslClient(haproxy.port(), "TLSv1.3", pem, from, "/");
  }

  /**
   * Opens a new TLS session on each node through the balancer from {@code from} (roundrobin sends
   * three connections in a row to the three nodes), each saved in a file of the cluster's folder
   * named after {@code from}; returns the files by the name of the node that served them.
   */
  Map<String, Path> sessionsThroughBalancer(String from) throws Exception {
    OpenSslClient client = throughBalancer(from);
    Map<String, Path> sessions = new LinkedHashMap<>();
    for (int i = 0; i < nodes.size(); i++) {
      Path s = dir.resolve(from + "-" + i + ".pem");
      OpenSslClient.Result r = client.request(null, s);
      assertThat(r.handshake()).as("session %s from %s", i, from).isEqualTo(Handshake.NEW);
      sessions.put(servedBy(r.output()), s);
    }
    assertThat(sessions.keySet()).containsExactlyInAnyOrderElementsOf(
        nodes.stream().map(n -> n.name).toList());
    return sessions;
  }

  /** The peers of node {@code n}'s SAs, but the administrator's ({@value #MONITOR}). */
  Set<String> peers(Node n) throws Exception {
    return associations(n).stream().map(sa -> (String) sa.get("peer"))
        .filter(p -> !p.equals(MONITOR)).collect(Collectors.toSet());
  }

  /** An {@code openssl s_client} to node {@code n} directly from {@code from}. */
  OpenSslClient direct(Node n, String from) {
    return new OpenSslClient(n.port, "TLSv1.3", pem, from, "/");
  }

  /** The node that served a page (its footer), or {@code null}. */
  static String servedBy(String page) {
    Matcher m = NODE.matcher(page);
    return m.find() ? m.group(1) : null;
  }

  /**
   * The checks after every test: on every node, no connection open but the monitor's own, every
   * lease released, SAs created less deleted equal to those held, no rejected cluster event.
   */
  void assertCountersBalance() {
    for (Node n : nodes) {
      await().atMost(SLOW).pollInterval(Duration.ofMillis(500)).untilAsserted(() -> {
        Map<String, Object> s = stats(n);
        long handshakes = (Long) s.get("negotiated") + (Long) s.get("reused");
        assertThat(s.get("leases")).as("open connections of %s but the monitor's", n.name)
            .isEqualTo(1L);
        assertThat((Long) s.get("released")).as("leases released by %s", n.name)
            .isEqualTo(handshakes - 1);
        assertThat((Long) s.get("negotiated") - (Long) s.get("deleted"))
            .as("SAs created less deleted on %s", n.name).isEqualTo(s.get("associations"));
        assertThat(((Map<?, ?>) s.get("cluster")).get("rejected")).as("rejected on %s", n.name)
            .isEqualTo(0L);
      });
    }
  }

  private void stopNodes() {
    for (Node n : nodes) {
      if (n.process != null) {
        n.process.stop(Duration.ofSeconds(20));
      }
    }
  }

  /** Returns what the nodes, HAProxy and Redis logged, for a failing test. */
  String logs() throws IOException {
    StringBuilder sb = new StringBuilder();
    try (Stream<Path> logs = Files.list(dir)) {
      for (Path p : logs.filter(p -> p.toString().endsWith(".log")).sorted().toList()) {
        sb.append("==== ").append(p.getFileName()).append('\n').append(Files.readString(p));
      }
    }
    return sb.toString();
  }

  @Override
  public void close() throws Exception {
    try {
      if (haproxy != null) {
        haproxy.close();
      }
      stopNodes();
    } finally {
      redis.close();
      try (Stream<Path> files = Files.walk(dir.resolve("tmp"))) {
        files.sorted(Comparator.reverseOrder()).forEach(p -> p.toFile().delete());
      }
    }
  }
}
