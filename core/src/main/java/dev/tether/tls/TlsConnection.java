package dev.tether.tls;

import static java.util.Objects.requireNonNull;

import dev.tether.AssociationRefusedException;
import dev.tether.AssociationRegistry;
import dev.tether.Lease;
import dev.tether.SaPolicy;
import java.util.concurrent.atomic.AtomicReference;
import javax.net.ssl.SSLSession;

/**
 * One accepted TLS connection as the network interceptor sees it: opened (S1), handshake done and
 * correlated with its SA (S2), closed (S4). Container adapters create one per accepted socket and
 * report the three events; this class makes the bookkeeping exact whatever order they arrive in.
 *
 * <ul>
 *   <li>{@link #closed()} releases the lease exactly once, however often and from whichever thread it
 *       is called; a connection closed before its handshake completed is counted as such.
 *   <li>A handshake that completes after the close (a race in the container) releases its lease at once.
 *   <li>A second successful handshake on the same connection (renegotiation) keeps the first lease.
 * </ul>
 *
 * <p>Thread-safe: the state is one {@link AtomicReference} changed only by compare-and-set.
 */
public final class TlsConnection {
  private static final Object OPEN = new Object();
  private static final Object FAILED = new Object();
  private static final Object CLOSED = new Object();

  private final AssociationRegistry registry;
  private final String peer;
  private final SaPolicy policy;
  /** {@link #OPEN}, {@link #FAILED}, {@link #CLOSED} or the connection's {@link Lease}. */
  private final AtomicReference<Object> state = new AtomicReference<>(OPEN);

  private TlsConnection(AssociationRegistry registry, String peer, SaPolicy policy) {
    this.registry = registry;
    this.peer = peer;
    this.policy = policy;
  }

  /**
   * Reports an accepted connection (S1) from {@code peer}; the policy its SA would be negotiated
   * under is fixed now, when the container creates the connection's TLS engine.
   */
  public static TlsConnection accepted(AssociationRegistry registry, String peer) {
    requireNonNull(registry, "registry");
    requireNonNull(peer, "peer");
    registry.recordAccepted();
    return new TlsConnection(registry, peer, registry.policyFor(peer));
  }

  /** Returns the peer's address. */
  public String peer() {
    return peer;
  }

  /** Returns the policy a new SA for this connection is negotiated under. */
  public SaPolicy policy() {
    return policy;
  }

  /**
   * Reports a completed handshake (S2): the connection gets its lease, reusing or creating an SA.
   *
   * @return the connection's lease, or {@code null} if the connection was closed meanwhile
   * @throws AssociationRefusedException if the registry refused a new SA; the container should fail
   *     the handshake or close the connection
   */
  public Lease handshakeSucceeded(SSLSession session) throws AssociationRefusedException {
    Object current = state.get();
    if (current instanceof Lease held) {
      return held;
    }
    if (current != OPEN) {
      return null;
    }
    Lease lease;
    try {
      lease = registry.acquire(session, peer, policy);
    } catch (AssociationRefusedException e) {
      state.compareAndSet(OPEN, FAILED);
      throw e;
    }
    if (state.compareAndSet(OPEN, lease)) {
      return lease;
    }
    // Closed (or a concurrent handshake won) while we acquired: give this lease back.
    lease.release();
    Object now = state.get();
    return now instanceof Lease held ? held : null;
  }

  /** Reports a failed handshake; the connection holds no SA. */
  public void handshakeFailed() {
    if (state.compareAndSet(OPEN, FAILED)) {
      registry.recordHandshakeFailure();
    }
  }

  /** Reports the close (S4); only the first call has an effect. */
  public void closed() {
    Object previous = state.getAndSet(CLOSED);
    if (previous instanceof Lease lease) {
      lease.release();
    } else if (previous == OPEN) {
      registry.recordClosedBeforeHandshake();
    }
  }

  /** Returns the connection's lease, or {@code null} before the handshake or after the close. */
  public Lease lease() {
    return state.get() instanceof Lease lease ? lease : null;
  }

  /** Returns whether {@link #closed()} was called. */
  public boolean isClosed() {
    return state.get() == CLOSED;
  }

  @Override
  public String toString() {
    Object s = state.get();
    String what = s == OPEN ? "open" : s == FAILED ? "failed" : s == CLOSED ? "closed" : s.toString();
    return "TlsConnection[" + peer + ", " + what + "]";
  }
}
