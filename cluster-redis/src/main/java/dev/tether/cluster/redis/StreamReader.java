package dev.tether.cluster.redis;

import dev.tether.AssociationCluster;
import io.lettuce.core.RedisCommandExecutionException;
import io.lettuce.core.StreamMessage;
import io.lettuce.core.XReadArgs;
import io.lettuce.core.api.StatefulRedisConnection;
import io.lettuce.core.api.sync.RedisCommands;
import java.lang.System.Logger.Level;
import java.time.Duration;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.locks.LockSupport;
import java.util.function.Supplier;

/**
 * The receiving thread: reads the stream from this node's last position with {@code XREAD BLOCK},
 * verifies each entry, applies the other nodes' events in the stream's order and acknowledges them.
 *
 * <p>Losses are detected two ways, and either makes the node flush its own SAs (it cannot know which
 * of them the lost flushes named): entries trimmed from the stream past this node's position
 * ({@code XINFO STREAM}, Redis 7), checked after every reconnection and every heartbeat; and a
 * gap in an origin's sequence numbers (an entry lost with a Redis that restarted without persistence,
 * or dropped by its publisher).
 *
 * <p>Concurrency: one thread owns the position and the origins' sequences; it is the only user of
 * its connection.
 */
final class StreamReader implements Runnable {
  private static final System.Logger LOG = System.getLogger(RedisCluster.class.getName());
  private static final int BATCH = 512;

  /** What the reader learnt of an origin: its process, the last sequence and its first time. */
  private record Origin(String incarnation, long seq, long firstMicros) {}

  private final RedisCluster cluster;
  private final Supplier<StatefulRedisConnection<String, String>> connect;
  private StatefulRedisConnection<String, String> connection;
  private final String key;
  private final Duration block;
  private final Map<String, Origin> origins = new HashMap<>();
  private volatile String position;
  /** Entries of the stream up to the position: those counted at the start and those read since. */
  private long counted;
  private volatile boolean healthy = true;
  private volatile boolean checkDue = true;
  private volatile boolean stopped;

  /**
   * The connection does not reconnect by itself ({@code autoReconnect} off): a command that a
   * broken connection cut must fail here, so that the trimming check runs before the next read.
   */
  StreamReader(RedisCluster cluster, Supplier<StatefulRedisConnection<String, String>> connect,
      String key, Duration block) {
    this.cluster = cluster;
    this.connect = connect;
    this.connection = connect.get();
    this.key = key;
    this.block = block;
  }

  /**
   * Starts at the stream's tail: a node that (re)starts has no SA that older events could name. One
   * {@code XINFO STREAM} gives the last id and the number of entries ever added up to it at once.
   */
  void startAtTail() {
    Map<String, Object> info = info(connection.sync());
    position = info.isEmpty() ? "0-0" : String.valueOf(info.get("last-generated-id"));
    counted = info.isEmpty() ? 0 : number(info.get("entries-added"));
  }

  String position() {
    return position;
  }

  boolean healthy() {
    return healthy;
  }

  /** Asks for a check of the stream's trimming before the next read. */
  void checkSoon() {
    checkDue = true;
  }

  void stop() {
    stopped = true;
    connection.closeAsync();
  }

  @Override
  public void run() {
    long backoffMillis = 50;
    while (!stopped) {
      try {
        if (!connection.isOpen()) {
          connection.closeAsync();
          connection = connect.get();
        }
        RedisCommands<String, String> redis = connection.sync();
        if (checkDue) {
          checkDue = false;
          checkTrimmed(redis);
        }
        List<StreamMessage<String, String>> batch = redis.xread(
            XReadArgs.Builder.block(block.toMillis()).count(BATCH),
            XReadArgs.StreamOffset.from(key, position));
        if (!healthy) {
          LOG.log(Level.INFO, "Tether cluster node ''{0}'' reads the stream again from {1}",
              cluster.node(), position);
          healthy = true;
        }
        backoffMillis = 50;
        if (batch != null) {
          for (StreamMessage<String, String> m : batch) {
            handle(m.getBody());
            position = m.getId();
            counted++;
          }
        }
      } catch (RuntimeException e) {
        if (stopped) {
          return;
        }
        if (healthy) {
          LOG.log(Level.WARNING, "Tether cluster node ''{0}'' cannot read the stream ({1}); "
              + "local flushes go on, events are kept and read from {2} on reconnection",
              cluster.node(), e.toString(), position);
          healthy = false;
        }
        checkDue = true;
        LockSupport.parkNanos(TimeUnit.MILLISECONDS.toNanos(backoffMillis));
        backoffMillis = Math.min(1_000, backoffMillis * 2);
      }
    }
  }

