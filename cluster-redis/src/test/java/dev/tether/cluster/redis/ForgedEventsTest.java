package dev.tether.cluster.redis;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import dev.tether.AssociationRegistry;
import dev.tether.DeletionCause;
import dev.tether.SaPolicy;
import dev.tether.SecurityAssociation;
import dev.tether.testing.LogCapture;
import dev.tether.testing.RedisServer;
import java.nio.charset.StandardCharsets;
import java.util.Map;
import java.util.logging.Level;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * Entries written straight into the stream by someone other than a node: unsigned, badly signed,
 * garbage, unknown version, a binding to an unknown policy, a replay. None is applied, each is
 * counted and logged; and a gap in a real origin's sequence makes the node flush its own SAs.
 */
class ForgedEventsTest {
  private static final String LOGGER = RedisCluster.class.getName();

  private RedisServer redis;
  private ClusterNodes nodes;
  private AssociationRegistry b;
  private LogCapture log;
  private final EventCodec genuine = new EventCodec(ClusterNodes.SECRET);

  @BeforeEach
  void start() throws Exception {
    redis = RedisServer.start();
    log = new LogCapture(LOGGER);
    nodes = new ClusterNodes(redis.uri());
    b = nodes.add("b");
    nodes.awaitMembership();
  }

  @AfterEach
  void stop() throws Exception {
    try {
      nodes.releaseAndCheckCounters();
      nodes.close();
      log.close();
    } finally {
      redis.close();
    }
  }

  @Test
  void unsignedBadlySignedAndGarbageEntries_areCountedLoggedAndIgnored() throws Exception {
    SecurityAssociation sa = nodes.sa(b, "10.0.0.1");
    Map<String, String> flushAll = wire(1, EventCodec.Kind.FLUSH_ALL, "", "", "");

    xadd(without(flushAll, "m"));
    xadd(with(flushAll, "m", "AAAA" + flushAll.get("m").substring(4)));
    xadd(new EventCodec("another-secret-of-16+".getBytes(StandardCharsets.UTF_8))
        .encode(decodeable(1, EventCodec.Kind.FLUSH_ALL, "", "", "")));
    xadd(Map.of("hello", "world"));
    xadd(with(flushAll, "m", "not base64!"));

    await().untilAsserted(() -> assertThat(b.cluster().view().rejected()).isEqualTo(5));
    assertThat(b.find(sa.id())).isPresent();
    assertThat(b.cluster().view().applied()).isZero();
    assertThat(log.lines(Level.WARNING, "ignored")).isNotEmpty();
  }

  @Test
  void signedEntryOfAnUnknownVersion_isRejected() throws Exception {
    SecurityAssociation sa = nodes.sa(b, "10.0.0.1");
    Map<String, String> v2 = new java.util.HashMap<>(wire(1, EventCodec.Kind.FLUSH_ALL, "", "", ""));
    v2.put("v", "2");
    // Signed over the new version: the signature is right, the version is not.
    xadd(resign(v2));

    await().untilAsserted(() -> assertThat(b.cluster().view().rejected()).isOne());
    assertThat(b.find(sa.id())).isPresent();
    assertThat(log.lines(Level.WARNING, "unknown version '2'")).hasSize(1);
  }

  @Test
  void bindingToAPolicyThisNodeDoesNotHave_bindsNothing() throws Exception {
    b.policies().bind("10.0.0.1", "carol", "customer"::equals);

    xadd(wire(1, EventCodec.Kind.BIND, "10.0.0.1", "mallory", "anything-goes"));
    xadd(wire(2, EventCodec.Kind.BIND, "10.0.0.2", "mallory", "anything-goes"));

    await().untilAsserted(() -> assertThat(b.cluster().view().rejected()).isEqualTo(2));
    assertThat(b.policyFor("10.0.0.1").name()).isEqualTo("customer");
    assertThat(b.policies().boundPrincipal("10.0.0.1")).isEqualTo("carol");
    assertThat(b.policyFor("10.0.0.2").name()).isEqualTo("browse");
    assertThat(log.lines(Level.WARNING, "anything-goes")).hasSize(1);
  }

  @Test
  void replayOfAGenuineEntry_isAppliedOnce() throws Exception {
    Map<String, String> unbind = wire(1, EventCodec.Kind.UNBIND, "10.0.0.1", "", "");
    xadd(unbind);
    await().until(() -> b.cluster().view().applied() == 1);
    b.policies().bind("10.0.0.1", "carol", "customer"::equals);

    xadd(unbind);
    xadd(wire(2, EventCodec.Kind.HEARTBEAT, "", "", ""));

    await().until(() -> b.cluster().view().nodes().stream()
        .anyMatch(n -> n.name().equals("x") && n.associations() == 7));
    assertThat(b.cluster().view().applied()).isOne();
    assertThat(b.policyFor("10.0.0.1").name()).isEqualTo("customer");
  }

  @Test
  void gapInAnOriginsSequence_flushesThisNodesSas_andSaysSo() throws Exception {
    SecurityAssociation sa = nodes.sa(b, "10.0.0.1");
    xadd(wire(1, EventCodec.Kind.HEARTBEAT, "", "", ""));
    xadd(wire(3, EventCodec.Kind.HEARTBEAT, "", "", ""));

    await().untilAsserted(() -> assertThat(b.find(sa.id())).isEmpty());
    assertThat(b.cluster().view().resyncs()).isOne();
    assertThat(b.stats().deletedByCause()).containsEntry(DeletionCause.MISSED_EVENTS, 1L);
    assertThat(log.lines(Level.WARNING, "1 event(s) of node 'x' never reached this node"))
        .hasSize(1);
  }

  @Test
  void forgedAcknowledgement_isRejected() throws Exception {
    assertThat(redis.command("PUBLISH tether:acks:b \"x 1 0123456789abcdef AAAA\""))
        .isEqualTo(":1");

    await().untilAsserted(() -> assertThat(b.cluster().view().rejected()).isOne());
  }

  private EventCodec.Wire decodeable(long seq, EventCodec.Kind kind, String peer, String principal,
      String policy) {
    return new EventCodec.Wire("x", "00000000000000aa", seq, kind, peer, principal, policy,
        DeletionCause.MANUAL, SaPolicy.OpenConnections.CLOSE, System.currentTimeMillis() * 1_000,
        "", 7, 0);
  }

  private Map<String, String> wire(long seq, EventCodec.Kind kind, String peer, String principal,
      String policy) {
    return genuine.encode(decodeable(seq, kind, peer, principal, policy));
  }

  private Map<String, String> resign(Map<String, String> fields) throws Exception {
    // Sign arbitrary field values the way a node would.
    var sign = EventCodec.class.getDeclaredMethod("sign", Map.class);
    sign.setAccessible(true);
    return with(fields, "m", (String) sign.invoke(genuine, fields));
  }

  private static Map<String, String> with(Map<String, String> f, String k, String v) {
    Map<String, String> copy = new java.util.LinkedHashMap<>(f);
    copy.put(k, v);
    return copy;
  }

  private static Map<String, String> without(Map<String, String> f, String k) {
    Map<String, String> copy = new java.util.LinkedHashMap<>(f);
    copy.remove(k);
    return copy;
  }

  private void xadd(Map<String, String> fields) throws Exception {
    StringBuilder cmd = new StringBuilder("XADD tether:events *");
    fields.forEach((k, v) -> cmd.append(' ').append(k).append(' ')
        .append(v.isEmpty() ? "\"\"" : v.contains(" ") ? '"' + v + '"' : v));
    assertThat(redis.command(cmd.toString())).as("XADD %s", cmd).doesNotStartWith("-");
  }
}
