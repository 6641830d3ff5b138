package dev.tether.cluster.redis;

import dev.tether.AssociationCluster;
import dev.tether.SaPolicy.OpenConnections;
import io.lettuce.core.RedisException;
import io.lettuce.core.RedisFuture;
import io.lettuce.core.XAddArgs;
import io.lettuce.core.api.StatefulRedisConnection;
import io.lettuce.core.resource.ClientResources;
import io.lettuce.core.resource.DefaultClientResources;
import java.lang.System.Logger.Level;
import java.security.SecureRandom;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayDeque;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.Future;
import java.util.concurrent.TimeoutException;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.LongAdder;
import java.util.function.Consumer;

/**
 * A Tether cluster on a Redis stream: flushes of peers and of all SAs, and peer bindings, published
 * by one node with {@code XADD} and read by every other from its own position with {@code XREAD}, so
 * that a node that was away catches up. Each entry is signed with HMAC-SHA256 under the cluster's
 * shared secret; a node applies only authentic entries of other nodes, in the stream's order, and
 * acknowledges each on its origin's pub/sub channel. The origin's flush waits for the
 * acknowledgements of the nodes it heard from recently, up to {@link RedisClusterBuilder#ackTimeout}.
 *
 * <pre>{@code
 * AssociationRegistry registry = AssociationRegistry.builder()
 *     .cluster(RedisCluster.builder()
 *         .uri("redis://10.0.0.5:6379").node("web-1")
 *         .secretFile(Path.of("/etc/tether/cluster.secret"))
 *         .build())
 *     .build();
 * }</pre>
 *
 * <p>Faults: Redis unreachable at start, the node serves alone and retries every heartbeat (or
 * refuses to start, {@link RedisClusterBuilder#required}); Redis lost while running, local flushes go
 * on, up to {@link RedisClusterBuilder#maxPending} events are kept and sent on reconnection, and the
 * node reads on from its last position; events lost for good (stream trimmed past the position,
 * Redis restarted without them, or dropped past the bound) make the node flush its own SAs and say so.
 *
 * <p>Threads: one receiving thread and one timer thread (announcements, reconnection), both daemons
 * named {@code tether-cluster-NODE}, plus Lettuce's I/O threads. Thread-safe. The registry given it
 * owns it: it is started when the registry is built and closed with the registry.
 */
public final class RedisCluster implements AssociationCluster {
  private static final System.Logger LOG = System.getLogger(RedisCluster.class.getName());
  private static final Duration BLOCK = Duration.ofSeconds(1);
  private static final long LOG_INTERVAL_NANOS = TimeUnit.SECONDS.toNanos(10);

  private final RedisClusterBuilder settings;
  private final String node;
  private final String incarnation;
  private final String streamKey;
  private final EventCodec codec;
  private final Membership membership;
  private final AckWaits waits;
  private final XAddArgs trim;
  private final List<Consumer<Duration>> lagObservers = new CopyOnWriteArrayList<>();
  final LongAdder published = new LongAdder();
  final LongAdder applied = new LongAdder();
  final LongAdder rejected = new LongAdder();
  final LongAdder dropped = new LongAdder();
  final LongAdder resyncs = new LongAdder();
  private final RateLimitedLog rejectLog;
  private final RateLimitedLog dropLog;

  private final Object publishLock = new Object();
  private long seq;
  private final ArrayDeque<Map<String, String>> unsent = new ArrayDeque<>();
  private volatile long lastLagMicros;
  private Future<?> lastHeartbeat = CompletableFuture.completedFuture(null);

  private Member member;
  private ClientResources resources;
  private ScheduledExecutorService timer;
  private RedisConnections connections;
  private volatile StatefulRedisConnection<String, String> publisher;
  private volatile StreamReader reader;
  private ClusterJmx jmx;
  private volatile boolean closed;

  RedisCluster(RedisClusterBuilder b) {
    this.settings = b;
    this.node = b.node;
    byte[] id = new byte[8];
    new SecureRandom().nextBytes(id);
    this.incarnation = java.util.HexFormat.of().formatHex(id);
    this.streamKey = b.stream + ":events";
    this.codec = new EventCodec(b.secret);
    this.membership = new Membership(b.nanoTime, b.heartbeat.multipliedBy(3));
    this.waits = new AckWaits(node, b.nanoTime, b.ackTimeout.toNanos(), LOG_INTERVAL_NANOS);
    this.trim = XAddArgs.Builder.maxlen(b.maxLength).approximateTrimming();
    this.rejectLog = new RateLimitedLog(b.nanoTime, LOG_INTERVAL_NANOS);
    this.dropLog = new RateLimitedLog(b.nanoTime, LOG_INTERVAL_NANOS);
  }

  /** Returns a builder; {@code uri}, {@code node} and a secret are required. */
  public static RedisClusterBuilder builder() {
    return new RedisClusterBuilder();
  }

