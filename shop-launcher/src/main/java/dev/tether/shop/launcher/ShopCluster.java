package dev.tether.shop.launcher;

import dev.tether.AssociationRegistry;
import dev.tether.cluster.redis.RedisCluster;
import dev.tether.cluster.redis.RedisClusterBuilder;
import java.io.IOException;
import java.nio.file.AccessDeniedException;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.util.Arrays;

/**
 * What makes one shop a node of a cluster, besides Tether's own cluster (which the registry joins
 * through {@code tether-cluster-redis}: flushes and peer bindings): the launcher's link to the same
 * Redis, holding the nodes' shared HTTP sessions ({@link JettySessions}, {@link TomcatSessions}) and
 * every node's SA table for the dashboard ({@link ClusterTable}, {@link ClusterServlet}).
 *
 * <p>Made by {@link #open} before the container starts, so that a bad option stops the start with a
 * message naming it; {@link #start} once the registry exists; {@link #close} after the container
 * stopped. Thread-safe.
 */
final class ShopCluster implements AutoCloseable {
  private final ClusterOptions options;
  private final byte[] secret;
  private final NodeRedis redis;
  private final ClusterTable table;

  private ShopCluster(ClusterOptions options, byte[] secret) {
    this.options = options;
    this.secret = secret;
    this.redis = new NodeRedis(options.uri(), options.redactedUri(), secret);
    this.table = new ClusterTable(redis, options.node());
  }

  /**
   * Checks the cluster options as Tether's cluster module would and reads the secret.
   *
   * @throws LaunchException a usage error naming {@code --cluster}, {@code --node} or
   *     {@code --cluster-secret-file}
   */
  static ShopCluster open(ClusterOptions options) throws LaunchException {
    byte[] secret = readSecret(options);
    RedisClusterBuilder check = RedisCluster.builder();
    try {
      check.uri(options.uri());
    } catch (IllegalArgumentException e) {
      throw LaunchException.usage(rename(e.getMessage(), "clusterUri", "--cluster"));
    }
    try {
      check.node(options.node());
    } catch (IllegalArgumentException e) {
      throw LaunchException.usage(rename(e.getMessage(), "clusterNode", "--node"));
    }
    try {
      check.ackTimeout(options.ackTimeout());
    } catch (IllegalArgumentException e) {
      throw LaunchException.usage(rename(e.getMessage(), "clusterAckTimeout",
          "--cluster-ack-timeout"));
    }
    return new ShopCluster(options, secret);
  }

  private static byte[] readSecret(ClusterOptions options) throws LaunchException {
    String option = "--cluster-secret-file " + options.secretFile();
    byte[] bytes;
    try {
      bytes = Files.readAllBytes(options.secretFile());
    } catch (NoSuchFileException e) {
      throw LaunchException.usage(option + ": no such file (make one with: openssl rand -base64 32"
          + " > " + options.secretFile() + ")");
    } catch (AccessDeniedException e) {
      throw LaunchException.usage(option + ": permission denied");
    } catch (IOException e) {
      throw LaunchException.usage(option + ": cannot read it (" + e.getMessage() + ")");
    }
    int end = bytes.length;
    while (end > 0 && Character.isWhitespace(bytes[end - 1])) {
      end--;
    }
    if (end < RedisClusterBuilder.MIN_SECRET_BYTES) {
      throw LaunchException.usage(option + ": holds " + end + " bytes; the secret must have at"
          + " least " + RedisClusterBuilder.MIN_SECRET_BYTES + " (openssl rand -base64 32 makes"
          + " one)");
    }
    byte[] secret = Arrays.copyOf(bytes, end);
    Arrays.fill(bytes, (byte) 0);
    return secret;
  }

  private static String rename(String message, String setting, String option) {
    return message.startsWith(setting) ? option + message.substring(setting.length()) : message;
  }

  /** Returns the options. */
  ClusterOptions options() {
    return options;
  }

  /** Returns Tether's cluster for the registry of a node whose address is {@code address}. */
  RedisCluster tetherCluster(String address) {
    return RedisCluster.builder().uri(options.uri()).node(options.node()).secret(secret)
        .ackTimeout(options.ackTimeout()).address(address).build();
  }

  /** Returns the launcher's link to Redis (shared sessions). */
  NodeRedis redis() {
    return redis;
  }

  /** Returns the servlet the launcher maps at {@link ClusterServlet#PATH}. */
  ClusterServlet servlet() {
    return new ClusterServlet(table);
  }

  /** Starts writing the node's SA table and taking flush requests, for {@code registry}. */
  void start(AssociationRegistry registry) {
    table.start(registry);
  }

  @Override
  public void close() {
    try {
      table.close();
    } finally {
      redis.close();
      Arrays.fill(secret, (byte) 0);
    }
  }
}
