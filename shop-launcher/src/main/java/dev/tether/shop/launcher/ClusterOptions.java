package dev.tether.shop.launcher;

import static java.util.Objects.requireNonNull;

import dev.tether.cluster.redis.RedisClusterBuilder;
import java.nio.file.Path;
import java.time.Duration;

/**
 * The launcher's cluster options: the shop runs as one node of several that share a Redis
 * ({@code --cluster}), under a name unique among them ({@code --node}), with the secret every node
 * holds ({@code --cluster-secret-file}). The three are given together or not at all.
 *
 * <p>Immutable. The values are checked when the shop starts ({@link ShopLauncher#start}), where a
 * bad one is a usage error naming the option.
 *
 * @param uri where Redis is: {@code redis://HOST:PORT}, {@code rediss://HOST:PORT} for TLS, or
 *     {@code redis://USER:PASSWORD@HOST:PORT} for an ACL user
 * @param node this node's name: 1 to 64 letters, digits, '.', '_' or '-'
 * @param secretFile the file of the cluster's shared secret, at least 16 bytes
 * @param ackTimeout how long a login's flush waits at most for every live node to apply it
 *     ({@code --cluster-ack-timeout}, default 50 ms, 0 to 10 s)
 */
public record ClusterOptions(String uri, String node, Path secretFile, Duration ackTimeout) {
  /** Checks that no value is missing. */
  public ClusterOptions {
    requireNonNull(uri, "uri");
    requireNonNull(node, "node");
    requireNonNull(secretFile, "secretFile");
    requireNonNull(ackTimeout, "ackTimeout");
  }

  /** The options of a node with Tether's default wait for the other nodes, 50 ms. */
  public ClusterOptions(String uri, String node, Path secretFile) {
    this(uri, node, secretFile, RedisClusterBuilder.DEFAULT_ACK_TIMEOUT);
  }

  /** Returns the URI with its password, if any, replaced by {@code ***}: for logs and messages. */
  public String redactedUri() {
    int at = uri.indexOf('@');
    int scheme = uri.indexOf("://");
    return at > 0 && scheme > 0 && at > scheme ? uri.substring(0, scheme + 3) + "***"
        + uri.substring(at) : uri;
  }
}
