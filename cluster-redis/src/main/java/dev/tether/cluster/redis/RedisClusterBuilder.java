package dev.tether.cluster.redis;

import static java.util.Objects.requireNonNull;

import io.lettuce.core.RedisURI;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Duration;
import java.util.Arrays;
import java.util.function.LongSupplier;

/**
 * Builds a {@link RedisCluster}. Each setter checks its value at once and the message names the
 * setting as the containers spell it ({@code clusterUri}, {@code clusterNode}, ...), so a bad value
 * stops a server's start-up. {@link #uri}, {@link #node} and a secret are required.
 */
public final class RedisClusterBuilder {
  /** The shortest secret accepted, in bytes. */
  public static final int MIN_SECRET_BYTES = 16;
  /** How long a login's response waits for the other nodes at most, by default: 50 ms. */
  public static final Duration DEFAULT_ACK_TIMEOUT = Duration.ofMillis(50);
  /** How often a node announces itself, by default: 1 s. */
  public static final Duration DEFAULT_HEARTBEAT = Duration.ofSeconds(1);
  /** The most events kept while Redis is away, by default. */
  public static final int DEFAULT_MAX_PENDING = 10_000;
  /** The stream's length after trimming (approximate), by default. */
  public static final long DEFAULT_MAX_LENGTH = 100_000;

  String uriText;
  RedisURI uri;
  String node;
  byte[] secret;
  String stream = "tether";
  String address = "";
  Duration ackTimeout = DEFAULT_ACK_TIMEOUT;
  Duration heartbeat = DEFAULT_HEARTBEAT;
  int maxPending = DEFAULT_MAX_PENDING;
  long maxLength = DEFAULT_MAX_LENGTH;
  boolean required;
  LongSupplier nanoTime = System::nanoTime;
  Clock clock = Clock.systemUTC();

  RedisClusterBuilder() {
  }

  /**
   * Sets where Redis is: {@code redis://HOST:PORT}, {@code rediss://HOST:PORT} for TLS,
   * {@code redis://USER:PASSWORD@HOST:PORT/DB} for an ACL user (Lettuce's URI syntax).
   */
  public RedisClusterBuilder uri(String uri) {
    requireNonNull(uri, "clusterUri");
    String text = uri.trim();
    if (!text.startsWith("redis://") && !text.startsWith("rediss://")) {
      throw new IllegalArgumentException("clusterUri '" + RedisCluster.redact(text)
          + "' must start with redis:// or rediss://");
    }
    try {
      // Lettuce takes "redis://h:port" as the host "h:port"; the JDK's parser does not.
      if (new java.net.URI(text).getHost() == null) {
        throw new IllegalArgumentException("clusterUri '" + RedisCluster.redact(text)
            + "' names no host:port");
      }
      this.uri = RedisURI.create(text);
    } catch (java.net.URISyntaxException | RuntimeException e) {
      if (e instanceof IllegalArgumentException named && named.getMessage().startsWith("clusterUri")) {
        throw named;
      }
      throw new IllegalArgumentException("clusterUri '" + RedisCluster.redact(text)
          + "' is not a Redis URI: " + e.getMessage(), e);
    }
    if (this.uri.getHost() == null || this.uri.getHost().isEmpty()) {
      throw new IllegalArgumentException("clusterUri '" + RedisCluster.redact(text)
          + "' names no host");
    }
    this.uriText = text;
    return this;
  }

  /** Sets this node's name, unique in the cluster (letters, digits, '.', '_', '-'). */
  public RedisClusterBuilder node(String node) {
    requireNonNull(node, "clusterNode");
    if (!node.matches("[A-Za-z0-9_.-]{1,64}")) {
      throw new IllegalArgumentException("clusterNode '" + node
          + "' must be 1 to 64 letters, digits, '.', '_' or '-'");
    }
    this.node = node;
    return this;
  }

  /** Sets the secret shared by every node, at least {@value #MIN_SECRET_BYTES} bytes. */
  public RedisClusterBuilder secret(byte[] secret) {
    requireNonNull(secret, "clusterSecret");
    if (secret.length < MIN_SECRET_BYTES) {
      throw new IllegalArgumentException("clusterSecret has " + secret.length
          + " bytes; it must have at least " + MIN_SECRET_BYTES);
    }
    this.secret = secret.clone();
    return this;
  }

