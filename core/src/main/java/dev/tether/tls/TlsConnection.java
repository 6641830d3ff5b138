package dev.tether.tls;

import static java.util.Objects.requireNonNull;

import dev.tether.AssociationRefusedException;
import dev.tether.AssociationRegistry;
import dev.tether.Lease;
import dev.tether.SaPolicy;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicReference;
import java.util.function.Consumer;
import javax.net.ssl.SSLEngine;
import javax.net.ssl.SSLParameters;
import javax.net.ssl.SSLSession;

/**
 * One accepted TLS connection as the network interceptor sees it: opened (S1), handshake done and
 * correlated with its SA (S2), its requests, closed (S4). Container adapters create one per accepted
 * socket and report the events; this class makes the bookkeeping exact whatever order they arrive in.
 *
 * <ul>
 *   <li>{@link #prepare} sets the connection's policy on its TLS engine and, on the JDK's engines,
 *       follows the handshake while it runs, so that a new SA is tagged before any session ticket
 *       leaves and a resumption of a deleted SA is refused before it completes.
 *   <li>{@link #closed()} releases the lease exactly once, however often and from whichever thread it
 *       is called; a connection closed before its handshake completed is counted as such.
 *   <li>A handshake that completes after the close (a race in the container) releases its lease at once.
 *   <li>A second successful handshake on the same connection (renegotiation) keeps the first lease.
 *   <li>When a flush deletes the SA while the connection is open, the connection ends: at once through
 *       its {@link Control} if no request is in progress, otherwise {@link #requestEnded()} tells the
 *       container to close it after the response. {@link #requestStarted()} says whether a request may
 *       be served at all.
 * </ul>
 *
 * <p>Thread-safe: the state is one {@link AtomicReference} changed only by compare-and-set, and the
 * requests in progress are counted in one {@link AtomicInteger} together with the deletion mark.
 */
public final class TlsConnection {
  private static final Object OPEN = new Object();
  private static final Object FAILED = new Object();
  private static final Object CLOSED = new Object();
  /** Set in {@link #requests} once the SA is deleted; the low bits count requests in progress. */
  private static final int DELETED = 1 << 30;

  /** How the container ends a connection whose SA was deleted. */
  @FunctionalInterface
  public interface Control {
    /**
     * Ends the connection now; Tether calls it when no request is in progress on the connection. An
     * HTTP/2 connection should end the HTTP/2 way (GOAWAY). Called on the thread of the flush; must
     * not block.
     */
    void close();

    /** A control that does nothing: the container closes the connection by other means. */
    Control NONE = () -> { };
  }

  private final AssociationRegistry registry;
  private final String peer;
  private final SaPolicy policy;
  private final Control control;
  /** {@link #OPEN}, {@link #FAILED}, {@link #CLOSED} or the connection's {@link Lease}. */
  private final AtomicReference<Object> state = new AtomicReference<>(OPEN);
  private final AtomicInteger requests = new AtomicInteger();
  private volatile ConnectionLogin login = ConnectionLogin.UNSEEN;

  private TlsConnection(AssociationRegistry registry, String peer, SaPolicy policy,
      Control control) {
    this.registry = registry;
    this.peer = peer;
    this.policy = policy;
    this.control = control;
  }

  /**
   * Reports an accepted connection (S1) from {@code peer}; the policy its SA would be negotiated
   * under is fixed now, when the container creates the connection's TLS engine.
   */
  public static TlsConnection accepted(AssociationRegistry registry, String peer) {
    return accepted(registry, peer, Control.NONE);
  }

  /**
   * Reports an accepted connection (S1) from {@code peer}, which {@code control} ends when a flush
   * deletes its SA.
   */
  public static TlsConnection accepted(AssociationRegistry registry, String peer, Control control) {
    requireNonNull(registry, "registry");
    requireNonNull(peer, "peer");
    requireNonNull(control, "control");
    registry.recordAccepted();
    return new TlsConnection(registry, peer, registry.policyFor(peer), control);
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
   * Prepares the connection's server engine before its handshake starts: narrows it to the policy
   * ({@link Negotiation}) and, on the JDK's engines, follows the handshake (see
   * {@link AssociationRegistry#inspectHandshake}). {@code decorator}, if not null, is given the
   * handshake session of a new SA once the server's certificate is chosen, before the handshake
   * completes: a container that keeps values of its own in the TLS session puts them there, since a
   * value put after a TLS 1.3 handshake makes the JDK issue a late session ticket.
   */
  public void prepare(SSLEngine engine, Consumer<SSLSession> decorator) {
    boolean inspect = HandshakeInspector.supports(engine);
    if (!inspect && !Negotiation.narrows(policy)) {
      return;
    }
    SSLParameters params = engine.getSSLParameters();
    Negotiation.narrow(params, policy);
    if (inspect) {
      params.setAlgorithmConstraints(new HandshakeInspector(engine,
          params.getAlgorithmConstraints(), this, decorator));
    }
    engine.setSSLParameters(params);
  }

  /**
   * From {@link HandshakeInspector}: returns whether the session starts a new lineage. A refusal
   * fails the handshake; it is counted as a refusal, not as a failed handshake too.
   */
  boolean inspect(SSLSession handshakeSession) throws AssociationRefusedException {
    try {
      return registry.inspectHandshake(handshakeSession, peer);
    } catch (AssociationRefusedException e) {
      state.compareAndSet(OPEN, FAILED);
      throw e;
    }
  }

  /**
   * Reports a completed handshake (S2): the connection gets its lease, reusing or creating an SA.
   *
   * @return the connection's lease, or {@code null} if the connection was closed meanwhile
   * @throws AssociationRefusedException if the registry refused an SA; the container should fail
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
      lease.onDeleted(this::associationDeleted);
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

  /**
   * Reports that a request starts on the connection. Returns false if the connection's SA was
   * deleted: the request must not be served on it (answer {@code 421 Misdirected Request} and end
   * the connection; {@link #requestEnded()} must still follow).
   */
  public boolean requestStarted() {
    return (requests.incrementAndGet() & DELETED) == 0;
  }

  /**
   * Reports that a request's response is complete (or the request ended otherwise). Returns true if
   * the connection's SA was deleted meanwhile: the container ends the connection now that the
   * response is out (HTTP/1.1: close it; HTTP/2: GOAWAY, letting other streams finish).
   */
  public boolean requestEnded() {
    return (requests.decrementAndGet() & DELETED) != 0;
  }

  /** Returns whether a flush deleted the connection's SA while the connection was open. */
  public boolean isAssociationDeleted() {
    return (requests.get() & DELETED) != 0;
  }

  private void associationDeleted() {
    int before = requests.getAndUpdate(n -> n | DELETED);
    if (before == 0 && !isClosed()) {
      control.close();
    }
  }

  /** Returns who the connection's requests were last made by (see {@code dev.tether.servlet}). */
  public ConnectionLogin login() {
    return login;
  }

  /** Notes who the connection's requests are made by now. */
  public void login(ConnectionLogin login) {
    this.login = requireNonNull(login, "login");
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
