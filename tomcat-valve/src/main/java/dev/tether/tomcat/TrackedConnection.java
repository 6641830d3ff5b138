package dev.tether.tomcat;

import dev.tether.Lease;
import dev.tether.tls.TlsConnection;
import java.security.Principal;

/**
 * One accepted TLS socket of a {@link TomcatTetherProtocol} connector: its {@link TlsConnection}
 * (accept, handshake, close) plus what the valve learnt about the users on it.
 *
 * <p>Created when the endpoint hands a pooled channel a new socket and dropped when the channel is
 * reset, so a pooled channel never carries one connection's state into the next.
 *
 * <p>Concurrency: the TLS events arrive on Tomcat's poller and worker threads and are made safe by
 * {@link TlsConnection}. The principal is read and written by request threads; HTTP/1.1 serves one
 * request at a time per connection, and the field is volatile for the hand-over between threads.
 */
final class TrackedConnection {
  /** The principal state of a connection that has not served a request yet. */
  static final String UNSEEN = new String("<unseen>");
  /** The principal state of a connection that served an anonymous request. */
  static final String ANONYMOUS = new String("<anonymous>");

  private final TlsConnection tls;
  private volatile boolean tlsFailure;
  private volatile String principal = UNSEEN;
  private volatile Principal user;

  TrackedConnection(TlsConnection tls) {
    this.tls = tls;
  }

  TlsConnection tls() {
    return tls;
  }

  /** Returns the connection's lease, or {@code null} before the handshake or after the close. */
  Lease lease() {
    return tls.lease();
  }

  /** Notes that the handshake failed at the TLS level (alert, plaintext), not by a plain close. */
  void markTlsFailure() {
    tlsFailure = true;
  }

  /** Reports Tomcat's CONNECT_FAIL: a TLS failure counts as a failed handshake, else the close counts. */
  void connectFailed() {
    if (tlsFailure) {
      tls.handshakeFailed();
    }
  }

  /** Returns {@link #UNSEEN}, {@link #ANONYMOUS} or the name of the last user seen on the connection. */
  String principal() {
    return principal;
  }

  /** Returns the last user seen on the connection, or {@code null} if {@link #principal()} is no name. */
  Principal user() {
    return user;
  }

  /** Notes the user of the connection's latest request. */
  void user(Principal user) {
    this.user = user;
    this.principal = user.getName();
  }

  /** Notes that the connection served an anonymous request, or that its user logged out. */
  void anonymous() {
    this.user = null;
    this.principal = ANONYMOUS;
  }

  @Override
  public String toString() {
    return tls.toString();
  }
}
