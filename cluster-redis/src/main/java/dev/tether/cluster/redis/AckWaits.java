package dev.tether.cluster.redis;

import dev.tether.AssociationCluster;
import java.lang.System.Logger.Level;
import java.util.Collection;
import java.util.Set;
import java.util.TreeSet;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ConcurrentSkipListMap;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.LongAdder;
import java.util.function.LongSupplier;

/**
 * The origin's side of acknowledgements: each published event waits for the nodes that were live
 * when it was published. A node applies events in the stream's order, so its acknowledgement of
 * event {@code s} acknowledges every earlier event of this node too. A wait that reaches the bound
 * is a miss: counted, and logged with the names of the nodes still missing (at most one WARN line
 * per log interval, the misses in between summed into it).
 *
 * <p>Concurrency: lock-free map of waits keyed by sequence; a wait's missing set is concurrent and
 * its latch counts down once per node.
 */
final class AckWaits {
  private static final System.Logger LOG = System.getLogger(RedisCluster.class.getName());

  private final String node;
  private final LongSupplier nanoTime;
  private final long boundNanos;
  private final long logIntervalNanos;
  private final ConcurrentSkipListMap<Long, Wait> waits = new ConcurrentSkipListMap<>();
  final LongAdder misses = new LongAdder();
  private final Object logLock = new Object();
  private long lastLogNanos;
  private long unlogged;
  private final Set<String> unloggedNodes = new TreeSet<>();

  AckWaits(String node, LongSupplier nanoTime, long boundNanos, long logIntervalNanos) {
    this.node = node;
    this.nanoTime = nanoTime;
    this.boundNanos = boundNanos;
    this.logIntervalNanos = logIntervalNanos;
    this.lastLogNanos = nanoTime.getAsLong() - logIntervalNanos;
  }

  /** Opens the wait of event {@code seq} for the nodes in {@code live}. */
  AssociationCluster.Receipt open(long seq, Collection<String> live, boolean reachable) {
    if (live.isEmpty()) {
      return AssociationCluster.Receipt.DONE;
    }
    Wait wait = new Wait(seq, live, nanoTime.getAsLong() + boundNanos);
    if (!reachable) {
      // The stream is out of reach: waiting would only hold the response for the whole bound.
      return () -> missed(wait);
    }
    waits.put(seq, wait);
    return wait;
  }

  /** Records that {@code from} applied every event up to {@code seq}. */
  void acked(String from, long seq) {
    for (Wait w : waits.headMap(seq, true).values()) {
      if (w.missing.remove(from)) {
        w.latch.countDown();
      }
      if (w.missing.isEmpty()) {
        waits.remove(w.seq, w);
      }
    }
  }

  /** Forgets waits past their bound that nobody awaits (e.g. a binding followed by a flush). */
  void sweep() {
    long now = nanoTime.getAsLong();
    waits.values().removeIf(w -> now - w.deadline > boundNanos);
  }

  int pending() {
    return waits.size();
  }

  /**
   * Ends every wait: the node is leaving, so nothing will acknowledge them here any more. Anyone still
   * waiting returns at once; nothing is counted as a miss.
   */
  void releaseAll() {
    for (Wait w : waits.values()) {
      while (w.latch.getCount() > 0) {
        w.latch.countDown();
      }
    }
    waits.clear();
  }

  private void missed(Wait w) {
    waits.remove(w.seq, w);
    Set<String> lagging = new TreeSet<>(w.missing);
    if (lagging.isEmpty()) {
      return;
    }
    misses.increment();
    synchronized (logLock) {
      unlogged++;
      unloggedNodes.addAll(lagging);
      long now = nanoTime.getAsLong();
      if (now - lastLogNanos >= logIntervalNanos) {
        LOG.log(Level.WARNING, "Tether cluster node ''{0}'': {1} event(s) not applied by every "
            + "live node within {2} ms; lagging: {3}. The events still land when those nodes catch "
            + "up.", node, unlogged, boundNanos / 1_000_000, String.join(", ", unloggedNodes));
        lastLogNanos = now;
        unlogged = 0;
        unloggedNodes.clear();
      }
    }
  }

  /** One event's wait. */
  private final class Wait implements AssociationCluster.Receipt {
    final long seq;
    final Set<String> missing = ConcurrentHashMap.newKeySet();
    final CountDownLatch latch;
    final long deadline;

    Wait(long seq, Collection<String> live, long deadline) {
      this.seq = seq;
      this.missing.addAll(live);
      this.latch = new CountDownLatch(live.size());
      this.deadline = deadline;
    }

    @Override
    public void await() {
      boolean done;
      try {
        done = latch.await(Math.max(0, deadline - nanoTime.getAsLong()), TimeUnit.NANOSECONDS);
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
        done = latch.getCount() == 0;
      }
      if (done) {
        waits.remove(seq, this);
      } else {
        missed(this);
      }
    }
  }
}
