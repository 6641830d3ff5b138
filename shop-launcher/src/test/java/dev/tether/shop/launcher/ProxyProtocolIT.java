package dev.tether.shop.launcher;

import static dev.tether.shop.launcher.JarCluster.BALANCER;
import static org.assertj.core.api.Assertions.assertThat;

import dev.tether.shop.launcher.JarCluster.Node;
import dev.tether.testing.OpenSslClient.Handshake;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.Set;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The same peer through the balancer, made exact: three Jetty nodes of the packaged jar with
 * {@code --proxy-protocol}, and HAProxy sending each node a PROXY protocol v2 header
 * ({@code send-proxy-v2}) that names the client. Tether then files each client's SAs under the
 * client's own address on every node, and a customer's login under {@code on-login = peer} ends
 * that client's SAs on every node and leaves another client's alone. A connection that comes
 * without the header (openssl aimed at a node directly) is served as it is.
 */
class ProxyProtocolIT {
  private static final String ALICE = "127.0.0.1";
  private static final String NEIGHBOUR = "127.0.0.2";

  @TempDir
  static Path dir;
  static JarCluster cluster;

  @BeforeAll
  static void startCluster() throws Exception {
    cluster = new JarCluster(dir, List.of(Container.JETTY, Container.JETTY, Container.JETTY),
        true);
  }

  @AfterAll
  static void stopCluster() throws Exception {
    if (cluster != null) {
      cluster.close();
    }
  }

  @AfterEach
  void countersBalance() {
    cluster.assertCountersBalance();
  }

  @Test
  void nodesSeeEachClientsOwnAddress_andALoginEndsOnlyThatClientsSasOnEveryNode()
      throws Exception {
    Map<String, Path> alice = cluster.sessionsThroughBalancer(ALICE);
    Map<String, Path> neighbour = cluster.sessionsThroughBalancer(NEIGHBOUR);
    for (Node node : cluster.nodes) {
      assertThat(cluster.peers(node)).as("peers on %s", node.name).containsExactlyInAnyOrder(ALICE, NEIGHBOUR);
    }

    Https1 shopper = new Https1(cluster.certificate.clientContext(), ALICE);
    shopper.get(cluster.haproxy.port(), "/account");
    Https1.Response login = shopper.post(cluster.haproxy.port(), "/j_security_check", List.of(),
        "j_username", "alice", "j_password", "wonderland");

    assertThat(login.status()).isIn(302, 303);
    for (Node node : cluster.nodes) {
      assertThat(cluster.direct(node, ALICE).request(alice.get(node.name), null).handshake())
          .as("alice's session on %s", node.name).isEqualTo(Handshake.NEW);
      assertThat(cluster.direct(node, NEIGHBOUR).request(neighbour.get(node.name), null)
          .handshake()).as("the neighbour's session on %s", node.name)
          .isEqualTo(Handshake.REUSED);
    }
    assertThat(peersSeen()).doesNotContain(BALANCER);
  }

  private Set<String> peersSeen() throws Exception {
    Set<String> peers = new java.util.HashSet<>();
    for (Node node : cluster.nodes) {
      cluster.associations(node).forEach(sa -> peers.add((String) sa.get("peer")));
    }
    return peers;
  }
}
