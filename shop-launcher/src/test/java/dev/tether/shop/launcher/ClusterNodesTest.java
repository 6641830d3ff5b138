package dev.tether.shop.launcher;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import dev.tether.AssociationRegistry;
import dev.tether.AssociationStats;
import dev.tether.DeletionCause;
import dev.tether.SecurityAssociation;
import dev.tether.testing.JsonParser;
import dev.tether.testing.RedisServer;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.stream.Collectors;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Three shop nodes in this JVM, Jetty, Tomcat and Jetty, started by the launcher with
 * {@code --cluster} on a {@code redis-server} of their own: a shopper's session (cart, form token,
 * login) follows it from node to node and container to container, a customer's login flushes the
 * customer's address on every node before its response, and the dashboard's table shows, and
 * flushes, every node's SAs. Clients connect from loopback addresses of their own, one per test, so
 * that each test's peer is its own.
 */
class ClusterNodesTest {
  private static final Duration SLOW = Duration.ofSeconds(30);

  @TempDir
  static Path dir;
  private static RedisServer redis;
  private static RunningShop a;
  private static RunningShop b;
  private static RunningShop c;

  @BeforeAll
  static void startCluster() throws Exception {
    redis = RedisServer.start();
    Path secret = Files.writeString(dir.resolve("cluster.secret"),
        "a secret the three nodes share\n", StandardCharsets.UTF_8);
    a = node("jetty", "a", secret);
    b = node("tomcat", "b", secret);
    c = node("jetty", "c", secret);
    await().atMost(SLOW).until(() -> List.of(a, b, c).stream()
        .allMatch(n -> n.registry().cluster().view().liveNodes() == 3));
  }

  private static RunningShop node(String container, String name, Path secret) throws Exception {
    return ShopLauncher.start(LauncherOptions.parse("--container", container, "--port", "0",
        "--keystore", dir.resolve("shop.p12").toString(), "--cluster", redis.uri(),
        "--node", name, "--cluster-secret-file", secret.toString(), "--max-per-peer", "5000",
        "--cluster-ack-timeout", "2s"));
  }

  @AfterAll
  static void stopCluster() throws Exception {
    for (RunningShop n : new RunningShop[] {a, b, c}) {
      if (n != null) {
        n.stop();
      }
    }
    if (redis != null) {
      redis.close();
    }
  }

  @AfterEach
  void countersBalanceOnEveryNode() {
    for (RunningShop n : List.of(a, b, c)) {
      await().atMost(SLOW).untilAsserted(() -> {
        AssociationStats s = n.registry().stats();
        assertThat(s.leases()).as("open leases of %s", n.node()).isZero();
        assertThat(s.active()).as("active SAs of %s", n.node()).isZero();
        assertThat(s.released()).as("leases released by %s", n.node()).isEqualTo(s.handshakes());
        assertThat(s.negotiated() - s.deleted()).as("SAs created less deleted on %s", n.node())
            .isEqualTo(s.associations());
      });
      assertThat(n.registry().cluster().view().rejected()).isZero();
    }
  }

  @Test
  void startupLinesAndFooters_nameTheNodeAndTheCluster() throws Exception {
    assertThat(client("127.0.0.20").get(b.port(), "/").body())
        .contains("<span class=\"node\" id=\"node\">node b</span>");
    assertThat(b.startupLines()).startsWith("Tether shop node b on Tomcat: https://localhost:")
        .contains("cluster:      node b of the cluster in " + redis.uri(),
            "policy 'customers' for customers, whose logins and logouts flush their address on"
                + " every node");
    assertThat(a.stoppedLine()).isEqualTo("Tether shop node a on Jetty stopped");
  }

  @Test
  void aShoppersSession_followsItFromNodeToNode_acrossJettyAndTomcat() throws Exception {
    Https1 shopper = client("127.0.0.21");
    String token = Shopper.token(shopper.get(a.port(), "/").body());
    assertThat(shopper.post(b.port(), "/cart", List.of(), "token", token, "action", "add",
        "product", "mug", "quantity", "2").status()).isEqualTo(303);
    assertThat(shopper.get(c.port(), "/cart").body()).contains("badge\">2<");

    // The login starts on a Jetty node and is posted to the Tomcat node.
    assertThat(shopper.get(c.port(), "/account").status()).isEqualTo(302);
    long logins = sum(DeletionCause.LOGIN);
    Https1.Response login = shopper.post(b.port(), "/j_security_check", List.of(),
        "j_username", "alice", "j_password", "wonderland");
    assertThat(login.status()).isEqualTo(302);
    assertThat(login.header("Location")).endsWith("/account");
    long afterLogin = sum(DeletionCause.LOGIN);
    assertThat(afterLogin).isGreaterThan(logins);

    for (RunningShop n : List.of(a, c, b, a)) {
      Https1.Response account = shopper.get(n.port(), "/account");
      assertThat(account.status()).as("account on %s", n.node()).isEqualTo(200);
      assertThat(account.body()).contains("class=\"user\">alice<", "badge\">2<");
    }
    assertThat(sum(DeletionCause.LOGIN)).as("no node takes the restored login for a new one")
        .isEqualTo(afterLogin);

    String sessionToken = Shopper.token(shopper.get(a.port(), "/cart").body());
    assertThat(shopper.post(c.port(), "/logout", List.of(), "token", sessionToken).status())
        .isEqualTo(303);
    for (RunningShop n : List.of(a, b)) {
      Https1.Response account = shopper.get(n.port(), "/account");
      assertThat(account.body()).as("account on %s after the logout", n.node())
          .doesNotContain("class=\"user\">alice<");
    }
  }