  @Override
  public synchronized void start(Member member) {
    if (this.member != null) {
      throw new IllegalStateException("cluster node '" + node + "' is already started");
    }
    this.member = member;
    this.resources = DefaultClientResources.builder().ioThreadPoolSize(2)
        .computationThreadPoolSize(2).build();
    this.timer = Executors.newSingleThreadScheduledExecutor(r -> {
      Thread t = new Thread(r, "tether-cluster-" + node + "-timer");
      t.setDaemon(true);
      return t;
    });
    try {
      connect();
    } catch (RedisException e) {
      if (settings.required) {
        shutdown();
        throw new IllegalStateException("clusterRequired is set and Redis at clusterUri '"
            + redact(settings.uriText) + "' is unreachable: " + e.getMessage(), e);
      }
      LOG.log(Level.WARNING, "Tether cluster node ''{0}'': Redis at {1} is unreachable ({2}); the "
          + "node serves alone and tries again every {3} ms", node, redact(settings.uriText),
          e.getMessage(), settings.heartbeat.toMillis());
    }
    long period = settings.heartbeat.toMillis();
    timer.scheduleWithFixedDelay(this::tick, period, period, TimeUnit.MILLISECONDS);
    jmx = ClusterJmx.register(this, member.registryName());
  }

  /** Connects the three connections; the reader starts at the stream's tail. */
  private synchronized void connect() {
    if (closed || publisher != null) {
      return;
    }
    RedisConnections opened = RedisConnections.open(resources, settings.uri, node,
        settings.maxPending, ackChannelOf(node), this::onAck, BLOCK.plusSeconds(5));
    StreamReader r;
    try {
      r = new StreamReader(this, opened::reader, streamKey, BLOCK);
      r.startAtTail();
    } catch (RedisException e) {
      opened.close();
      throw e;
    }
    this.connections = opened;
    this.reader = r;
    Thread t = new Thread(r, "tether-cluster-" + node + "-reader");
    t.setDaemon(true);
    t.start();
    synchronized (publishLock) {
      this.publisher = opened.publisher;
      int n = unsent.size();
      while (!unsent.isEmpty()) {
        send(unsent.poll());
      }
      if (n > 0) {
        LOG.log(Level.INFO, "Tether cluster node ''{0}'' sent {1} event(s) kept while Redis was "
            + "unreachable", node, n);
      }
    }
    LOG.log(Level.INFO, "Tether cluster node ''{0}'' joined the cluster on {1} (stream {2}, "
        + "from {3})", node, redact(settings.uriText), streamKey, r.position());
    announce(EventCodec.Kind.HEARTBEAT);
  }

  private void tick() {
    try {
      if (publisher == null) {
        try {
          connect();
        } catch (RedisException e) {
          LOG.log(Level.DEBUG, () -> "Tether cluster node '" + node + "': Redis still unreachable: "
              + e.getMessage());
        }
        return;
      }
      // A heartbeat still unsent (Redis paused) is not joined by another: the queue is for events.
      if (reachable() && lastHeartbeat.isDone()) {
        lastHeartbeat = announce(EventCodec.Kind.HEARTBEAT);
      }
      reader.checkSoon();
      waits.sweep();
    } catch (RuntimeException e) {
      LOG.log(Level.WARNING, "Tether cluster node '" + node + "': timer task failed", e);
    }
  }

  @Override
  public Receipt publish(Event event) {
    if (closed) {
      return Receipt.DONE;
    }
    Receipt receipt;
    synchronized (publishLock) {
      long s = ++seq;
      Map<String, String> fields = codec.encode(new EventCodec.Wire(node, incarnation, s,
          EventCodec.Kind.valueOf(event.kind().name()), event.peer(), event.principal(),
          event.policy(), event.cause(), event.open(), micros(), settings.address, 0, 0));
      receipt = waits.open(s, membership.live(), reachable());
      send(fields);
    }
    published.increment();
    return receipt;
  }

  private Future<?> announce(EventCodec.Kind kind) {
    synchronized (publishLock) {
      long s = ++seq;
      return send(codec.encode(new EventCodec.Wire(node, incarnation, s, kind, "", "", "",
          dev.tether.DeletionCause.MANUAL, OpenConnections.CLOSE, micros(), settings.address,
          member.stats().associations(), lastLagMicros)));
    }
  }

  /**
   * Sends an entry, or keeps it until the first connection; called under the publish lock. Returns
   * the sending, or a done future.
   */
  private Future<?> send(Map<String, String> fields) {
    StatefulRedisConnection<String, String> pub = publisher;
    if (pub == null) {
      if (unsent.size() >= settings.maxPending) {
        dropped("Redis has been unreachable since start and " + settings.maxPending
            + " events are kept (clusterMaxPending)");
      } else {
        unsent.add(fields);
      }
      return CompletableFuture.completedFuture(null);
    }
    try {
      RedisFuture<String> sent = pub.async().xadd(streamKey, trim, fields);
      sent.whenComplete((id, failure) -> {
        if (failure != null && !closed) {
          dropped(failure.toString());
        }
      });
      return sent;
    } catch (RedisException e) {
      dropped(e.toString());
      return CompletableFuture.completedFuture(null);
    }
  }

