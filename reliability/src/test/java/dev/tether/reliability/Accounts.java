package dev.tether.reliability;

import static org.assertj.core.api.Assertions.assertThat;

import dev.tether.AssociationListener;
import dev.tether.AssociationRegistry;
import dev.tether.AssociationStats;
import dev.tether.DeletionCause;
import dev.tether.RefusalReason;
import dev.tether.SecurityAssociation;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.atomic.LongAdder;

/**
 * A listener that keeps its own books of a registry's events, to check them against the registry's
 * counters, and samples the table size after every new SA to find its peak. It also notes any event
 * whose view is impossible (a negative reference count).
 *
 * <p>Thread-safe; called on whatever thread the registry fires on.
 */
final class Accounts implements AssociationListener {
  final LongAdder negotiated = new LongAdder();
  final LongAdder reused = new LongAdder();
  final LongAdder released = new LongAdder();
  final LongAdder deleted = new LongAdder();
  final LongAdder refused = new LongAdder();
  private final AtomicLong peak = new AtomicLong();
  private final List<String> anomalies = new CopyOnWriteArrayList<>();
  private volatile AssociationRegistry registry;

  /** Starts sampling the table size of {@code registry} (the container's current one). */
  Accounts attach(AssociationRegistry registry) {
    this.registry = registry;
    return this;
  }

  @Override
  public void onNegotiated(SecurityAssociation sa) {
    negotiated.increment();
    check(sa);
    AssociationRegistry r = registry;
    if (r != null) {
      peak.accumulateAndGet(r.stats().associations(), Math::max);
    }
  }

  @Override
  public void onReused(SecurityAssociation sa) {
    reused.increment();
    check(sa);
  }

  @Override
  public void onReleased(SecurityAssociation sa) {
    released.increment();
    check(sa);
  }

  @Override
  public void onDeleted(SecurityAssociation sa, DeletionCause cause) {
    deleted.increment();
    check(sa);
  }

  @Override
  public void onRefused(String peer, RefusalReason reason) {
    refused.increment();
  }

  private void check(SecurityAssociation sa) {
    if (sa.references() < 0 && anomalies.size() < 20) {
      anomalies.add("negative references: " + sa);
    }
  }

  /** Returns the largest table size seen right after a new SA. */
  long peak() {
    return peak.get();
  }

  /**
   * Asserts that a quiet registry balances: no lease, no SA; every lease granted was released,
   * every SA negotiated was deleted, every accepted connection ended exactly one way; and the
   * listener saw each event the counters counted.
   */
  void assertBalanced(AssociationStats s) {
    assertThat(anomalies).as("impossible views in events").isEmpty();
    assertBalancedCounters(s);
    assertThat(negotiated.sum()).as("negotiated events").isEqualTo(s.negotiated());
    assertThat(reused.sum()).as("reused events").isEqualTo(s.reused());
    assertThat(released.sum()).as("released events").isEqualTo(s.released());
    assertThat(deleted.sum()).as("deleted events").isEqualTo(s.deleted());
    assertThat(refused.sum()).as("refused events").isEqualTo(s.refused());
  }

  /** The counter identities alone, for a registry this listener did not watch. */
  static void assertBalancedCounters(AssociationStats s) {
    assertThat(s.leases()).as("open leases in %s", s).isZero();
    assertThat(s.active()).as("active SAs in %s", s).isZero();
    assertThat(s.idle()).as("idle SAs in %s", s).isZero();
    assertThat(s.released()).as("released = negotiated + reused in %s", s)
        .isEqualTo(s.handshakes());
    assertThat(s.deleted()).as("deleted = negotiated in %s", s).isEqualTo(s.negotiated());
    assertThat(s.accepted()).as("accepted = handshakes + failures + closed early + refused in %s", s)
        .isEqualTo(s.handshakes() + s.handshakeFailures() + s.closedBeforeHandshake() + s.refused());
    assertThat(s.deletedByCause().values().stream().mapToLong(Long::longValue).sum())
        .as("deleted by cause").isEqualTo(s.deleted());
    assertThat(s.refusedByReason().values().stream().mapToLong(Long::longValue).sum())
        .as("refused by reason").isEqualTo(s.refused());
  }
}
