package dev.tether;

import java.util.EnumMap;
import java.util.Map;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.atomic.LongAdder;

/**
 * The registry's counters and gauges; see {@link AssociationStats}. Counters are {@link LongAdder}s.
 * Gauges are {@link AtomicLong}s: a {@code LongAdder}'s sum is not a snapshot and can read below
 * zero while increments and decrements land in different cells, and a gauge must never do that.
 *
 * <p>The active and idle gauges: an SA moves between active and idle by a compare-and-set on its own
 * state word ({@link SessionTag}), which no gauge can join. So the gauges are two counts, the SAs in
 * the table and the active ones, and idle is their difference: a snapshot counts every SA once, on
 * one side or the other (an SA moving at that instant may be on either), and never more SAs than the
 * table holds. The active count goes up before an idle SA's revival (and back down if it does not
 * happen) and down after the SA went idle or was deleted, so every decrement follows the increment
 * that counted the SA and the count never reads below zero.
 */
final class Counters {
  private final AtomicLong associations = new AtomicLong();
  private final AtomicLong active = new AtomicLong();
  final AtomicLong leases = new AtomicLong();
  final LongAdder accepted = new LongAdder();
  final LongAdder negotiated = new LongAdder();
  final LongAdder reused = new LongAdder();
  final LongAdder revived = new LongAdder();
  final LongAdder released = new LongAdder();
  final LongAdder flushed = new LongAdder();
  final LongAdder handshakeFailures = new LongAdder();
  final LongAdder closedBeforeHandshake = new LongAdder();
  final LongAdder staleResumptions = new LongAdder();
  final LongAdder endedConnections = new LongAdder();
  private final EnumMap<DeletionCause, LongAdder> deleted = new EnumMap<>(DeletionCause.class);
  private final EnumMap<RefusalReason, LongAdder> refused = new EnumMap<>(RefusalReason.class);

  Counters() {
    for (DeletionCause c : DeletionCause.values()) {
      deleted.put(c, new LongAdder());
    }
    for (RefusalReason r : RefusalReason.values()) {
      refused.put(r, new LongAdder());
    }
  }

  /** A new SA, active. */
  void created() {
    active.incrementAndGet();
    associations.incrementAndGet();
  }

  /** An idle SA about to be resumed: counted active before it is (see the class comment). */
  void activating() {
    active.incrementAndGet();
  }

  /** An SA no longer active: it went idle, or its revival did not happen after all. */
  void deactivated() {
    active.decrementAndGet();
  }

  /** An SA deleted, active or idle. */
  void removed(boolean wasActive) {
    associations.decrementAndGet();
    if (wasActive) {
      active.decrementAndGet();
    }
  }

  void deleted(DeletionCause cause) {
    deleted.get(cause).increment();
    if (cause.isFlush()) {
      flushed.increment();
    }
  }

  void refused(RefusalReason reason) {
    refused.get(reason).increment();
  }

  AssociationStats snapshot() {
    Map<DeletionCause, Long> byCause = new EnumMap<>(DeletionCause.class);
    long deletedTotal = 0;
    for (var e : deleted.entrySet()) {
      long n = e.getValue().sum();
      byCause.put(e.getKey(), n);
      deletedTotal += n;
    }
    Map<RefusalReason, Long> byReason = new EnumMap<>(RefusalReason.class);
    long refusedTotal = 0;
    for (var e : refused.entrySet()) {
      long n = e.getValue().sum();
      byReason.put(e.getKey(), n);
      refusedTotal += n;
    }
    long all = associations.get();
    long activeNow = Math.min(active.get(), all);
    return new AssociationStats(activeNow, all - activeNow, leases.get(), accepted.sum(),
        negotiated.sum(), reused.sum(), revived.sum(), released.sum(), deletedTotal, flushed.sum(), refusedTotal,
        handshakeFailures.sum(), closedBeforeHandshake.sum(), staleResumptions.sum(),
        endedConnections.sum(), byCause, byReason);
  }
}