  private void dropped(String why) {
    dropped.increment();
    dropLog.warn(n -> LOG.log(Level.WARNING, "Tether cluster node ''{0}'' dropped {1} event(s): "
        + "{2}. The other nodes see the gap and flush their own SAs.", node, n, why));
  }

  /** Acknowledges an applied event to its origin. */
  void acknowledge(EventCodec.Wire w) {
    StatefulRedisConnection<String, String> pub = publisher;
    if (pub != null) {
      pub.async().publish(ackChannelOf(w.origin()), codec.ack(node, w.incarnation(), w.seq()));
    }
  }

  private void onAck(String message) {
    String[] ack = codec.verifyAck(message);
    if (ack == null) {
      rejected("acknowledgement that is not signed with the cluster's secret");
      return;
    }
    if (ack[2].equals(incarnation)) {
      try {
        waits.acked(ack[0], Long.parseLong(ack[1]));
      } catch (NumberFormatException e) {
        rejected("malformed acknowledgement");
      }
    }
  }

  void applied(EventCodec.Wire w) {
    applied.increment();
    long lag = Math.max(0, micros() - w.micros());
    lastLagMicros = lag;
    if (!lagObservers.isEmpty()) {
      Duration d = Duration.ofNanos(lag * 1_000);
      for (Consumer<Duration> o : lagObservers) {
        try {
          o.accept(d);
        } catch (RuntimeException e) {
          LOG.log(Level.WARNING, "Tether cluster: lag observer " + o + " failed", e);
        }
      }
    }
  }

  void rejected(String why) {
    rejected.increment();
    rejectLog.warn(n -> LOG.log(Level.WARNING, "Tether cluster node ''{0}'' ignored {1} "
        + "event(s); the last: {2}", node, n, why));
  }

  /** Flushes this node's SAs because it missed events, and says so. */
  void resync(String why) {
    resyncs.increment();
    int n = member.flushMissed();
    LOG.log(Level.WARNING, "Tether cluster node ''{0}'': {1}; it cannot know which SAs the missed "
        + "flushes named, so it flushed all {2} of its own", node, why, n);
  }

  @Override
  public View view() {
    boolean degraded = degraded();
    Node self = new Node(node, settings.address, !degraded,
        member == null ? 0 : member.stats().associations(),
        Duration.ofNanos(lastLagMicros * 1_000), Duration.ZERO);
    return new View(node, degraded, membership.view(self), published.sum(), applied.sum(),
        rejected.sum(), waits.misses.sum(), dropped.sum(), resyncs.sum());
  }

  /** Whether this node cannot exchange events now. */
  public boolean degraded() {
    StreamReader r = reader;
    return !reachable() || r == null || !r.healthy();
  }

  private boolean reachable() {
    StatefulRedisConnection<String, String> pub = publisher;
    return pub != null && pub.isOpen();
  }

  @Override
  public void observeLag(Consumer<Duration> observer) {
    lagObservers.add(java.util.Objects.requireNonNull(observer, "observer"));
  }

  @Override
  public synchronized void close() {
    if (closed) {
      return;
    }
    if (reachable() && member != null) {
      // The others stop waiting for this node at once rather than after three heartbeats.
      try {
        announce(EventCodec.Kind.BYE).get(1, TimeUnit.SECONDS);
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
      } catch (ExecutionException | TimeoutException e) {
        LOG.log(Level.DEBUG, () -> "Tether cluster node '" + node + "' could not say goodbye: " + e);
      }
    }
    closed = true;
    if (reader != null) {
      reader.stop();
    }
    shutdown();
    waits.releaseAll();
    if (jmx != null) {
      jmx.unregister();
    }
    LOG.log(Level.INFO, "Tether cluster node ''{0}'' left the cluster", node);
  }

  private void shutdown() {
    if (timer != null) {
      timer.shutdownNow();
    }
    if (connections != null) {
      connections.close();
    }
    if (resources != null) {
      resources.shutdown(0, 2, TimeUnit.SECONDS);
    }
  }

  String node() {
    return node;
  }

  String incarnation() {
    return incarnation;
  }

  EventCodec codec() {
    return codec;
  }

  Membership membership() {
    return membership;
  }

  Member member() {
    return member;
  }

  int pendingWaits() {
    return waits.pending();
  }

  private long micros() {
    Instant now = settings.clock.instant();
    return now.getEpochSecond() * 1_000_000 + now.getNano() / 1_000;
  }

  private String ackChannelOf(String origin) {
    return settings.stream + ":acks:" + origin;
  }

  /** The URI without its password, for logs and messages. */
  static String redact(String uri) {
    return uri == null ? "" : uri.replaceAll("(rediss?://)([^@/]*)@", "$1***@");
  }

  @Override
  public String toString() {
    return "RedisCluster[" + node + " on " + redact(settings.uriText) + "]";
  }
}
