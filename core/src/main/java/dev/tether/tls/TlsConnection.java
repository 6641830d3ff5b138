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
 *   <li>When a flush deletes the SA while the connection is open, or a login leaves the connection on
 *       an SA its user's policy refuses ({@link #endAfterRequests()}), the connection ends: at once
 *       through its {@link Control} if no request is in progress, otherwise {@link #requestEnded()}
 *       tells the container to end it once the response is out. {@link #requestStarted()} says
 *       whether a request may be served at all. An HTTP/2 connection carries several requests at
 *       once: each is counted, and the connection ends after the last of them (GOAWAY).
 *   <li>The connection's login state ({@link #login()}) is shared by its requests; a request changes
 *       it only from the state it saw ({@link #login(ConnectionLogin, ConnectionLogin)}), so that two
 *       requests in flight at once cannot undo each other's change.
 * </ul>
 *
 * <p>Thread-safe: the state is one {@link AtomicReference} changed only by compare-and-set, the
 * requests in progress are counted in one {@link AtomicInteger} together with the end mark, and the
 * login state is an {@link AtomicReference} changed by compare-and-set.
 */
public final class TlsConnection {
  private static final Object OPEN = new Object();
  private static final Object FAILED = new Object();
  private static final Object CLOSED = new Object();
  /**
   * Set in {@link #requests} once the connection must end (its SA was deleted, or it carries a user
   * its SA's policy refuses); the low bits count requests in progress.
   */
  private static final int ENDING = 1 << 30;

  /** How the container ends a connection whose SA was deleted. */
  @FunctionalInterface
  public interface Control {
    /**
     * Ends the connection now; Tether calls it when no request is in progress on the connection. An
     * HTTP/2 connection should end the HTTP/2 way (GOAWAY). Called on the thread of the flush; must
     * not block.
     */
    void close();

    /**
     * Announces that the connection will end once its requests in progress are complete; Tether
     * calls it, once, instead of {@link #close()} when several requests are in progress (see
     * {@link TlsConnection#endAfterRequests()}). An HTTP/2
     * connection sends its graceful GOAWAY now, so that the client opens no more streams on it; an
     * HTTP/1.1 connection does nothing (its response ends it). Must not block. Default: nothing.
     */
    default void ending() {
    }

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
  private final AtomicReference<ConnectionLogin> login =
      new AtomicReference<>(ConnectionLogin.UNSEEN);

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
   * Reports that a request starts on the connection. Returns false if the connection is ending (its
   * SA was deleted, or {@link #endAfterRequests()}): the request must not be served on it (answer
   * {@code 421 Misdirected Request}; {@link #requestEnded()} must still follow, and ends the
   * connection).
   */
  public boolean requestStarted() {
    return (requests.incrementAndGet() & ENDING) == 0;
  }

  /**
   * Reports that a request's response is complete (or the request ended otherwise). Returns true if
   * the connection is ending: the container ends it now that this response is out (HTTP/1.1: close
   * it; HTTP/2: GOAWAY, letting the streams still in progress finish). Over HTTP/2 every request
   * that ends after the mark returns true; ending a connection twice must be harmless.
   */
  public boolean requestEnded() {
    return (requests.decrementAndGet() & ENDING) != 0;
  }

  /**
   * Ends the connection once its requests in progress are complete, although its SA lives on: a
   * login left the connection on an SA its user's policy refuses. Requests that start from now on
   * are refused ({@link #requestStarted()}). With no request in progress the connection ends at once
   * through its {@link Control}. With several (HTTP/2 streams), the control hears that it is
   * {@link Control#ending()}, so that the client opens no more streams on it. With one, nothing is
   * said before its response is out ({@link #requestEnded()} then says to end the connection):
   * HTTP/2 clients that abort every stream in progress when a GOAWAY arrives, as the JDK's
   * {@code HttpClient} did before 17.0.17 and 21.0.6 (JDK-8335181), would lose that response, the
   * login's own.
   */
  public void endAfterRequests() {
    int before = requests.getAndUpdate(n -> n | ENDING);
    if ((before & ENDING) != 0 || isClosed()) {
      return;
    }
    if (before == 0) {
      control.close();
    } else if (before > 1) {
      control.ending();
    }
  }

  /** Returns whether the connection is ending: its SA was deleted, or {@link #endAfterRequests()}. */
  public boolean isEnding() {
    return (requests.get() & ENDING) != 0;
  }

  /** Returns the number of requests in progress on the connection. */
  public int requestsInProgress() {
    return requests.get() & ~ENDING;
  }

  private void associationDeleted() {
    endAfterRequests();
  }

  /** Returns who the connection's requests were last made by (see {@code dev.tether.servlet}). */
  public ConnectionLogin login() {
    return login.get();
  }

  /**
   * Notes who the connection's requests are made by now, if they were still made by
   * {@code expected}: a request decides from the state it read, and another request of the
   * connection (HTTP/2) may have changed it meanwhile.
   *
   * @return whether the state changed; if not, read it again and decide again
   */
  public boolean login(ConnectionLogin expected, ConnectionLogin next) {
    return login.compareAndSet(requireNonNull(expected, "expected"), requireNonNull(next, "next"));
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
