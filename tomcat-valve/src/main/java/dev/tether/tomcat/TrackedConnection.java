package dev.tether.tomcat;

import dev.tether.AssociationRegistry;
import dev.tether.Lease;
import dev.tether.tls.TlsConnection;
import org.apache.tomcat.util.net.SocketEvent;
import org.apache.tomcat.util.net.SocketWrapperBase;

/**
 * One accepted TLS socket of a {@link TomcatTetherProtocol} connector: its {@link TlsConnection}
 * (accept, handshake, requests, close; and, through it, the connection's login state), whether its
 * handshake failed at the TLS level, and, once it negotiated {@code h2}, its HTTP/2 processor.
 *
 * <p>Created when the endpoint hands a pooled channel a new socket and dropped when the channel is
 * reset, so a pooled channel never carries one connection's state into the next. Requests reach it
 * through the connection's {@link TetherSslSupport}, whatever thread they run on.
 *
 * <p>Ending the connection (its SA was deleted, or it carries a user its SA's policy refuses): an
 * HTTP/2 connection gets a GOAWAY and closes once its streams are done
 * ({@link TetherHttp2Processor}); an idle HTTP/1.1 connection is closed at once, a busy one after
 * its response ({@link TomcatTetherValve}).
 *
 * <p>Concurrency: the TLS events arrive on Tomcat's poller and worker threads and are made safe by
 * {@link TlsConnection}; the other fields are volatile.
 */
final class TrackedConnection implements TlsConnection.Control {
  private final TlsConnection tls;
  private final SocketWrapperBase<?> wrapper;
  private volatile boolean tlsFailure;
  private volatile TetherHttp2Processor http2;
  /** Set when a stream's response must be followed by the connection's GOAWAY. */
  private volatile boolean endAfterStream;

  TrackedConnection(AssociationRegistry registry, String peer, SocketWrapperBase<?> wrapper) {
    this.wrapper = wrapper;
    this.tls = TlsConnection.accepted(registry, peer, this);
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

  /** The connection negotiated {@code h2}: from now on it ends the HTTP/2 way. */
  void upgraded(TetherHttp2Processor processor) {
    http2 = processor;
    if (tls.isEnding()) {
      // Its SA went while the connection was being upgraded.
      processor.endGracefully();
    }
  }

  /** Returns whether the connection speaks HTTP/2. */
  boolean isHttp2() {
    return http2 != null;
  }

  /**
   * Ends an HTTP/2 connection with a GOAWAY, letting its streams finish; returns false, doing nothing,
   * for an HTTP/1.1 connection, which its response closes.
   */
  boolean endHttp2() {
    TetherHttp2Processor p = http2;
    if (p == null) {
      return false;
    }
    p.endGracefully();
    return true;
  }

  /**
   * Ends an HTTP/2 connection with a GOAWAY once the current stream's response is written out
   * ({@link #streamServed}), letting its other streams finish; returns false, doing nothing, for an
   * HTTP/1.1 connection, which its response closes. Sent from the valve, a GOAWAY would precede the
   * response's last frames, which Tomcat writes after the valves return: a client that aborts its
   * streams on any GOAWAY (the JDK's before 17.0.17, JDK-8335181) would lose that response.
   */
  boolean endHttp2AfterStream() {
    if (http2 == null) {
      return false;
    }
    endAfterStream = true;
    return true;
  }

  /**
   * A stream of this HTTP/2 connection was served, its response written out (Tomcat's adapter
   * returned): sends the GOAWAY a request asked for ({@link #endHttp2AfterStream}).
   */
  void streamServed() {
    if (endAfterStream) {
      endAfterStream = false;
      endHttp2();
    }
  }

  /**
   * Ends the connection while no request is in progress on it (a flush deleted its SA): HTTP/2 with a
   * GOAWAY; HTTP/1.1 the way Tomcat ends a socket itself, a DISCONNECT event processed under the
   * socket's lock, which closes a socket without a processor (an idle keep-alive connection) and
   * releases it through the handler.
   */
  @Override
  public void close() {
    if (!endHttp2()) {
      wrapper.processSocket(SocketEvent.DISCONNECT, true);
    }
  }

  /** Requests are in progress: HTTP/2 sends its GOAWAY now; HTTP/1.1 ends after the response. */
  @Override
  public void ending() {
    endHttp2();
  }

  @Override
  public String toString() {
    return tls.toString();
  }
}
