package dev.tether;

import java.util.EnumMap;
import java.util.Map;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.atomic.LongAdder;

/**
 * The registry's counters and gauges; see {@link AssociationStats}. Counters are {@link LongAdder}s,
 * which threads on different cores update without sharing a cache line: a connection's resumption
 * and release write no word another connection writes.
 *
 * <p>The SAs in the table are one {@link AtomicLong}, changed only when an SA is created or deleted:
 * a snapshot never counts more SAs than the table holds. The active SAs and the leases are each the
 * difference of two counters that only grow, one counting up and one counting down, where every step
 * down follows (happens after) the step up it undoes: the SAs made active and those made idle or
 * deleted while active, the leases granted and released. A {@code LongAdder}'s sum is no snapshot,
 * but reading the downs first and the ups after never gives more downs than ups: every step down the
 * first read saw makes the step up before it visible to the second. So these gauges never read below
 * zero; they may count a step up that happened between the two reads, and the active count is
 * capped at the SAs in the table.
 *
 * <p>The active and idle gauges: an SA moves between active and idle by a compare-and-set on its own
 * state word ({@link SessionTag}), which no counter can join. So the gauges are the SAs in the table
 * and the active ones, and idle is their difference: a snapshot counts every SA once, on one side or
 * the other (an SA moving at that instant may be on either), and never more SAs than the table
 * holds. An idle SA is counted active before its revival (and back down if it does not happen) and
 * down after it went idle or was deleted.
 */
final class Counters {
  private final AtomicLong associations = new AtomicLong();
  private final LongAdder activated = new LongAdder();
  private final LongAdder deactivated = new LongAdder();
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
    activated.increment();
    associations.incrementAndGet();
  }

  /** An idle SA about to be resumed: counted active before it is (see the class comment). */
  void activating() {
    activated.increment();
  }

  /** An SA no longer active: it went idle, or its revival did not happen after all. */
  void deactivated() {
    deactivated.increment();
  }

  /** An SA deleted, active or idle. */
  void removed(boolean wasActive) {
    associations.decrementAndGet();
    if (wasActive) {
      deactivated.increment();
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
    // The downs before the ups (see the class comment); a step down is counted after its step up.
    long releasedNow = released.sum();
    long deactivatedNow = deactivated.sum();
    long activatedNow = activated.sum();
    long negotiatedNow = negotiated.sum();
    long reusedNow = reused.sum();
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
    long activeNow = Math.min(activatedNow - deactivatedNow, all);
    long leases = negotiatedNow + reusedNow - releasedNow;
    return new AssociationStats(activeNow, all - activeNow, leases, accepted.sum(), negotiatedNow,
        reusedNow, revived.sum(), releasedNow, deletedTotal, flushed.sum(), refusedTotal,
        handshakeFailures.sum(), closedBeforeHandshake.sum(), staleResumptions.sum(),
        endedConnections.sum(), byCause, byReason);
  }
}