  /**
   * Reads the shared secret from a file (its bytes, less trailing white space), e.g. one written by
   * {@code openssl rand -base64 32 > cluster.secret}.
   */
  public RedisClusterBuilder secretFile(Path file) {
    requireNonNull(file, "clusterSecretFile");
    byte[] bytes;
    try {
      bytes = Files.readAllBytes(file);
    } catch (IOException e) {
      throw new IllegalArgumentException("clusterSecretFile '" + file + "' cannot be read: " + e,
          e);
    }
    int end = bytes.length;
    while (end > 0 && Character.isWhitespace(bytes[end - 1])) {
      end--;
    }
    if (end < MIN_SECRET_BYTES) {
      throw new IllegalArgumentException("clusterSecretFile '" + file + "' holds " + end
          + " bytes; the secret must have at least " + MIN_SECRET_BYTES);
    }
    this.secret = Arrays.copyOf(bytes, end);
    Arrays.fill(bytes, (byte) 0);
    return this;
  }

  /**
   * Sets the prefix of the cluster's Redis keys: the stream {@code PREFIX:events} and the channels
   * {@code PREFIX:acks:NODE}. Nodes with one prefix form one cluster. Default {@code tether}.
   */
  public RedisClusterBuilder stream(String prefix) {
    requireNonNull(prefix, "clusterStream");
    if (!prefix.matches("[A-Za-z0-9_.:{}-]{1,100}")) {
      throw new IllegalArgumentException("clusterStream '" + prefix
          + "' must be 1 to 100 letters, digits, '.', '_', ':', '{', '}' or '-'");
    }
    this.stream = prefix;
    return this;
  }

  /** Sets what this node announces as its address (shown in the cluster view). Default: empty. */
  public RedisClusterBuilder address(String address) {
    this.address = requireNonNull(address, "clusterAddress");
    return this;
  }

  /**
   * Sets how long a login's (or an operator's) flush waits at most for every live node to apply it;
   * past it the response goes and the miss is counted and logged. Zero: never wait. Default 50 ms.
   */
  public RedisClusterBuilder ackTimeout(Duration timeout) {
    requireNonNull(timeout, "clusterAckTimeout");
    if (timeout.isNegative() || timeout.compareTo(Duration.ofSeconds(10)) > 0) {
      throw new IllegalArgumentException("clusterAckTimeout " + timeout.toMillis()
          + " ms must be from 0 to 10000 ms");
    }
    this.ackTimeout = timeout;
    return this;
  }

  /**
   * Sets how often the node announces itself; a node not heard for three periods is no longer
   * waited for. Default 1 s.
   */
  public RedisClusterBuilder heartbeat(Duration period) {
    requireNonNull(period, "clusterHeartbeat");
    if (period.toMillis() < 10 || period.compareTo(Duration.ofMinutes(1)) > 0) {
      throw new IllegalArgumentException("clusterHeartbeat " + period.toMillis()
          + " ms must be from 10 to 60000 ms");
    }
    this.heartbeat = period;
    return this;
  }

  /** Sets how many events are kept, to send later, while Redis is away. Default 10,000. */
  public RedisClusterBuilder maxPending(int max) {
    if (max < 1) {
      throw new IllegalArgumentException("clusterMaxPending " + max + " must be at least 1");
    }
    this.maxPending = max;
    return this;
  }

  /**
   * Sets how many entries the stream keeps (trimmed approximately as events are added). A node that
   * falls further behind than this flushes its own SAs when it catches up. Default 100,000.
   */
  public RedisClusterBuilder maxLength(long max) {
    if (max < 100) {
      throw new IllegalArgumentException("clusterMaxLength " + max + " must be at least 100");
    }
    this.maxLength = max;
    return this;
  }

  /**
   * Sets whether the node refuses to start while Redis is unreachable. Default false: the node
   * serves alone, logs a warning and keeps trying.
   */
  public RedisClusterBuilder required(boolean required) {
    this.required = required;
    return this;
  }

  RedisClusterBuilder nanoTime(LongSupplier nanoTime) {
    this.nanoTime = requireNonNull(nanoTime);
    return this;
  }

  RedisClusterBuilder clock(Clock clock) {
    this.clock = requireNonNull(clock);
    return this;
  }

  /**
   * Returns the cluster, not yet connected: the registry connects it when it is built.
   *
   * @throws IllegalStateException naming the setting if the URI, the node or the secret is missing
   */
  public RedisCluster build() {
    if (uri == null) {
      throw new IllegalStateException("clusterUri is not set (e.g. redis://127.0.0.1:6379)");
    }
    if (node == null) {
      throw new IllegalStateException("clusterNode is not set (a name unique in the cluster)");
    }
    if (secret == null) {
      throw new IllegalStateException("clusterSecretFile is not set: every node needs the "
          + "cluster's shared secret (at least " + MIN_SECRET_BYTES + " bytes)");
    }
    return new RedisCluster(this);
  }
}