  /**
   * Detects entries after the position that were trimmed before this node read them. Trimming
   * removes the stream's head, and Redis counts every entry ever added ({@code entries-added}); so
   * when the stream's first entry lies past the position, every entry added after the position
   * should still be there: fewer means some were lost. ({@code max-deleted-entry-id} tells only of
   * {@code XDEL}, not of trimming.)
   */
  private void checkTrimmed(RedisCommands<String, String> redis) {
    Map<String, Object> info = info(redis);
    if (info.isEmpty()) {
      // No stream (any more, after a restart without persistence): entries lost with the old one
      // show up as gaps in the origins' sequences.
      counted = 0;
      return;
    }
    long added = number(info.get("entries-added"));
    long length = number(info.get("length"));
    String first = String.valueOf(info.get("recorded-first-entry-id"));
    if (added < counted) {
      // A new stream (Redis restarted without its data): count from here.
      counted = added - length;
      return;
    }
    boolean headPastPosition = length == 0 || compareIds(first, position) > 0;
    long lost = headPastPosition ? added - counted - length : 0;
    if (lost > 0) {
      cluster.resync("the stream was trimmed past this node's position " + position + " ("
          + lost + " entries it had not read are gone)");
      counted = added - length;
      // What was missed is flushed: the origins' next sequences start new baselines.
      origins.clear();
    }
  }

  /** Returns XINFO STREAM as a map, empty when there is no stream. */
  private Map<String, Object> info(RedisCommands<String, String> redis) {
    List<Object> flat;
    try {
      flat = redis.xinfoStream(key);
    } catch (RedisCommandExecutionException e) {
      return Map.of();
    }
    Map<String, Object> info = new HashMap<>();
    for (int i = 0; i + 1 < flat.size(); i += 2) {
      info.put(String.valueOf(flat.get(i)), flat.get(i + 1));
    }
    return info;
  }

  private static long number(Object value) {
    return value instanceof Number n ? n.longValue() : Long.parseLong(String.valueOf(value));
  }

  private void handle(Map<String, String> body) {
    EventCodec.Wire w;
    try {
      w = cluster.codec().decode(body);
    } catch (EventCodec.Rejected r) {
      cluster.rejected("entry " + describe(body) + ": " + r.getMessage());
      return;
    }
    if (w.origin().equals(cluster.node())) {
      if (!w.incarnation().equals(cluster.incarnation())) {
        cluster.rejected("entry from another process calling itself '" + w.origin()
            + "' (incarnation " + w.incarnation() + "): node names must be unique");
      }
      return;
    }
    if (!sequence(w)) {
      return;
    }
    cluster.membership().heard(w);
    if (w.isAnnouncement()) {
      return;
    }
    AssociationCluster.Event event = w.event();
    if (cluster.member().apply(event)) {
      cluster.applied(w);
    } else {
      cluster.rejected("event " + event.kind() + " of node '" + w.origin() + "' names policy '"
          + event.policy() + "', which this node does not have; peer " + event.peer()
          + " stays bound as it was");
    }
    cluster.acknowledge(w);
  }

  /** Checks the origin's sequence; returns whether the entry is new. */
  private boolean sequence(EventCodec.Wire w) {
    Origin known = origins.get(w.origin());
    if (known != null && known.incarnation().equals(w.incarnation())) {
      if (w.seq() <= known.seq()) {
        // Sent twice (a publisher retries what a broken connection may have delivered) or replayed.
        LOG.log(Level.DEBUG, () -> "Tether cluster: duplicate entry " + w.seq() + " of "
            + w.origin());
        return false;
      }
      if (w.seq() > known.seq() + 1) {
        cluster.resync((w.seq() - known.seq() - 1) + " event(s) of node '" + w.origin()
            + "' never reached this node");
      }
      origins.put(w.origin(), new Origin(w.incarnation(), w.seq(), known.firstMicros()));
      return true;
    }
    if (known != null) {
      if (w.micros() < known.firstMicros()) {
        cluster.rejected("entry of an earlier process of node '" + w.origin()
            + "' after its current one (replayed?)");
        return false;
      }
      if (w.seq() != 1) {
        cluster.resync("node '" + w.origin() + "' restarted and its first " + (w.seq() - 1)
            + " event(s) never reached this node");
      }
    }
    origins.put(w.origin(), new Origin(w.incarnation(), w.seq(), w.micros()));
    return true;
  }

  private static String describe(Map<String, String> body) {
    Map<String, String> shown = new HashMap<>(body);
    shown.remove("m");
    String text = shown.toString();
    return text.length() > 200 ? text.substring(0, 200) + "..." : text;
  }

  /** Compares stream ids "ms-seq". */
  static int compareIds(String a, String b) {
    long[] x = parseId(a);
    long[] y = parseId(b);
    int c = Long.compareUnsigned(x[0], y[0]);
    return c != 0 ? c : Long.compareUnsigned(x[1], y[1]);
  }

  private static long[] parseId(String id) {
    int dash = id.indexOf('-');
    if (dash < 0) {
      return new long[] {Long.parseUnsignedLong(id), 0};
    }
    return new long[] {Long.parseUnsignedLong(id.substring(0, dash)),
        Long.parseUnsignedLong(id.substring(dash + 1))};
  }
}
