package dev.tether.servlet;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.entry;

import com.github.benmanes.caffeine.cache.Scheduler;
import dev.tether.AssociationRegistry;
import dev.tether.Lease;
import dev.tether.testing.JsonParser;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.ZoneOffset;
import java.util.List;
import java.util.Map;
import java.util.concurrent.atomic.AtomicLong;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

class AssociationJsonTest {
  private static final Instant START = Instant.parse("2026-01-01T10:00:00Z");

  private final AtomicLong nanos = new AtomicLong(1_000_000_000L);
  private final AssociationRegistry registry = AssociationRegistry.builder()
      .name("json-test")
      .grace(Duration.ofSeconds(30))
      .ticker(nanos::get)
      .clock(Clock.fixed(START, ZoneOffset.UTC))
      .scheduler(Scheduler.disabledScheduler())
      .build();

  @AfterEach
  void close() {
    registry.close();
  }

  private void advance(Duration d) {
    nanos.addAndGet(d.toNanos());
  }

  @SuppressWarnings("unchecked")
  private List<Map<String, Object>> associations() {
    return (List<Map<String, Object>>) JsonParser.parse(
        AssociationJson.associations(registry.associations()));
  }

  @SuppressWarnings("unchecked")
  private Map<String, Object> stats() {
    return (Map<String, Object>) JsonParser.parse(AssociationJson.stats(registry, registry.stats()));
  }

  @Test
  void associations_emptyRegistry_isEmptyArray() {
    assertThat(AssociationJson.associations(registry.associations())).isEqualTo("[]");
  }

  @Test
  void associations_activeSa_hasEveryFieldWithIsoTimesAndMillis() throws Exception {
    FakeSslSession session = new FakeSslSession("TLSv1.3", "TLS_AES_128_GCM_SHA256");
    Lease first = registry.acquire(session, "192.0.2.7");
    first.recordPrincipal("alice");
    advance(Duration.ofMillis(1500));
    registry.acquire(session, "192.0.2.7");
    advance(Duration.ofMillis(500));

    List<Map<String, Object>> list = associations();

    assertThat(list).hasSize(1);
    assertThat(list.get(0)).containsExactly(
        entry("id", first.associationId()),
        entry("peer", "192.0.2.7"),
        entry("protocol", "TLSv1.3"),
        entry("cipherSuite", "TLS_AES_128_GCM_SHA256"),
        entry("policy", "default"),
        entry("principals", List.of("alice")),
        entry("state", "ACTIVE"),
        entry("references", 2L),
        entry("reuses", 1L),
        entry("created", "2026-01-01T10:00:00Z"),
        entry("lastUsed", "2026-01-01T10:00:01.500Z"),
        entry("idleSince", null),
        entry("ageMillis", 2000L),
        entry("idleMillis", 0L));
  }

  @Test
  void associations_idleSa_reportsIdleSinceAndIdleMillis() throws Exception {
    Lease lease = registry.acquire(new FakeSslSession("TLSv1.2", "TLS_ECDHE_ECDSA_WITH_AES_128_GCM_SHA256"),
        "198.51.100.1");
    advance(Duration.ofSeconds(2));
    lease.release();
    advance(Duration.ofMillis(250));

    Map<String, Object> sa = associations().get(0);

    assertThat(sa).containsEntry("state", "IDLE").containsEntry("references", 0L)
        .containsEntry("idleSince", "2026-01-01T10:00:02Z").containsEntry("idleMillis", 250L)
        .containsEntry("ageMillis", 2250L).containsEntry("principals", List.of());
  }

  @Test
  void associations_escapesPrincipalNames() throws Exception {
    Lease lease = registry.acquire(new FakeSslSession("TLSv1.3", "TLS_AES_256_GCM_SHA384"), "::1");
    lease.recordPrincipal("o\"brien\\\n");

    String json = AssociationJson.associations(registry.associations());

    assertThat(json).contains("[\"o\\\"brien\\\\\\n\"]");
    assertThat(associations().get(0)).containsEntry("principals", List.of("o\"brien\\\n"));
  }

  @Test
  void associations_listsOldestFirst() throws Exception {
    Lease a = registry.acquire(new FakeSslSession("TLSv1.3", "TLS_AES_128_GCM_SHA256"), "10.0.0.1");
    Lease b = registry.acquire(new FakeSslSession("TLSv1.3", "TLS_AES_128_GCM_SHA256"), "10.0.0.2");

    assertThat(associations()).extracting(m -> m.get("id"))
        .containsExactly(a.associationId(), b.associationId());
  }

