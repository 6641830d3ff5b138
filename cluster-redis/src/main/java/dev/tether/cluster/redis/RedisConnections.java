package dev.tether.cluster.redis;

import io.lettuce.core.ClientOptions;
import io.lettuce.core.RedisClient;
import io.lettuce.core.RedisException;
import io.lettuce.core.RedisURI;
import io.lettuce.core.SocketOptions;
import io.lettuce.core.TimeoutOptions;
import io.lettuce.core.api.StatefulRedisConnection;
import io.lettuce.core.pubsub.RedisPubSubAdapter;
import io.lettuce.core.pubsub.StatefulRedisPubSubConnection;
import io.lettuce.core.resource.ClientResources;
import java.time.Duration;
import java.util.function.Consumer;

/**
 * A node's Redis connections, named {@code tether-NODE} in {@code CLIENT LIST}:
 *
 * <ul>
 *   <li>the publisher ({@code XADD}, acknowledgements): reconnects by itself and keeps commands
 *       while Redis is away (up to {@code maxPending}) without timing them out, since they are
 *       events to deliver;
 *   <li>the acknowledgement channel ({@code SUBSCRIBE PREFIX:acks:NODE}), resubscribed by Lettuce;
 *   <li>reader connections ({@code XREAD BLOCK}), from a client that does not reconnect: a read that
 *       a broken connection cut fails, and the reader checks the stream before it reads again.
 * </ul>
 *
 * <p>Thread-safe; Lettuce's connections are.
 */
final class RedisConnections {
  private static final Duration CONNECT_TIMEOUT = Duration.ofSeconds(2);

  private final RedisClient client;
  private final RedisClient readerClient;
  final StatefulRedisConnection<String, String> publisher;
  private final StatefulRedisPubSubConnection<String, String> acks;
  private final Duration readTimeout;

  private RedisConnections(RedisClient client, RedisClient readerClient,
      StatefulRedisConnection<String, String> publisher,
      StatefulRedisPubSubConnection<String, String> acks, Duration readTimeout) {
    this.client = client;
    this.readerClient = readerClient;
    this.publisher = publisher;
    this.acks = acks;
    this.readTimeout = readTimeout;
  }

  /**
   * Connects the publisher and the acknowledgement channel.
   *
   * @throws RedisException if Redis cannot be reached (nothing is left open then)
   */
  static RedisConnections open(ClientResources resources, RedisURI uri, String node,
      int maxPending, String ackChannel, Consumer<String> onAck, Duration readTimeout) {
    RedisURI named = RedisURI.builder(uri).withClientName("tether-" + node).build();
    RedisClient client = RedisClient.create(resources, named);
    client.setOptions(ClientOptions.builder()
        .autoReconnect(true)
        .requestQueueSize(maxPending)
        .disconnectedBehavior(ClientOptions.DisconnectedBehavior.ACCEPT_COMMANDS)
        .timeoutOptions(TimeoutOptions.builder().timeoutCommands(false).build())
        .socketOptions(SocketOptions.builder().connectTimeout(CONNECT_TIMEOUT).build())
        .build());
    RedisClient readerClient = RedisClient.create(resources, named);
    readerClient.setOptions(ClientOptions.builder()
        .autoReconnect(false)
        .socketOptions(SocketOptions.builder().connectTimeout(CONNECT_TIMEOUT).build())
        .build());
    try {
      StatefulRedisConnection<String, String> publisher = client.connect();
      StatefulRedisPubSubConnection<String, String> acks = client.connectPubSub();
      acks.addListener(new RedisPubSubAdapter<>() {
        @Override
        public void message(String channel, String message) {
          onAck.accept(message);
        }
      });
      acks.sync().subscribe(ackChannel);
      return new RedisConnections(client, readerClient, publisher, acks, readTimeout);
    } catch (RedisException e) {
      client.shutdown(Duration.ZERO, Duration.ofSeconds(1));
      readerClient.shutdown(Duration.ZERO, Duration.ofSeconds(1));
      throw e;
    }
  }

  /** Opens a reader connection whose commands time out after the read timeout. */
  StatefulRedisConnection<String, String> reader() {
    StatefulRedisConnection<String, String> connection = readerClient.connect();
    connection.setTimeout(readTimeout);
    return connection;
  }

  /** Closes every connection; what the publisher already wrote goes out first. */
  void close() {
    publisher.close();
    acks.close();
    client.shutdown(Duration.ZERO, Duration.ofSeconds(2));
    readerClient.shutdown(Duration.ZERO, Duration.ofSeconds(2));
  }
}
