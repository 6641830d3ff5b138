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
 * <p>The active and idle gauges share one word (active in the high half, idle in the low), so that an
 * SA moving between them is one atomic step and a snapshot never counts it twice or not at all:
 * {@code active + idle} read from two words could exceed the registry's bound for an instant.
 */
final class Counters {
  private static final long ACTIVE = 1L << 32;
  private static final long IDLE = 1L;
  private static final long HALF = 0xffff_ffffL;

  private final AtomicLong associations = new AtomicLong();
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
    associations.addAndGet(ACTIVE);
  }

  /** An idle SA resumed. */
  void revivedToActive() {
    associations.addAndGet(ACTIVE - IDLE);
  }

  /** An SA's last connection closed; it waits out its grace. */
  void wentIdle() {
    associations.addAndGet(IDLE - ACTIVE);
  }

  /** An SA deleted, active or idle. */
  void removed(boolean wasActive) {
    associations.addAndGet(wasActive ? -ACTIVE : -IDLE);
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
    long both = associations.get();
    return new AssociationStats(both >>> 32, both & HALF, leases.get(), accepted.sum(),
        negotiated.sum(), reused.sum(), revived.sum(), released.sum(), deletedTotal, flushed.sum(), refusedTotal,
        handshakeFailures.sum(), closedBeforeHandshake.sum(), staleResumptions.sum(),
        endedConnections.sum(), byCause, byReason);
  }
}
