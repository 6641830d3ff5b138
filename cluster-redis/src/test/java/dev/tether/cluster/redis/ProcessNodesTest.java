package dev.tether.cluster.redis;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import dev.tether.testing.OpenSslClient;
import dev.tether.testing.OpenSslClient.Handshake;
import dev.tether.testing.RedisServer;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.function.UnaryOperator;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * Nodes in separate JVMs: a Jetty node and a Tomcat node as child processes, a Jetty node in the
 * test's JVM. A node frozen (SIGSTOP) while the stream is trimmed past its position flushes its own
 * SAs when it wakes; a node killed (SIGKILL) and started again joins at the tail and follows.
 */
class ProcessNodesTest {
  private static final Duration SLOW = Duration.ofSeconds(30);

  private RedisServer redis;
  private NodeProcess a;
  private NodeProcess b;
  private NodeServer c;
  private Path pem;

  @BeforeEach
  void start() throws Exception {
    redis = RedisServer.start();
    pem = NodeServer.pem();
    a = NodeProcess.start("jetty", "a", redis.uri(), 2_000);
    b = NodeProcess.start("tomcat", "b", redis.uri(), 2_000);
    c = NodeServer.jetty("c", redis.uri(), x -> x.ackTimeout(Duration.ofMillis(300)));
    await().atMost(SLOW).until(() -> c.registry.cluster().view().liveNodes() == 3);
    await().atMost(SLOW).until(() -> get(a.port, "/cluster").contains("live=3")
        && get(b.port, "/cluster").contains("live=3"));
  }

  @AfterEach
  void stop() throws Exception {
    try {
      for (int port : new int[] {a.port, b.port}) {
        await().atMost(SLOW).untilAsserted(() -> assertThat(get(port, "/cluster"))
            .contains("otherLeases=0", "balance=0 ", "rejected=0"));
      }
      assertThat(c.registry.cluster().view().rejected()).isZero();
    } finally {
      for (AutoCloseable n : new AutoCloseable[] {a, b, c}) {
        n.close();
      }
      redis.close();
      Files.deleteIfExists(pem);
    }
  }

  @Test
  void loginInOneProcess_noNodeResumesThePeersSessions() throws Exception {
    int[] ports = {a.port, b.port, c.port};
    Path[] sessions = new Path[3];
    for (int i = 0; i < 3; i++) {
      sessions[i] = Files.createTempFile("tether-session", ".pem");
      assertThat(openssl(ports[i], "/").request(null, sessions[i]).handshake())
          .isEqualTo(Handshake.NEW);
    }

    assertThat(get(b.port, "/login?user=carol&role=customer")).contains("logged in carol");

    for (int i = 0; i < 3; i++) {
      OpenSslClient.Result after = openssl(ports[i], "/").request(sessions[i], null);
      assertThat(after.handshake()).as("port %d", ports[i]).isEqualTo(Handshake.NEW);
      assertThat(after.output()).contains("ok customer");
      Files.delete(sessions[i]);
    }
    assertThat(get(b.port, "/cluster")).contains("misses=0");
  }

  @Test
  void nodeFrozenWhileTheStreamIsTrimmedPastIt_flushesItsOwnSasWhenItWakes() throws Exception {
    Path session = Files.createTempFile("tether-session", ".pem");
    Path next = Files.createTempFile("tether-session", ".pem");
    assertThat(openssl(b.port, "/").request(null, session).handshake()).isEqualTo(Handshake.NEW);

    b.signal("STOP");
    assertThat(redis.killClients("tether-b")).isPositive();
    get(c.port, "/login?user=carol&role=customer");
    assertThat(redis.command("XTRIM tether:events MAXLEN 0")).isNotEqualTo(":0");
    b.signal("CONT");

    await().atMost(SLOW).untilAsserted(() ->
        assertThat(get(b.port, "/cluster")).as(b.log()).contains("resyncs=1", "degraded=false"));
    assertThat(b.log()).contains("the stream was trimmed past this node's position",
        "so it flushed all");
    OpenSslClient.Result after = openssl(b.port, "/").request(session, next);
    assertThat(after.handshake()).isEqualTo(Handshake.NEW);
    Files.delete(session);
    Files.delete(next);
  }

  @Test
  void nodeKilledAndStartedAgain_joinsAtTheTail_andFollowsTheCluster() throws Exception {
    a.signal("KILL");
    a.process.waitFor();
    await().atMost(SLOW).until(() -> c.registry.cluster().view().liveNodes() == 2);
    a.close();
    a = NodeProcess.start("jetty", "a", redis.uri(), 2_000);
    await().atMost(SLOW).until(() -> c.registry.cluster().view().liveNodes() == 3);

    get(c.port, "/login?user=carol&role=customer");

    assertThat(get(a.port, "/")).contains("ok customer");
    assertThat(c.registry.cluster().view().resyncs()).isZero();
    assertThat(c.registry.cluster().view().ackMisses()).isZero();
    assertThat(get(a.port, "/cluster")).contains("resyncs=0", "live=3");
  }

  private OpenSslClient openssl(int port, String path) {
    return new OpenSslClient(port, "TLSv1.3", pem, "127.0.0.1", path);
  }

  private String get(int port, String path) throws Exception {
    return openssl(port, path).request(null, null).output();
  }

  static UnaryOperator<RedisClusterBuilder> identity() {
    return UnaryOperator.identity();
  }
}
