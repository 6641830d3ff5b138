package dev.tether.shop.launcher;

import io.lettuce.core.ClientOptions;
import io.lettuce.core.RedisClient;
import io.lettuce.core.RedisURI;
import io.lettuce.core.SetArgs;
import io.lettuce.core.SocketOptions;
import io.lettuce.core.TimeoutOptions;
import io.lettuce.core.api.StatefulRedisConnection;
import io.lettuce.core.api.sync.RedisCommands;
import io.lettuce.core.codec.ByteArrayCodec;
import io.lettuce.core.codec.RedisCodec;
import io.lettuce.core.codec.StringCodec;
import io.lettuce.core.pubsub.RedisPubSubAdapter;
import io.lettuce.core.pubsub.StatefulRedisPubSubConnection;
import java.lang.System.Logger.Level;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.function.BiConsumer;
import javax.crypto.Mac;
import javax.crypto.spec.SecretKeySpec;

/**
 * The launcher's own link to the cluster's Redis, next to the one Tether's cluster module keeps: the
 * shared HTTP sessions and the dashboard's table of every node's SAs live under the keys
 * {@value #PREFIX}{@code *}, and one node asks another to flush one of its SAs on the channel
 * {@value #PREFIX}{@code flush:NODE}. Every value is signed with a key derived from the cluster's
 * secret (HMAC-SHA256), so that whoever can write to Redis without the secret can neither forge a
 * session nor a flush.
 *
 * <p>Redis may be away: the connection is made on first use and again after a failure (at most once
 * per second), commands fail at once while it is disconnected and after two seconds otherwise, and
 * a failure is logged once per ten seconds. Callers treat a failure as "nothing there".
 *
 * <p>Thread-safe. Owned by {@link ShopCluster}, which closes it.
 */
final class NodeRedis implements AutoCloseable {
  private static final System.Logger LOG = System.getLogger(NodeRedis.class.getName());
  /** The prefix of the launcher's keys and channels. */
  static final String PREFIX = "tether-shop:";
  private static final Duration TIMEOUT = Duration.ofSeconds(2);
  private static final long RETRY_NANOS = Duration.ofSeconds(1).toNanos();
  private static final long LOG_NANOS = Duration.ofSeconds(10).toNanos();
  private static final RedisCodec<String, byte[]> CODEC =
      RedisCodec.of(StringCodec.UTF8, ByteArrayCodec.INSTANCE);

  private final String uriText;
  private final RedisClient client;
  private final byte[] key;
  private StatefulRedisConnection<String, byte[]> connection;
  private StatefulRedisPubSubConnection<String, byte[]> subscription;
  private long lastAttempt = System.nanoTime() - RETRY_NANOS;
  private long lastLog = System.nanoTime() - LOG_NANOS;
  private volatile boolean closed;

  /**
   * @param uri the cluster's Redis, as {@code --cluster} gives it
   * @param redacted the same without its password, for logs
   * @param secret the cluster's shared secret; a key for the launcher's signatures is derived from it
   */
  NodeRedis(String uri, String redacted, byte[] secret) {
    this.uriText = redacted;
    this.client = RedisClient.create(RedisURI.create(uri));
    client.setOptions(ClientOptions.builder()
        .autoReconnect(true)
        .disconnectedBehavior(ClientOptions.DisconnectedBehavior.REJECT_COMMANDS)
        .timeoutOptions(TimeoutOptions.enabled(TIMEOUT))
        .socketOptions(SocketOptions.builder().connectTimeout(TIMEOUT).build())
        .build());
    this.key = hmac(secret, "tether-shop launcher".getBytes(StandardCharsets.UTF_8));
  }

  /**
   * Returns the value of {@code key}, or {@code null} if absent.
   *
   * @throws Unavailable if Redis did not answer
   */
  byte[] get(String redisKey) {
    RedisCommands<String, byte[]> redis = commands();
    if (redis == null) {
      throw new Unavailable();
    }
    try {
      return redis.get(redisKey);
    } catch (RuntimeException e) {
      failed("GET", e);
      throw new Unavailable();
    }
  }

  /** Returns the values of {@code keys}, {@code null} for each absent one. */
  List<byte[]> getAll(List<String> keys) {
    List<byte[]> values = new ArrayList<>();
    RedisCommands<String, byte[]> redis = keys.isEmpty() ? null : commands();
    if (redis == null) {
      keys.forEach(k -> values.add(null));
      return values;
    }
    try {
      redis.mget(keys.toArray(String[]::new)).forEach(kv -> values.add(kv.getValueOrElse(null)));
      return values;
    } catch (RuntimeException e) {
      failed("MGET", e);
      values.clear();
      keys.forEach(k -> values.add(null));
      return values;
    }
  }

  /** Sets {@code key} to {@code value} for {@code ttl}; returns whether Redis took it. */
  boolean set(String redisKey, byte[] value, Duration ttl) {
    RedisCommands<String, byte[]> redis = commands();
    if (redis == null) {
      return false;
    }
    try {
      redis.set(redisKey, value, SetArgs.Builder.px(Math.max(1, ttl.toMillis())));
      return true;
    } catch (RuntimeException e) {
      failed("SET", e);
      return false;
    }
  }