  @Test
  void customersLogin_deletesEverySaOfTheirAddressOnEveryNode_beforeItsResponse()
      throws Exception {
    Https1 customer = client("127.0.0.22");
    Https1 neighbour = client("127.0.0.23");
    for (RunningShop n : List.of(a, b, c)) {
      assertThat(customer.get(n.port(), "/").status()).isEqualTo(200);
      assertThat(neighbour.get(n.port(), "/").status()).isEqualTo(200);
    }
    Map<RunningShop, Set<String>> before = idsOf("127.0.0.22");
    assertThat(before.values()).allSatisfy(ids -> assertThat(ids).isNotEmpty());
    Map<RunningShop, Set<String>> neighbours = idsOf("127.0.0.23");

    customer.get(c.port(), "/account");
    Https1.Response login = customer.post(a.port(), "/j_security_check", List.of(),
        "j_username", "bob", "j_password", "builder");

    assertThat(login.status()).isIn(302, 303);
    // No waiting: the login's response waited for every node.
    Map<RunningShop, Set<String>> after = idsOf("127.0.0.22");
    for (RunningShop n : List.of(a, b, c)) {
      assertThat(after.get(n)).as("the customer's SAs on %s", n.node())
          .doesNotContainAnyElementsOf(before.get(n));
      assertThat(idsOf("127.0.0.23").get(n)).as("the neighbour's SAs on %s", n.node())
          .containsAll(neighbours.get(n));
    }
    assertThat(a.registry().cluster().view().ackMisses()).isZero();
  }

  @Test
  void maxPerPeer_reachesTheRegistryOfJettyAndTomcatNodes() {
    for (RunningShop n : List.of(a, b, c)) {
      assertThat(n.registry().maxAssociationsPerPeer()).as("node %s", n.node()).isEqualTo(5000);
    }
  }

  @Test
  void dashboardTable_showsEveryNodesSas_andFlushesOneOnTheNodeThatHoldsIt() throws Exception {
    Https1 visitor = client("127.0.0.24");
    visitor.get(c.port(), "/");
    String onC = idsOf("127.0.0.24").get(c).iterator().next();
    Https1 admin = client("127.0.0.29").basic("admin", "tether-admin");

    await().atMost(SLOW).untilAsserted(() -> {
      Map<?, ?> table = (Map<?, ?>) JsonParser.parse(admin.get(a.port(), "/tether/cluster").body());
      assertThat(table.get("node")).isEqualTo("a");
      List<?> nodes = (List<?>) table.get("nodes");
      assertThat(nodes.stream().map(n -> (Object) ((Map<?, ?>) n).get("name")).toList())
          .containsExactly("a", "b", "c");
      Map<?, ?> nodeC = (Map<?, ?>) nodes.get(2);
      assertThat(nodeC.get("live")).isEqualTo(true);
      assertThat(nodeC.get("address")).isEqualTo(c.uri().toString());
      assertThat(((List<?>) nodeC.get("associations")).stream()
          .map(sa -> (Object) ((Map<?, ?>) sa).get("id")).toList()).contains(onC);
    });
    Map<?, ?> stats = (Map<?, ?>) JsonParser.parse(admin.get(c.port(), "/tether/stats").body());
    Set<Object> counters = stats.entrySet().stream()
        .filter(e -> !e.getKey().toString().startsWith("max") && !(e.getValue() instanceof String))
        .map(Map.Entry::getKey).filter(k -> !"cluster".equals(k)).collect(Collectors.toSet());
    Map<?, ?> table = (Map<?, ?>) JsonParser.parse(admin.get(a.port(), "/tether/cluster").body());
    Set<Object> inTable = Set.copyOf(((Map<?, ?>) ((Map<?, ?>) ((List<?>) table.get("nodes"))
        .get(2)).get("stats")).keySet());
    assertThat(inTable).as("node c's counters in the table, named as in its /tether/stats")
        .containsExactlyInAnyOrderElementsOf(counters);

    Https1.Response flushed = admin.post(a.port(), "/tether/cluster/flush",
        List.of("X-Tether-Flush: 1"), "node", "c", "id", onC);
    assertThat(flushed.body()).isEqualTo("{\"sent\":1}");
    await().atMost(SLOW).until(() -> c.registry().find(onC).isEmpty());
    assertThat(admin.post(a.port(), "/tether/cluster/flush", List.of(), "node", "c", "id", onC)
        .status()).as("without the header").isEqualTo(403);
  }

  /** A client from {@code address} with a TLS context of its own: it resumes only its own SAs. */
  private static Https1 client(String address) {
    return new Https1(a.certificate().clientContext(), address);
  }

  private static long sum(DeletionCause cause) {
    return List.of(a, b, c).stream()
        .mapToLong(n -> n.registry().stats().deletedByCause().getOrDefault(cause, 0L)).sum();
  }

  private static Map<RunningShop, Set<String>> idsOf(String peer) {
    return List.of(a, b, c).stream().collect(Collectors.toMap(n -> n, n -> ids(n.registry(), peer)));
  }

  private static Set<String> ids(AssociationRegistry r, String peer) {
    return r.associations().stream().filter(sa -> sa.peer().equals(peer))
        .map(SecurityAssociation::id).collect(Collectors.toSet());
  }
}
