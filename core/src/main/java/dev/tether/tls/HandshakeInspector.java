package dev.tether.tls;

import dev.tether.AssociationRefusedException;
import java.security.AlgorithmConstraints;
import java.security.AlgorithmParameters;
import java.security.CryptoPrimitive;
import java.security.Key;
import java.util.Set;
import java.util.function.Consumer;
import javax.net.ssl.SSLEngine;
import javax.net.ssl.SSLSession;

/**
 * Sees a JDK engine's handshake session while the handshake runs, through the one per-engine callback
 * JSSE calls after the session exists: the algorithm constraints, which the engine consults for each
 * key share, signature scheme and certificate it considers (in full handshakes and TLS 1.3
 * resumptions; a TLS 1.2 resumption asks nothing once it has picked its session, and its SA is found
 * when the handshake completes). A call that finds a handshake session (the engine is asked at every
 * eighth call) hands it to {@link TlsConnection#inspect}, so that a new lineage is
 * tagged before the server's last flight (before any session ticket is issued) and a resumption of
 * a deleted SA is refused; a later call, once the server's certificate is chosen, hands the session
 * to the container's decorator, which may leave values of its own in it for the same reason.
 *
 * <p>It never changes what the engine permits: every question goes to the constraints the engine
 * had before, or is answered yes. The JDK checks its own defaults around whatever constraints an
 * engine holds: when the engine held only those defaults (the JDK's {@code SSLAlgorithmConstraints},
 * as every engine does unless its owner set constraints), passing the question on would check them
 * a second time, which costs as much as the rest of a resumption's algorithm checks; the answer is
 * then yes.
 *
 * <p>Concurrency: an engine runs its handshake on one thread at a time (its own lock); the state is
 * read and written only under it.
 */
final class HandshakeInspector implements AlgorithmConstraints {
  private static final int WAITING = 0;
  private static final int DECORATING = 1;
  private static final int DONE = 2;
  /** The engine is asked for its handshake session when the question count has these bits clear. */
  private static final int ASK_EVERY_MASK = 7;

  private final SSLEngine engine;
  private final AlgorithmConstraints previous;
  private final TlsConnection connection;
  private final Consumer<SSLSession> decorator;
  private int state = WAITING;
  private int questions;
  /** The handshake session, once found. */
  private SSLSession session;

  HandshakeInspector(SSLEngine engine, AlgorithmConstraints previous, TlsConnection connection,
      Consumer<SSLSession> decorator) {
    this.engine = engine;
    this.previous = isJdkDefault(previous) ? null : previous;
    this.connection = connection;
    this.decorator = decorator;
  }

  /**
   * Whether {@code constraints} are the JDK's own defaults, which it applies around any constraints
   * an engine holds (its {@code SSLAlgorithmConstraints}: the user cannot make one).
   */
  static boolean isJdkDefault(AlgorithmConstraints constraints) {
    return constraints != null
        && constraints.getClass().getName().equals("sun.security.ssl.SSLAlgorithmConstraints");
  }

  /** Whether questions go on to constraints the engine's owner set. */
  boolean passesOn() {
    return previous != null;
  }

  /** Whether the engine is the JDK's, whose handshake this callback is known to reach. */
  static boolean supports(SSLEngine engine) {
    return engine.getClass().getName().startsWith("sun.security.ssl.");
  }

  @Override
  public boolean permits(Set<CryptoPrimitive> primitives, String algorithm,
      AlgorithmParameters parameters) {
    look();
    return previous == null || previous.permits(primitives, algorithm, parameters);
  }

  @Override
  public boolean permits(Set<CryptoPrimitive> primitives, Key key) {
    look();
    return previous == null || previous.permits(primitives, key);
  }

  @Override
  public boolean permits(Set<CryptoPrimitive> primitives, String algorithm, Key key,
      AlgorithmParameters parameters) {
    look();
    return previous == null || previous.permits(primitives, algorithm, key, parameters);
  }

  private void look() {
    if (state == DONE) {
      return;
    }
    if (state == WAITING) {
      // The engine asks 180 to 350 questions per handshake (JDK 17, default suites: 180-240
      // before its handshake session exists, 110-140 after it; a TLS 1.2 resumption asks none
      // after), and asking it for its session takes its lock: about 30 ns, several microseconds a
      // handshake. Asking at every eighth question finds the session at most seven questions late,
      // long before the handshake ends.
      if ((questions++ & ASK_EVERY_MASK) != 0) {
        return;
      }
      SSLSession found = engine.getHandshakeSession();
      if (found == null) {
        return;
      }
      session = found;
      boolean fresh;
      try {
        fresh = connection.inspect(session);
      } catch (AssociationRefusedException e) {
        state = DONE;
        // The engine turns this into a fatal alert: the handshake fails before it completes.
        throw new RefusedHandshake(e);
      }
      state = fresh && decorator != null ? DECORATING : DONE;
    }
    if (state == DECORATING && session.getLocalCertificates() != null) {
      state = DONE;
      decorator.accept(session);
    }
  }

  /** Carries a refusal through the TLS engine, which fails the handshake with it. */
  static final class RefusedHandshake extends RuntimeException {
    private static final long serialVersionUID = 1L;

    RefusedHandshake(AssociationRefusedException cause) {
      super(cause.getMessage(), cause, false, false);
    }
  }
}
