package dev.tether.cluster.redis;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.tether.AssociationCluster;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The containers' settings reach this module through the service loader, and every bad value stops
 * the start with a message that names its setting.
 */
class RedisClusterProviderTest {
  @TempDir
  Path dir;

  private AssociationCluster.Config config(String uri, String node, Path secret) {
    return new AssociationCluster.Config(uri, node, secret, Duration.ofMillis(50),
        Duration.ofSeconds(1), "tether", 10_000, 100_000, false, "");
  }

  private Path secret(String text) throws Exception {
    return Files.writeString(Files.createTempFile(dir, "cluster", ".secret"), text);
  }

  @Test
  void redisUri_isServedByThisModule() throws Exception {
    AssociationCluster c = AssociationCluster.create(
        config("redis://127.0.0.1:6379", "web-1", secret("0123456789abcdef0123\n")));

    assertThat(c).isInstanceOf(RedisCluster.class);
    assertThat(c.toString()).contains("web-1", "redis://127.0.0.1:6379");
  }

  @Test
  void badValues_stopTheStartNamingTheSetting() throws Exception {
    Path good = secret("0123456789abcdef0123");
    assertThatThrownBy(() -> AssociationCluster.create(config("http://x:1", "a", good)))
        .hasMessageStartingWith("clusterUri").hasMessageContaining("'http://'");
    assertThatThrownBy(() -> AssociationCluster.create(config("redis://", "a", good)))
        .hasMessageStartingWith("clusterUri");
    assertThatThrownBy(() -> AssociationCluster.create(config("redis://h:port", "a", good)))
        .hasMessageStartingWith("clusterUri 'redis://h:port' names no host:port");
    assertThatThrownBy(() -> AssociationCluster.create(config("redis://u:pw@:6379", "a", good)))
        .hasMessageStartingWith("clusterUri 'redis://***@:6379'");
    assertThatThrownBy(() -> AssociationCluster.create(config("redis://h:1", "", good)))
        .hasMessageStartingWith("clusterNode");
    assertThatThrownBy(() -> AssociationCluster.create(config("redis://h:1", "a b", good)))
        .hasMessageStartingWith("clusterNode 'a b'");
    assertThatThrownBy(() -> AssociationCluster.create(config("redis://h:1", "a", null)))
        .hasMessageStartingWith("clusterSecretFile");
    assertThatThrownBy(() -> AssociationCluster.create(config("redis://h:1", "a", secret("short\n"))))
        .hasMessageStartingWith("clusterSecretFile").hasMessageContaining("holds 5 bytes");
    assertThatThrownBy(() -> AssociationCluster.create(
        config("redis://h:1", "a", dir.resolve("missing"))))
        .hasMessageStartingWith("clusterSecretFile").hasMessageContaining("cannot be read");
    assertThatThrownBy(() -> AssociationCluster.create(new AssociationCluster.Config(
        "redis://h:1", "a", good, Duration.ofSeconds(11), Duration.ofSeconds(1), "tether", 1, 100,
        false, ""))).hasMessageStartingWith("clusterAckTimeout");
    assertThatThrownBy(() -> AssociationCluster.create(new AssociationCluster.Config(
        "redis://h:1", "a", good, Duration.ZERO, Duration.ofSeconds(1), "a b", 1, 100,
        false, ""))).hasMessageStartingWith("clusterStream");
  }
}
