package dev.tether.shop.launcher;

import static dev.tether.shop.launcher.JarCluster.BALANCER;
import static dev.tether.shop.launcher.JarCluster.SLOW;
import static dev.tether.shop.launcher.JarCluster.servedBy;
import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import dev.tether.shop.launcher.JarCluster.Node;
import dev.tether.testing.OpenSslClient;
import dev.tether.testing.OpenSslClient.Handshake;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtensionContext;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.junit.jupiter.api.extension.TestWatcher;
import org.junit.jupiter.api.io.TempDir;

/**
 * The shop as a cluster, end to end, through a real TCP balancer: three nodes of the packaged jar
 * (Jetty, Tomcat, Jetty) on one {@code redis-server}, and HAProxy in TCP mode passing TLS through
 * with {@code balance roundrobin}, so that one client's connections reach every node. Without the
 * PROXY protocol (Tomcat 11 cannot read it) each node sees HAProxy's address as the client's, so a
 * customer's login under {@code on-login = peer} ends every SA of every client of the balancer, on
 * every node, before its response: {@code openssl s_client} then fails to resume on each node
 * directly. A node killed with SIGKILL mid-session is skipped by HAProxy and rejoins when started
 * again; Redis killed and started again empty is rejoined by every node. After each test the
 * counters of every node balance.
 */
class HaproxyClusterIT {
  private static final String CLIENT = "127.0.0.1";

  @TempDir
  static Path dir;
  static JarCluster cluster;

  @RegisterExtension
  final TestWatcher logsOnFailure = new TestWatcher() {
    @Override
    public void testFailed(ExtensionContext context, Throwable cause) {
      try {
        System.out.println(cluster.logs());
      } catch (Exception e) {
        System.out.println("no logs: " + e);
      }
    }
  };