  @Test
  @SuppressWarnings("unchecked")
  void stats_countsNegotiationsReusesAndDeletionsByCause() throws Exception {
    FakeSslSession session = new FakeSslSession("TLSv1.3", "TLS_AES_128_GCM_SHA256");
    Lease first = registry.acquire(session, "192.0.2.7");
    registry.acquire(session, "192.0.2.7").release();
    first.release();
    registry.acquire(new FakeSslSession("TLSv1.3", "TLS_AES_128_GCM_SHA256"), "192.0.2.8");
    AssociationServlet.flush(registry, null, "192.0.2.7", null);

    Map<String, Object> stats = stats();

    assertThat(stats).containsEntry("registry", "json-test")
        .containsEntry("maxAssociations", 100_000L)
        .containsEntry("maxAssociationsPerPeer", 1_000L)
        .containsEntry("associations", 1L)
        .containsEntry("active", 1L)
        .containsEntry("idle", 0L)
        .containsEntry("leases", 1L)
        .containsEntry("handshakes", 3L)
        .containsEntry("negotiated", 2L)
        .containsEntry("reused", 1L)
        .containsEntry("released", 2L)
        .containsEntry("deleted", 1L)
        .containsEntry("flushed", 1L)
        .containsEntry("refused", 0L);
    Map<String, Object> byCause = (Map<String, Object>) stats.get("deletedByCause");
    assertThat(byCause).containsKeys("LAST_CLOSE", "GRACE_EXPIRED", "MAX_AGE", "PRESSURE", "LOGIN",
        "LOGOUT", "MANUAL", "SHUTDOWN").containsEntry("MANUAL", 1L).containsEntry("LAST_CLOSE", 0L);
    assertThat((Map<String, Object>) stats.get("refusedByReason"))
        .containsOnlyKeys("MAX_ASSOCIATIONS", "MAX_PER_PEER", "POLICY", "CLOSED", "STALE");
  }

  @Test
  @SuppressWarnings("unchecked")
  void stats_graceExpiry_isCountedUnderItsCause() throws Exception {
    registry.acquire(new FakeSslSession("TLSv1.2", "TLS_ECDHE_RSA_WITH_AES_128_GCM_SHA256"), "x")
        .release();
    advance(Duration.ofSeconds(31));
    registry.cleanUp();

    Map<String, Object> stats = stats();

    assertThat(stats).containsEntry("associations", 0L).containsEntry("deleted", 1L);
    assertThat((Map<String, Object>) stats.get("deletedByCause")).containsEntry("GRACE_EXPIRED", 1L);
  }

  @Test
  void flushedAndError_areSmallObjects() {
    assertThat(AssociationJson.flushed(3)).isEqualTo("{\"flushed\":3}");
    assertThat(AssociationJson.error("no \"x\"")).isEqualTo("{\"error\":\"no \\\"x\\\"\"}");
  }

  @Test
  @SuppressWarnings("unchecked")
  void stats_inACluster_carryTheClusterView_andANodeAloneDoesNot() {
    assertThat(stats()).doesNotContainKey("cluster");
    dev.tether.AssociationCluster.Node self = new dev.tether.AssociationCluster.Node("web-1",
        "10.0.0.1:8443", true, 4, Duration.ofNanos(1_500_000), Duration.ZERO);
    dev.tether.AssociationCluster.Node other = new dev.tether.AssociationCluster.Node("web-2", "",
        false, 2, Duration.ZERO, Duration.ofMillis(4_000));
    dev.tether.AssociationCluster cluster = new dev.tether.AssociationCluster() {
      @Override public void start(Member member) { }
      @Override public Receipt publish(Event event) { return Receipt.DONE; }
      @Override public View view() {
        return new View("web-1", true, List.of(self, other), 5, 6, 1, 2, 3, 4);
      }
      @Override public void observeLag(java.util.function.Consumer<Duration> o) { }
      @Override public void close() { }
    };
    try (AssociationRegistry clustered = AssociationRegistry.builder().cluster(cluster).build()) {
      Map<String, Object> view = (Map<String, Object>) ((Map<String, Object>) JsonParser.parse(
          AssociationJson.stats(clustered, clustered.stats()))).get("cluster");

      assertThat(view).containsEntry("node", "web-1").containsEntry("degraded", true)
          .containsEntry("liveNodes", 1L).containsEntry("published", 5L)
          .containsEntry("applied", 6L).containsEntry("rejected", 1L)
          .containsEntry("ackMisses", 2L).containsEntry("dropped", 3L)
          .containsEntry("resyncs", 4L);
      List<Map<String, Object>> nodes = (List<Map<String, Object>>) view.get("nodes");
      assertThat(nodes).hasSize(2);
      assertThat(nodes.get(0)).containsEntry("name", "web-1")
          .containsEntry("address", "10.0.0.1:8443").containsEntry("live", true)
          .containsEntry("associations", 4L).containsEntry("lagMicros", 1_500L);
      assertThat(nodes.get(1)).containsEntry("live", false)
          .containsEntry("sinceHeardMillis", 4_000L);
    }
  }
}
