package dev.tether.tomcat;

import dev.tether.Lease;
import dev.tether.tls.TlsConnection;

/**
 * One accepted TLS socket of a {@link TomcatTetherProtocol} connector: its {@link TlsConnection}
 * (accept, handshake, requests, close; and, through it, the connection's login state), plus whether
 * its handshake failed at the TLS level.
 *
 * <p>Created when the endpoint hands a pooled channel a new socket and dropped when the channel is
 * reset, so a pooled channel never carries one connection's state into the next.
 *
 * <p>Concurrency: the TLS events arrive on Tomcat's poller and worker threads and are made safe by
 * {@link TlsConnection}; the failure flag is volatile.
 */
final class TrackedConnection {
  private final TlsConnection tls;
  private volatile boolean tlsFailure;

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

  @Override
  public String toString() {
    return tls.toString();
  }
}
