package dev.tether.cluster.redis;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import dev.tether.testing.OpenSslClient;
import dev.tether.testing.OpenSslClient.Handshake;
import dev.tether.testing.RedisServer;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.function.UnaryOperator;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * Three real nodes, Jetty, Tomcat and Jetty, on one Redis. A client holds a resumable session on
 * every node; after it logs in on one node, openssl's resumption attempts on every node do full
 * handshakes, and new connections on every node negotiate under the user's policy.
 */
class MixedContainersTest {
  private RedisServer redis;
  private List<NodeServer> nodes;
  private Path pem;

  @BeforeEach
  void start() throws Exception {
    redis = RedisServer.start();
    pem = NodeServer.pem();
    nodes = List.of(NodeServer.jetty("a", redis.uri(), UnaryOperator.identity()),
        NodeServer.tomcat("b", redis.uri(), Duration.ofSeconds(2)),
        NodeServer.jetty("c", redis.uri(), UnaryOperator.identity()));
    await().atMost(Duration.ofSeconds(20)).until(() -> nodes.stream()
        .allMatch(n -> n.registry.cluster().view().liveNodes() == 3));
  }

  @AfterEach
  void stop() throws Exception {
    try {
      for (NodeServer n : nodes) {
        await().untilAsserted(() -> assertThat(n.registry.stats().leases()).isZero());
        var s = n.registry.stats();
        assertThat(s.negotiated() + s.staleResumptions() - s.deleted())
            .as("SAs of %s", n).isEqualTo(s.associations());
        assertThat(n.registry.cluster().view().ackMisses()).as("misses of %s", n).isZero();
        assertThat(n.registry.cluster().view().rejected()).isZero();
      }
      for (NodeServer n : nodes) {
        n.close();
      }
    } finally {
      redis.close();
      Files.deleteIfExists(pem);
    }
  }

  @ParameterizedTest
  @ValueSource(strings = {"TLSv1.3", "TLSv1.2"})
  void loginOnOneNode_noNodeResumesThePeersSessions_andEveryNodeAppliesTheUsersPolicy(
      String protocol) throws Exception {
    Path[] sessions = new Path[nodes.size()];
    for (int i = 0; i < nodes.size(); i++) {
      OpenSslClient openssl = new OpenSslClient(nodes.get(i).port, protocol, pem);
      sessions[i] = Files.createTempFile("tether-cluster-session", ".pem");
      assertThat(openssl.request(null, sessions[i]).handshake()).isEqualTo(Handshake.NEW);
      // Each node resumes its own sessions before the login. A TLS 1.3 ticket is single-use: the
      // resumption saves the next one, which the attempt after the login presents.
      Path next = Files.createTempFile("tether-cluster-session", ".pem");
      assertThat(openssl.request(sessions[i], next).handshake()).as("node %s", nodes.get(i))
          .isEqualTo(Handshake.REUSED);
      if (protocol.equals("TLSv1.2")) {
        assertThat(openssl.reconnect().handshakes()).as("node %s", nodes.get(i))
            .containsOnly(Handshake.NEW, Handshake.REUSED).contains(Handshake.REUSED);
        Files.delete(next);
      } else {
        Files.move(next, sessions[i], java.nio.file.StandardCopyOption.REPLACE_EXISTING);
      }
    }

    OpenSslClient.Result login = new OpenSslClient(nodes.get(0).port, protocol, pem, "127.0.0.1",
        "/login?user=carol&role=customer").request(null, null);
    assertThat(login.output()).contains("logged in carol");

    for (int i = 0; i < nodes.size(); i++) {
      OpenSslClient openssl = new OpenSslClient(nodes.get(i).port, protocol, pem);
      OpenSslClient.Result after = openssl.request(sessions[i], null);
      assertThat(after.handshake()).as("resumption on node %s after the login on a",
          nodes.get(i)).isEqualTo(Handshake.NEW);
      assertThat(after.output()).contains("ok customer");
      Files.delete(sessions[i]);
    }

    new OpenSslClient(nodes.get(1).port, protocol, pem, "127.0.0.1",
        "/logout?user=carol&role=customer").request(null, null);
    for (NodeServer n : nodes) {
      assertThat(new OpenSslClient(n.port, protocol, pem).request(null, null).output())
          .as("node %s after the logout on b", n).contains("ok browse");
    }
  }

  @org.junit.jupiter.api.Test
  void operatorFlushOnTheTomcatNodesServlet_reachesEveryNode_andItsStatsShowTheCluster()
      throws Exception {
    Path[] sessions = new Path[3];
    for (int i = 0; i < 3; i++) {
      sessions[i] = Files.createTempFile("tether-cluster-session", ".pem");
      assertThat(new OpenSslClient(nodes.get(i).port, "TLSv1.3", pem).request(null, sessions[i])
          .handshake()).isEqualTo(Handshake.NEW);
    }
    int b = nodes.get(1).port;
    String flushed = http(b, "POST /tether/flush?peer=127.0.0.1 HTTP/1.1\r\nX-Tether-Flush: 1\r\n"
        + "Content-Length: 0\r\n");
    String stats = http(b, "GET /tether/stats HTTP/1.1\r\n");

    assertThat(flushed).startsWith("HTTP/1.1 200").contains("{\"flushed\":");
    for (int i = 0; i < 3; i++) {
      assertThat(new OpenSslClient(nodes.get(i).port, "TLSv1.3", pem).request(sessions[i], null)
          .handshake()).as("node %s after the flush on b", nodes.get(i)).isEqualTo(Handshake.NEW);
      Files.delete(sessions[i]);
    }
    @SuppressWarnings("unchecked")
    java.util.Map<String, Object> cluster = (java.util.Map<String, Object>)
        ((java.util.Map<String, Object>) dev.tether.testing.JsonParser.parse(
            stats.substring(stats.indexOf("\r\n\r\n") + 4)))
            .get("cluster");
    assertThat(cluster).containsEntry("node", "b").containsEntry("liveNodes", 3L)
        .containsEntry("degraded", false);
    assertThat((List<?>) cluster.get("nodes")).hasSize(3);
  }

  /** One request on a new TLS connection, closed after the response; returns the response. */
  private static String http(int port, String head) throws Exception {
    try (javax.net.ssl.SSLSocket socket = (javax.net.ssl.SSLSocket) NodeServer.CERT.clientContext()
        .getSocketFactory().createSocket("127.0.0.1", port)) {
      socket.getOutputStream().write((head + "Host: localhost\r\nConnection: close\r\n\r\n")
          .getBytes(java.nio.charset.StandardCharsets.US_ASCII));
      return new String(socket.getInputStream().readAllBytes(),
          java.nio.charset.StandardCharsets.UTF_8);
    }
  }
}
