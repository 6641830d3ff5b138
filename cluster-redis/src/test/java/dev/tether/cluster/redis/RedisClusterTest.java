package dev.tether.cluster.redis;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import dev.tether.AssociationCluster;
import dev.tether.AssociationRegistry;
import dev.tether.DeletionCause;
import dev.tether.SecurityAssociation;
import dev.tether.testing.RedisServer;
import java.time.Duration;
import java.util.Set;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * Three registries in one JVM on one real Redis: flushes of peers and of all SAs, and bindings,
 * cross nodes before the call returns; what stays local stays local.
 */
class RedisClusterTest {
  private static final Set<String> CUSTOMER = Set.of("customer");
  private static final Set<String> ADMIN = Set.of("admin");

  private RedisServer redis;
  private ClusterNodes nodes;
  private AssociationRegistry a;
  private AssociationRegistry b;
  private AssociationRegistry c;

  @BeforeEach
  void start() throws Exception {
    redis = RedisServer.start();
    nodes = new ClusterNodes(redis.uri());
    a = nodes.add("a");
    b = nodes.add("b");
    c = nodes.add("c");
    nodes.awaitMembership();
  }

  @AfterEach
  void stop() throws Exception {
    try {
      nodes.releaseAndCheckCounters();
      nodes.close();
    } finally {
      redis.close();
    }
  }

  @Test
  void loginFlushingThePeer_deletesThePeersSasOnEveryNodeBeforeItReturns() throws Exception {
    SecurityAssociation onA = nodes.sa(a, "10.0.0.1");
    SecurityAssociation onB = nodes.sa(b, "10.0.0.1");
    SecurityAssociation onC = nodes.sa(c, "10.0.0.1");
    SecurityAssociation otherPeer = nodes.sa(c, "10.0.0.2");

    a.policies().login("10.0.0.1", null, "carol", CUSTOMER::contains);

    // No waiting here: the login returned once every live node had applied the flush.
    assertThat(a.find(onA.id())).isEmpty();
    assertThat(b.find(onB.id())).isEmpty();
    assertThat(c.find(onC.id())).isEmpty();
    assertThat(c.find(otherPeer.id())).isPresent();
    assertThat(b.stats().deletedByCause()).containsEntry(DeletionCause.LOGIN, 1L);
    assertThat(a.cluster().view().ackMisses()).isZero();
  }

  @Test
  void login_bindsThePeerOnEveryNode_andLogoutUnbindsEverywhere() {
    a.policies().login("10.0.0.1", null, "carol", CUSTOMER::contains);

    assertThat(b.policyFor("10.0.0.1").name()).isEqualTo("customer");
    assertThat(c.policyFor("10.0.0.1").name()).isEqualTo("customer");
    assertThat(c.policies().boundPrincipal("10.0.0.1")).isEqualTo("carol");
    assertThat(c.policyFor("10.0.0.2").name()).isEqualTo("browse");

    b.policies().logout("10.0.0.1", null, "carol", CUSTOMER::contains);

    assertThat(a.policyFor("10.0.0.1").name()).isEqualTo("browse");
    assertThat(c.policyFor("10.0.0.1").name()).isEqualTo("browse");
  }

  @Test
  void bindWithoutFlush_reachesEveryNodeBeforeItReturns() {
    c.policies().bind("10.0.0.7", "root", ADMIN::contains);

    assertThat(a.policyFor("10.0.0.7").name()).isEqualTo("admin");
    assertThat(b.policyFor("10.0.0.7").name()).isEqualTo("admin");
  }

  @Test
  void adminFlushOfAll_appliesOnEveryNode() throws Exception {
    nodes.sa(a, "10.0.0.1");
    nodes.sa(b, "10.0.0.2");
    nodes.sa(c, "10.0.0.3");

    int here = b.flushAll(DeletionCause.MANUAL);

    assertThat(here).isOne();
    for (AssociationRegistry r : nodes.registries) {
      assertThat(r.associations()).as("SAs left on %s", r).isEmpty();
      assertThat(r.stats().deletedByCause()).containsEntry(DeletionCause.MANUAL, 1L);
    }
  }