  /** Makes {@code key} live {@code ttl} from now; returns whether Redis answered. */
  boolean touch(String redisKey, Duration ttl) {
    RedisCommands<String, byte[]> redis = commands();
    if (redis == null) {
      return false;
    }
    try {
      redis.pexpire(redisKey, Math.max(1, ttl.toMillis()));
      return true;
    } catch (RuntimeException e) {
      failed("PEXPIRE", e);
      return false;
    }
  }

  /** Deletes {@code key}; returns whether Redis answered. */
  boolean delete(String redisKey) {
    RedisCommands<String, byte[]> redis = commands();
    if (redis == null) {
      return false;
    }
    try {
      redis.del(redisKey);
      return true;
    } catch (RuntimeException e) {
      failed("DEL", e);
      return false;
    }
  }

  /** Publishes {@code message} on {@code channel}; returns how many subscribers got it, or -1. */
  long publish(String channel, byte[] message) {
    RedisCommands<String, byte[]> redis = commands();
    if (redis == null) {
      return -1;
    }
    try {
      return redis.publish(channel, message);
    } catch (RuntimeException e) {
      failed("PUBLISH", e);
      return -1;
    }
  }

  /**
   * Subscribes to {@code channel} if not yet subscribed (Lettuce subscribes again after a
   * reconnection); {@code listener} gets each message on Lettuce's thread. Returns whether the
   * subscription exists.
   */
  synchronized boolean subscribe(String channel, BiConsumer<String, byte[]> listener) {
    if (subscription != null || closed) {
      return subscription != null;
    }
    try {
      StatefulRedisPubSubConnection<String, byte[]> s = client.connectPubSub(CODEC);
      s.addListener(new RedisPubSubAdapter<>() {
        @Override
        public void message(String from, byte[] message) {
          listener.accept(from, message);
        }
      });
      s.sync().subscribe(channel);
      subscription = s;
      return true;
    } catch (RuntimeException e) {
      failed("SUBSCRIBE", e);
      return false;
    }
  }

  /** Returns {@code payload} preceded by its signature under {@code domain}. */
  byte[] sign(String domain, byte[] payload) {
    byte[] mac = mac(domain, payload);
    byte[] out = Arrays.copyOf(mac, mac.length + payload.length);
    System.arraycopy(payload, 0, out, mac.length, payload.length);
    return out;
  }

  /** Returns the payload of a value {@link #sign} made under {@code domain}, or {@code null}. */
  byte[] verify(String domain, byte[] signed) {
    if (signed == null || signed.length < 32) {
      return null;
    }
    byte[] payload = Arrays.copyOfRange(signed, 32, signed.length);
    byte[] expected = mac(domain, payload);
    return java.security.MessageDigest.isEqual(expected, Arrays.copyOf(signed, 32)) ? payload : null;
  }

  private byte[] mac(String domain, byte[] payload) {
    try {
      Mac mac = Mac.getInstance("HmacSHA256");
      mac.init(new SecretKeySpec(key, "HmacSHA256"));
      byte[] d = domain.getBytes(StandardCharsets.UTF_8);
      mac.update((byte) d.length);
      mac.update(d);
      return mac.doFinal(payload);
    } catch (java.security.GeneralSecurityException e) {
      throw new IllegalStateException("HmacSHA256 is missing from this JDK", e);
    }
  }

  private static byte[] hmac(byte[] secret, byte[] data) {
    try {
      Mac mac = Mac.getInstance("HmacSHA256");
      mac.init(new SecretKeySpec(secret, "HmacSHA256"));
      return mac.doFinal(data);
    } catch (java.security.GeneralSecurityException e) {
      throw new IllegalStateException("HmacSHA256 is missing from this JDK", e);
    }
  }

  private synchronized RedisCommands<String, byte[]> commands() {
    if (closed) {
      return null;
    }
    if (connection != null) {
      return connection.sync();
    }
    long now = System.nanoTime();
    if (now - lastAttempt < RETRY_NANOS) {
      return null;
    }
    lastAttempt = now;
    try {
      connection = client.connect(CODEC);
      LOG.log(Level.INFO, "The shop's sessions and SA table are shared in " + uriText);
      return connection.sync();
    } catch (RuntimeException e) {
      failed("connect", e);
      return null;
    }
  }

  private synchronized void failed(String what, RuntimeException e) {
    long now = System.nanoTime();
    if (closed || now - lastLog < LOG_NANOS) {
      return;
    }
    lastLog = now;
    LOG.log(Level.WARNING, "Redis " + uriText + " did not answer " + what + " (" + e.getMessage()
        + "): shared sessions and the cluster's SA table wait for it; logged once per 10 s");
  }

  /** Redis did not answer (it is away, or slower than two seconds); logged by {@link NodeRedis}. */
  static final class Unavailable extends RuntimeException {
    private static final long serialVersionUID = 1L;

    Unavailable() {
      super("Redis did not answer", null, false, false);
    }
  }

  @Override
  public void close() {
    synchronized (this) {
      if (closed) {
        return;
      }
      closed = true;
    }
    try {
      if (subscription != null) {
        subscription.close();
      }
      if (connection != null) {
        connection.close();
      }
    } finally {
      client.shutdown(Duration.ZERO, Duration.ofSeconds(2));
    }
  }
}