  @BeforeAll
  static void startCluster() throws Exception {
    cluster = new JarCluster(dir, List.of(Container.JETTY, Container.TOMCAT, Container.JETTY),
        false);
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
  void customersLoginThroughTheBalancer_endsEverySaOfItsPeerOnEveryNode_beforeItsResponse()
      throws Exception {
    // One connection per node: roundrobin sends three connections in a row to the three nodes.
    Map<String, Path> sessions = cluster.sessionsThroughBalancer(CLIENT);
    Path neighbours = dir.resolve("neighbour.pem");
    OpenSslClient.Result n = cluster.throughBalancer("127.0.0.2").request(null, neighbours);
    Node neighbourNode = cluster.node(servedBy(n.output()));

    // What the nodes see: without the PROXY protocol, HAProxy's address is every client's.
    for (Node node : cluster.nodes) {
      assertThat(cluster.peers(node)).as("peers on %s", node.name).contains(BALANCER)
          .doesNotContain(CLIENT, "127.0.0.2");
    }
    // Each session resumes on its node, offered from the address the node knows it by.
    Map<String, Path> resumable = new LinkedHashMap<>();
    for (Map.Entry<String, Path> e : sessions.entrySet()) {
      Path next = dir.resolve(e.getKey() + "-next.pem");
      assertThat(cluster.direct(cluster.node(e.getKey()), BALANCER).request(e.getValue(), next)
          .handshake()).as("before the login, on %s", e.getKey()).isEqualTo(Handshake.REUSED);
      resumable.put(e.getKey(), next);
    }
    Map<String, Long> logins = new LinkedHashMap<>();
    for (Node node : cluster.nodes) {
      logins.put(node.name, cluster.deleted(node, "LOGIN"));
    }

    Https1 shopper = new Https1(cluster.certificate.clientContext(), CLIENT);
    shopper.get(cluster.haproxy.port(), "/account");
    Https1.Response login = shopper.post(cluster.haproxy.port(), "/j_security_check", List.of(),
        "j_username", "alice", "j_password", "wonderland");

    // No waiting: the login's response waited for every node.
    assertThat(login.status()).isIn(302, 303);
    for (Map.Entry<String, Path> e : resumable.entrySet()) {
      assertThat(cluster.direct(cluster.node(e.getKey()), BALANCER).request(e.getValue(), null)
          .handshake()).as("after the login, on %s", e.getKey()).isEqualTo(Handshake.NEW);
    }
    assertThat(cluster.direct(neighbourNode, BALANCER).request(neighbours, null).handshake())
        .as("the neighbour's session: the same peer through the balancer")
        .isEqualTo(Handshake.NEW);
    for (Node node : cluster.nodes) {
      assertThat(cluster.deleted(node, "LOGIN")).as("LOGIN deletions on %s", node.name)
          .isGreaterThan(logins.get(node.name));
      assertThat(cluster.cluster(node).get("ackMisses")).as("late nodes seen by %s", node.name)
          .isEqualTo(0L);
    }
  }

  @Test
  void nodeKilledMidSession_isSkippedByTheBalancer_andFollowsTheClusterWhenStartedAgain()
      throws Exception {
    Https1 shopper = new Https1(cluster.certificate.clientContext(), "127.0.0.4");
    int lb = cluster.haproxy.port();
    String token = Shopper.token(shopper.get(lb, "/").body());
    assertThat(shopper.post(lb, "/cart", List.of(), "token", token, "action", "add",
        "product", "mug", "quantity", "2").status()).isEqualTo(303);
    Node tomcat = cluster.node("shop-2");

    tomcat.process.signal("KILL");
    assertThat(tomcat.process.awaitExit(SLOW)).isTrue();

    for (int i = 0; i < 6; i++) {
      Https1.Response cart = shopper.get(lb, "/cart");
      assertThat(cart.status()).isEqualTo(200);
      assertThat(cart.body()).contains("badge\">2<");
      assertThat(servedBy(cart.body())).isIn("shop-1", "shop-3");
    }
    cluster.awaitLive(2);
    shopper.get(lb, "/account");
    assertThat(shopper.post(lb, "/j_security_check", List.of(), "j_username", "bob",
        "j_password", "builder").status()).isIn(302, 303);
    assertThat(shopper.get(lb, "/account").body()).contains("class=\"user\">bob<");

    cluster.launch(tomcat);
    tomcat.process.awaitReady(SLOW);
    cluster.awaitLive(3);
    Set<String> served = new java.util.HashSet<>();
    for (int i = 0; i < 3; i++) {
      Https1.Response cart = shopper.get(lb, "/cart");
      assertThat(cart.body()).contains("badge\">2<", "class=\"user\">bob<");
      served.add(servedBy(cart.body()));
    }
    assertThat(served).as("the balancer sends connections to the restarted node").contains("shop-2");

    // The restarted node follows the next login of a peer it holds SAs of.
    Path session = dir.resolve("restarted.pem");
    assertThat(cluster.direct(tomcat, BALANCER).request(null, session).handshake())
        .isEqualTo(Handshake.NEW);
    Https1 other = new Https1(cluster.certificate.clientContext(), "127.0.0.5");
    other.get(lb, "/account");
    assertThat(other.post(lb, "/j_security_check", List.of(), "j_username", "alice",
        "j_password", "wonderland").status()).isIn(302, 303);
    assertThat(cluster.direct(tomcat, BALANCER).request(session, null).handshake())
        .isEqualTo(Handshake.NEW);
  }

  @Test
  void redisKilledAndStartedAgainEmpty_everyNodeRejoins_andLoginsFlushEveryNodeAgain()
      throws Exception {
    Https1 shopper = new Https1(cluster.certificate.clientContext(), "127.0.0.6");
    int lb = cluster.haproxy.port();
    String token = Shopper.token(shopper.get(lb, "/").body());
    shopper.post(lb, "/cart", List.of(), "token", token, "action", "add", "product", "tee",
        "quantity", "1");

    cluster.redis.kill();
    cluster.redis.restart();

    await().atMost(SLOW).untilAsserted(() -> {
      for (Node node : cluster.nodes) {
        Map<String, Object> c = cluster.cluster(node);
        assertThat(c.get("degraded")).as("%s degraded", node.name).isEqualTo(false);
        assertThat(c.get("liveNodes")).as("live nodes seen by %s", node.name).isEqualTo(3L);
      }
    });
    // The HTTP sessions lived in Redis only: the cart is gone, the shop goes on.
    Https1.Response cart = shopper.get(lb, "/cart");
    assertThat(cart.status()).isEqualTo(200);
    assertThat(cart.body()).doesNotContain("class=\"badge\"");

    Map<String, Path> sessions = new LinkedHashMap<>();
    for (Node node : cluster.nodes) {
      Path s = dir.resolve("redis-" + node.name + ".pem");
      assertThat(cluster.direct(node, BALANCER).request(null, s).handshake())
          .isEqualTo(Handshake.NEW);
      sessions.put(node.name, s);
    }
    Https1 customer = new Https1(cluster.certificate.clientContext(), "127.0.0.7");
    customer.get(lb, "/account");
    assertThat(customer.post(lb, "/j_security_check", List.of(), "j_username", "bob",
        "j_password", "builder").status()).isIn(302, 303);
    for (Map.Entry<String, Path> e : sessions.entrySet()) {
      assertThat(cluster.direct(cluster.node(e.getKey()), BALANCER).request(e.getValue(), null)
          .handshake()).as("after the login, on %s", e.getKey()).isEqualTo(Handshake.NEW);
    }
  }
}