  @Test
  void connectionScopeAndSingleSaFlushes_stayOnTheirNode() throws Exception {
    SecurityAssociation onA = nodes.sa(a, "10.0.0.1");
    SecurityAssociation onB = nodes.sa(b, "10.0.0.1");
    long publishedBefore = a.cluster().view().published();

    // browse flushes the connection's SA only: nothing for the other nodes to do.
    a.policies().login("10.0.0.1", nodes.leases.get(0), "guest", r -> false);
    a.flush(onA.id(), DeletionCause.MANUAL);
    a.flushIf(sa -> true, DeletionCause.MANUAL);

    assertThat(b.find(onB.id())).isPresent();
    // The login published its binding, nothing else.
    assertThat(a.cluster().view().published()).isEqualTo(publishedBefore + 1);
  }

  @Test
  void closingANode_flushesOnlyItsOwnSas_andTheOthersStopWaitingForIt() throws Exception {
    SecurityAssociation onB = nodes.sa(b, "10.0.0.1");
    AssociationRegistry d = nodes.add("d");
    nodes.awaitMembership();

    d.close();

    assertThat(b.find(onB.id())).isPresent();
    await().untilAsserted(() -> assertThat(a.cluster().view().liveNodes()).isEqualTo(3));
    assertThat(a.cluster().view().nodes()).extracting(AssociationCluster.Node::name)
        .contains("d");
    long before = System.nanoTime();
    a.flushPeer("10.0.0.9", DeletionCause.MANUAL);
    assertThat(Duration.ofNanos(System.nanoTime() - before)).isLessThan(Duration.ofSeconds(2));
    assertThat(a.cluster().view().ackMisses()).isZero();
    nodes.registries.remove(d);
  }

  @Test
  void view_showsEveryNodeWithItsSasAndLag() throws Exception {
    nodes.sa(b, "10.0.0.1");
    nodes.sa(b, "10.0.0.2");
    a.policies().login("10.0.0.1", null, "carol", CUSTOMER::contains);

    await().untilAsserted(() -> {
      AssociationCluster.View view = c.cluster().view();
      assertThat(view.node()).isEqualTo("c");
      assertThat(view.degraded()).isFalse();
      assertThat(view.liveNodes()).isEqualTo(3);
      assertThat(view.nodes()).extracting(AssociationCluster.Node::name)
          .containsExactly("c", "a", "b");
      assertThat(view.nodes().get(2).associations()).isEqualTo(1);
      assertThat(view.applied()).isGreaterThanOrEqualTo(2);
    });
  }

  @Test
  void jmx_showsTheClusterOfEachNode_untilItCloses() throws Exception {
    a.policies().login("10.0.0.1", null, "carol", CUSTOMER::contains);
    var server = java.lang.management.ManagementFactory.getPlatformMBeanServer();
    var name = new javax.management.ObjectName(
        "dev.tether:type=Cluster,registry=\"shop\",node=\"a\"");

    assertThat(server.getAttribute(name, "Node")).isEqualTo("a");
    assertThat(server.getAttribute(name, "Degraded")).isEqualTo(false);
    assertThat(server.getAttribute(name, "LiveNodes")).isEqualTo(3L);
    assertThat((Long) server.getAttribute(name, "EventsPublished")).isGreaterThanOrEqualTo(2L);
    assertThat(server.getAttribute(name, "AckMisses")).isEqualTo(0L);
    assertThat((String[]) server.getAttribute(name, "Nodes")).hasSize(3)
        .anySatisfy(line -> assertThat(line).startsWith("b ").contains(" live "));

    a.close();
    assertThat(server.isRegistered(name)).isFalse();
  }
}
