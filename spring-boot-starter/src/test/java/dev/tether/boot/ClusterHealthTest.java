package dev.tether.boot;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import dev.tether.boot.TlsBrowser.Response;
import dev.tether.boot.sample.SampleShop;
import dev.tether.testing.RedisServer;
import io.micrometer.core.instrument.MeterRegistry;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Map;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.Test;
import org.springframework.beans.factory.annotation.Autowired;
import org.springframework.boot.test.context.SpringBootTest;
import org.springframework.boot.test.context.SpringBootTest.WebEnvironment;
import org.springframework.boot.test.web.server.LocalServerPort;
import org.springframework.test.annotation.DirtiesContext;
import org.springframework.test.context.DynamicPropertyRegistry;
import org.springframework.test.context.DynamicPropertySource;

/**
 * A node of a cluster (a real {@code redis-server} started for the test): the health indicator, the
 * endpoint and the meters show the cluster, and with {@code tether.cluster-required=true} the node
 * is DOWN once Redis is gone.
 */
@SpringBootTest(classes = SampleShop.class, webEnvironment = WebEnvironment.RANDOM_PORT, properties = {
    "tether.cluster-node=boot-1",
    "tether.cluster-required=true",
    "tether.cluster-heartbeat=100ms",
    "management.endpoints.web.exposure.include=health,tether",
    "management.endpoint.health.show-details=always",
    "spring.autoconfigure.exclude="
        + "org.springframework.boot.jetty.autoconfigure.servlet.JettyServletWebServerAutoConfiguration"})
@DirtiesContext
class ClusterHealthTest {
  private static RedisServer redis;

  @LocalServerPort
  int port;
  @Autowired
  MeterRegistry meters;

  @DynamicPropertySource
  static void cluster(DynamicPropertyRegistry properties) throws IOException {
    ApplicationScenarios.serverSsl(properties);
    redis = RedisServer.start();
    Path secret = Files.createTempFile("tether-cluster", ".secret");
    secret.toFile().deleteOnExit();
    Files.writeString(secret, "a secret of the cluster's nodes, 16 bytes or more",
        StandardCharsets.US_ASCII);
    properties.add("tether.cluster-uri", redis::uri);
    properties.add("tether.cluster-secret-file", secret::toString);
  }

  @AfterAll
  static void stopRedis() throws Exception {
    if (redis != null) {
      redis.close();
    }
  }

  @Test
  @SuppressWarnings("unchecked")
  void healthShowsTheCluster_andIsDownOnceTheRequiredRedisIsGone() throws Exception {
    try (TlsBrowser admin = new TlsBrowser(TestTls.client(), port, "127.0.4.1").retrying421()) {
      Map<String, Object> health = json(admin.get("/actuator/health/tether", ApplicationScenarios.ADMIN));
      assertThat(health).containsEntry("status", "UP");
      Map<String, Object> cluster =
          (Map<String, Object>) ((Map<String, Object>) health.get("details")).get("cluster");
      assertThat(cluster).containsEntry("node", "boot-1").containsEntry("degraded", false)
          .containsEntry("liveNodes", 1L);
      Map<String, Object> report = json(admin.get("/actuator/tether", ApplicationScenarios.ADMIN));
      assertThat((Map<String, Object>) report.get("cluster")).containsEntry("node", "boot-1");
      assertThat(meters.get("tether.cluster.nodes.live").gauge().value()).isEqualTo(1.0);

      redis.kill();
      await().atMost(Duration.ofSeconds(30)).untilAsserted(() -> {
        Response down = admin.get("/actuator/health/tether", ApplicationScenarios.ADMIN);
        assertThat(down.status()).isEqualTo(503);
        Map<String, Object> d = json(down);
        assertThat(d).containsEntry("status", "DOWN");
        assertThat((Map<String, Object>) ((Map<String, Object>) d.get("details")).get("cluster"))
            .containsEntry("degraded", true);
      });
    }
  }

  @SuppressWarnings("unchecked")
  private static Map<String, Object> json(Response r) {
    try {
      return (Map<String, Object>) ApplicationScenarios.json(r.body());
    } catch (RuntimeException e) {
      throw new UncheckedIOException(new IOException(r.status() + " " + r.headers() + " " + r.body(), e));
    }
  }
}
