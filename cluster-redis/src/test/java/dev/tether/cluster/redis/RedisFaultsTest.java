package dev.tether.cluster.redis;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.awaitility.Awaitility.await;

import dev.tether.AssociationRegistry;
import dev.tether.DeletionCause;
import dev.tether.SecurityAssociation;
import dev.tether.testing.LogCapture;
import dev.tether.testing.RedisServer;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import java.util.logging.Level;
import org.junit.jupiter.api.Test;

/**
 * Redis faults with real signals: unreachable at start, killed (SIGKILL) and restarted empty in the
 * middle of a login storm, paused (SIGSTOP) past the bound. After each, no SA that a flush named is
 * left on any node and the counters balance.
 */
class RedisFaultsTest {
  private static final Set<String> CUSTOMER = Set.of("customer");
  private static final String LOGGER = RedisCluster.class.getName();

  @Test
  void redisUnreachableAtStart_nodeServesAlone_thenSendsWhatItKeptOnceRedisIsUp() throws Exception {
    int port = RedisServer.freePort();
    ClusterNodes nodes = new ClusterNodes("redis://127.0.0.1:" + port);
    try (LogCapture log = new LogCapture(LOGGER)) {
      AssociationRegistry a = nodes.add("a");
      assertThat(a.cluster().view().degraded()).isTrue();
      assertThat(log.lines(Level.WARNING, "is unreachable")).hasSize(1);
      SecurityAssociation local = nodes.sa(a, "10.0.0.1");

      long before = System.nanoTime();
      a.policies().login("10.0.0.1", null, "carol", CUSTOMER::contains);
      // No node to wait for, and the local flush happened anyway.
      assertThat(Duration.ofNanos(System.nanoTime() - before)).isLessThan(Duration.ofSeconds(1));
      assertThat(a.find(local.id())).isEmpty();

      try (RedisServer redis = RedisServer.start(port)) {
        await().atMost(Duration.ofSeconds(20)).until(() -> !a.cluster().view().degraded());
        // The node is no longer degraded once its reader runs, just before it sends what it kept.
        await().atMost(Duration.ofSeconds(20)).untilAsserted(() ->
            assertThat(log.lines(Level.INFO, "sent 2 event(s) kept")).hasSize(1));
        assertThat(redis.command("XLEN tether:events")).isNotEqualTo(":0");
        AssociationRegistry b = nodes.add("b");
        nodes.awaitMembership();
        SecurityAssociation onB = nodes.sa(b, "10.0.0.1");
        a.flushPeer("10.0.0.1", DeletionCause.MANUAL);
        assertThat(b.find(onB.id())).isEmpty();
        nodes.releaseAndCheckCounters();
        nodes.close();
      }
    }
  }

  @Test
  void redisUnreachableAtStart_withRequired_refusesToStartNamingTheSetting() throws Exception {
    int port = RedisServer.freePort();
    RedisCluster cluster = ClusterNodes.builder("redis://127.0.0.1:" + port, "a").required(true)
        .build();

    assertThatThrownBy(() -> AssociationRegistry.builder().cluster(cluster).build())
        .isInstanceOf(IllegalStateException.class)
        .hasMessageContaining("clusterRequired")
        .hasMessageContaining("redis://127.0.0.1:" + port);
  }

  @Test
  void aclUserInTheUri_limitedToTheClustersKeys_carriesFlushes_andAWrongPasswordIsRefused()
      throws Exception {
    try (RedisServer redis = RedisServer.start()) {
      assertThat(redis.command("ACL SETUSER tether on >s3cret-pass resetkeys ~tether:* "
          + "resetchannels &tether:* +@all")).isEqualTo("+OK");
      assertThat(redis.command("ACL SETUSER default off")).isEqualTo("+OK");
      String uri = "redis://tether:s3cret-pass@127.0.0.1:" + redis.port();
      ClusterNodes nodes = new ClusterNodes(uri);
      AssociationRegistry a = nodes.add("a");
      AssociationRegistry b = nodes.add("b");
      nodes.awaitMembership();
      SecurityAssociation onB = nodes.sa(b, "10.0.0.1");

      a.flushPeer("10.0.0.1", DeletionCause.MANUAL);

      assertThat(b.find(onB.id())).isEmpty();
      RedisCluster wrong = ClusterNodes.builder(
          "redis://tether:wrong@127.0.0.1:" + redis.port(), "c").required(true).build();
      assertThatThrownBy(() -> AssociationRegistry.builder().cluster(wrong).build())
          .hasMessageContaining("clusterRequired").hasMessageContaining("redis://***@127.0.0.1")
          .hasMessageNotContaining("wrong@");
      nodes.releaseAndCheckCounters();
      nodes.close();
    }
  }

  @Test
  void redisKilledAndRestartedEmpty_inALoginStorm_leavesNoFlushedSaOnAnyNode() throws Exception {
    try (RedisServer redis = RedisServer.start(); LogCapture log = new LogCapture(LOGGER)) {
      ClusterNodes nodes = new ClusterNodes(redis.uri());
      List<AssociationRegistry> r = List.of(nodes.add("a"), nodes.add("b"), nodes.add("c"));
      nodes.awaitMembership();
      List<String> named = new ArrayList<>();
      for (int i = 0; i < 60; i++) {
        String peer = "10.0.1." + (i % 12);
        // The peer has an SA on every node; the login on one node must end them all.
        for (AssociationRegistry node : r) {
          named.add(nodes.sa(node, peer).id() + "@" + node.name() + nodes.registries.indexOf(node));
        }
        r.get(i % 3).policies().login(peer, null, "user" + i, CUSTOMER::contains);
        if (i == 20) {
          redis.kill();
        }
        if (i == 40) {
          redis.restart();
        }
      }
      await().atMost(Duration.ofSeconds(30)).untilAsserted(() -> {
        for (String id : named) {
          AssociationRegistry node = nodes.registries.get(id.charAt(id.length() - 1) - '0');
          assertThat(node.find(id.substring(0, id.indexOf('@')))).as("SA %s", id).isEmpty();
        }
      });
      nodes.awaitMembership();
      nodes.releaseAndCheckCounters();
      nodes.close();
    }
  }

  @Test
  void redisPausedPastTheBound_loginAnswersAtTheBound_countsTheMiss_andTheFlushLandsLater()
      throws Exception {
    try (RedisServer redis = RedisServer.start(); LogCapture log = new LogCapture(LOGGER)) {
      ClusterNodes nodes = new ClusterNodes(redis.uri());
      AssociationRegistry a = nodes.add("a", b -> b.ackTimeout(Duration.ofMillis(50)));
      AssociationRegistry b = nodes.add("b");
      nodes.awaitMembership();
      SecurityAssociation onB = nodes.sa(b, "10.0.0.1");

      redis.pause();
      long before = System.nanoTime();
      a.policies().login("10.0.0.1", null, "carol", CUSTOMER::contains);
      Duration waited = Duration.ofNanos(System.nanoTime() - before);
      redis.resume();

      assertThat(waited).isGreaterThanOrEqualTo(Duration.ofMillis(50))
          .isLessThan(Duration.ofSeconds(1));
      assertThat(a.cluster().view().ackMisses()).isOne();
      assertThat(log.lines(Level.WARNING, "lagging: b")).hasSize(1);
      await().atMost(Duration.ofSeconds(20)).until(() -> b.find(onB.id()).isEmpty());
      assertThat(b.policyFor("10.0.0.1").name()).isEqualTo("customer");
      nodes.releaseAndCheckCounters();
      nodes.close();
    }
  }
}
