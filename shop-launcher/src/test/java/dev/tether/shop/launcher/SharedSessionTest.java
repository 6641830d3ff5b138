package dev.tether.shop.launcher;

import static org.assertj.core.api.Assertions.assertThat;

import dev.tether.testing.RedisServer;
import java.io.Serializable;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * The shared session's record on a real {@code redis-server}: what travels, what a node refuses to
 * read, the signature, and a request that changed nothing writing nothing back.
 */
class SharedSessionTest {
  private static final byte[] SECRET = "the shared sessions' test secret".getBytes(
      StandardCharsets.UTF_8);
  private static RedisServer redis;
  private static NodeRedis node;

  /** A class of the test's own: not among the classes a session's attribute may hold. */
  record Unlisted(String value) implements Serializable {}

  @BeforeAll
  static void startRedis() throws Exception {
    redis = RedisServer.start();
    node = new NodeRedis(redis.uri(), redis.uri(), SECRET);
  }

  @AfterAll
  static void stopRedis() throws Exception {
    if (node != null) {
      node.close();
    }
    if (redis != null) {
      redis.close();
    }
  }

  @Test
  void session_travelsWithItsUserAndAttributes_andLeavesOutWhatANodeMayNotRead() {
    Map<String, Object> attributes = new LinkedHashMap<>();
    attributes.put("token", "t0k3n");
    attributes.put("items", new ArrayList<>(List.of(1, 2, 3)));
    attributes.put("unlisted", new Unlisted("x"));
    attributes.put("not serializable", new Object());
    SharedSession s = new SharedSession("abc", 1_000L, 1800, "alice", "FORM", attributes);

    SharedSession back = SharedSession.decode(s.encode(), getClass().getClassLoader());

    assertThat(back.id()).isEqualTo("abc");
    assertThat(back.created()).isEqualTo(1_000L);
    assertThat(back.maxInactiveSeconds()).isEqualTo(1800);
    assertThat(back.user()).isEqualTo("alice");
    assertThat(back.authType()).isEqualTo("FORM");
    assertThat(back.attributes()).containsOnlyKeys("token", "items")
        .containsEntry("items", List.of(1, 2, 3));
  }

  @Test
  void aValueSignedWithAnotherSecret_orChanged_isNotASession() {
    byte[] payload = new SharedSession("abc", 1L, 0, null, null, Map.of()).encode();
    byte[] signed = node.sign(SharedSession.DOMAIN, payload);
    try (NodeRedis other = new NodeRedis(redis.uri(), redis.uri(),
        "another cluster's secret, not ours".getBytes(StandardCharsets.UTF_8))) {
      assertThat(node.verify(SharedSession.DOMAIN, signed)).isEqualTo(payload);
      assertThat(other.verify(SharedSession.DOMAIN, signed)).isNull();
    }
    signed[signed.length - 1] ^= 1;
    assertThat(node.verify(SharedSession.DOMAIN, signed)).isNull();
    assertThat(node.verify("table", node.sign(SharedSession.DOMAIN, payload)))
        .as("signed for another use").isNull();
  }

  @Test
  void aRequestThatChangedNothing_doesNotWriteItsSessionBackOverAnotherNodesChange()
      throws Exception {
    SharedSession read = new SharedSession("race", 1L, 1800, null, null,
        new LinkedHashMap<>(Map.of("cart", "mug")));
    byte[] readBytes = read.write(node, null);
    SharedSession otherNode = new SharedSession("race", 1L, 1800, null, null,
        new LinkedHashMap<>(Map.of("cart", "mug, tee")));
    otherNode.write(node, readBytes);
    redis.command("PEXPIRE " + SharedSession.key("race") + " 5000");

    byte[] left = read.write(node, readBytes);

    assertThat(left).isEqualTo(readBytes);
    byte[] stored = node.verify(SharedSession.DOMAIN, node.get(SharedSession.key("race")));
    assertThat(SharedSession.decode(stored, getClass().getClassLoader()).attributes())
        .containsEntry("cart", "mug, tee");
    assertThat(Long.parseLong(redis.command("PTTL " + SharedSession.key("race")).substring(1)))
        .as("the time to live renewed to the idle timeout").isGreaterThan(60_000);

    SharedSession changed = new SharedSession("race", 1L, 1800, null, null,
        new LinkedHashMap<>(Map.of("cart", "mug, tee, key")));
    changed.write(node, readBytes);
    assertThat(SharedSession.decode(node.verify(SharedSession.DOMAIN,
        node.get(SharedSession.key("race"))), getClass().getClassLoader()).attributes())
        .containsEntry("cart", "mug, tee, key");
  }

  @Test
  void jettysNodeSuffix_isNotPartOfTheKey() {
    assertThat(SharedSession.baseId("node01abc.node0")).isEqualTo("node01abc");
    assertThat(SharedSession.baseId("8F1C0A")).isEqualTo("8F1C0A");
    assertThat(SharedSession.key("8F1C0A")).isEqualTo("tether-shop:session:8F1C0A");
  }
}
