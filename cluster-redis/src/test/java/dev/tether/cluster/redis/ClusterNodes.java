package dev.tether.cluster.redis;

import static org.assertj.core.api.Assertions.assertThat;

import com.github.benmanes.caffeine.cache.Scheduler;
import dev.tether.AssociationRegistry;
import dev.tether.Lease;
import dev.tether.PolicySet;
import dev.tether.SecurityAssociation;
import dev.tether.testing.StubSession;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.function.UnaryOperator;

/**
 * Registries of several nodes in one JVM, each with its own {@link RedisCluster} on one Redis, for
 * tests: SAs made on stub sessions, and the checks every test ends with.
 */
final class ClusterNodes implements AutoCloseable {
  static final byte[] SECRET = "0123456789abcdef-test-cluster-secret".getBytes(StandardCharsets.UTF_8);
  static final String POLICIES = """
      [policy browse]
      applies-to = anonymous
      grace = 5m
      on-login = connection
      on-logout = connection

      [policy customer]
      applies-to = role:customer
      grace = 5m
      on-login = peer
      on-logout = peer

      [policy admin]
      applies-to = role:admin
      grace = 5m
      on-login = all
      on-logout = all
      """;

  final List<AssociationRegistry> registries = new ArrayList<>();
  final List<RedisCluster> clusters = new ArrayList<>();
  final List<Lease> leases = new ArrayList<>();
  private final String uri;

  ClusterNodes(String uri) {
    this.uri = uri;
  }

  static RedisClusterBuilder builder(String uri, String node) {
    return RedisCluster.builder().uri(uri).node(node).secret(SECRET)
        .heartbeat(Duration.ofMillis(100)).ackTimeout(Duration.ofMillis(2_000))
        .address("127.0.0.1:" + node.hashCode() % 1000);
  }

  AssociationRegistry add(String node) {
    return add(node, UnaryOperator.identity());
  }

  AssociationRegistry add(String node, UnaryOperator<RedisClusterBuilder> custom) {
    RedisCluster cluster = custom.apply(builder(uri, node)).build();
    AssociationRegistry registry = AssociationRegistry.builder().name("shop")
        .policies(PolicySet.parse(POLICIES, "test"))
        .scheduler(Scheduler.disabledScheduler())
        .cluster(cluster).build();
    registries.add(registry);
    clusters.add(cluster);
    return registry;
  }

  /** Waits until every node sees every other as live. */
  void awaitMembership() {
    org.awaitility.Awaitility.await("every node sees " + clusters.size() + " live nodes")
        .atMost(Duration.ofSeconds(20))
        .until(() -> clusters.stream().allMatch(c -> c.view().liveNodes() == clusters.size()
            && !c.degraded()));
  }

  /** An SA of {@code peer} on {@code registry}, held by an open lease. */
  SecurityAssociation sa(AssociationRegistry registry, String peer) throws Exception {
    Lease lease = registry.acquire(new StubSession(), peer);
    leases.add(lease);
    return registry.find(lease.associationId()).orElseThrow();
  }

  /** The checks after every test: leases released, counters balanced, nothing negative. */
  void releaseAndCheckCounters() {
    leases.forEach(Lease::release);
    leases.clear();
    for (AssociationRegistry r : registries) {
      var s = r.stats();
      assertThat(s.leases()).as("open leases of %s", r).isZero();
      assertThat(s.active()).as("active SAs of %s", r).isZero();
      assertThat(s.idle()).isGreaterThanOrEqualTo(0);
      assertThat(s.negotiated() - s.deleted())
          .as("SAs created less deleted is what %s holds", r).isEqualTo(s.associations());
    }
  }

  @Override
  public void close() {
    registries.forEach(AssociationRegistry::close);
    for (RedisCluster c : clusters) {
      assertThat(c.pendingWaits()).as("waits left open by %s", c).isZero();
    }
  }
}
