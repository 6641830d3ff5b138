package dev.tether.jetty;

import dev.tether.AssociationRefusedException;
import dev.tether.AssociationRegistry;
import dev.tether.Lease;
import dev.tether.tls.TlsConnection;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.SocketAddress;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.function.Predicate;
import javax.net.ssl.SSLException;
import javax.net.ssl.SSLHandshakeException;
import org.eclipse.jetty.io.Connection;
import org.eclipse.jetty.io.EndPoint;
import org.eclipse.jetty.io.ssl.SslConnection;
import org.eclipse.jetty.io.ssl.SslHandshakeListener;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The network interceptor on a connector: sees every TLS connection open (S1), complete its handshake
 * (S2) and close (S4), and keeps one {@link TlsConnection} per connection in between.
 *
 * <p>Jetty finds it because it is a bean of the connector's {@code SslConnectionFactory}: a connection
 * factory adds its own {@link Connection.Listener}s to every connection it makes. As a bean of the
 * factory, not of the connector, it sees the {@link SslConnection} only, not the connections nested
 * in it (ALPN, HTTP/1.1, HTTP/2), and the connector's own listener lists stay as they were. At the
 * open it gives the connection a listener of its own for the handshake ({@link Tracked}), which
 * knows its connection's state without looking it up and is the connection's {@link
 * TlsConnection.Control} too. An {@code SslConnection} notifies its listeners of the open before its
 * nested connection asks to read, so the engine is still untouched when the policy is applied to it
 * and the handshake listener is in place before the handshake. {@code onClosed} is the one event
 * Jetty guarantees for every connection (failed handshakes, idle timeouts and server stop included).
 *
 * <p>Concurrency: events of one connection may arrive on different threads; the per-connection state
 * is a {@link TlsConnection} (compare-and-set), which its handshake listener holds and requests and
 * the close find through a {@link ConcurrentHashMap}. Nothing here
 * throws into Jetty except the {@link SSLException} that fails a refused handshake.
 */
final class ConnectionTracker implements Connection.Listener {
  private static final Logger LOG = LoggerFactory.getLogger(ConnectionTracker.class);

  private final JettyTether tether;
  private final AssociationRegistry registry;
  private final Map<SslConnection, TlsConnection> connections = new ConcurrentHashMap<>();
  private final RequestAttributes attributes;
  /** Ends an HTTP/2 connection with GOAWAY, or says it is none; never true without Jetty's h2. */
  private static final Predicate<Connection> HTTP2 =
      JettyHttp2.available() ? JettyHttp2::shutdown : c -> false;

  ConnectionTracker(JettyTether tether, AssociationRegistry registry) {
    this.tether = tether;
    this.registry = registry;
    this.attributes = new RequestAttributes(this, registry);
  }

  /** Returns the customizer that puts the connections' SAs on their requests. */
  RequestAttributes attributes() {
    return attributes;
  }

  /** Returns the followed state of a TLS connection, or {@code null} if it is not followed. */
  TlsConnection connection(SslConnection ssl) {
    return connections.get(ssl);
  }

  @Override
  public void onOpened(Connection connection) {
    if (!(connection instanceof SslConnection ssl)) {
      return;
    }
    String peer = peerOf(ssl.getEndPoint());
    Tracked tracked = new Tracked(ssl);
    TlsConnection tls;
    try {
      // The policy fixed here is both the one the engine is narrowed to and the one passed to acquire.
      tls = TlsConnection.accepted(registry, peer, tracked);
      tracked.tls = tls;
      connections.put(ssl, tls);
    } catch (RuntimeException e) {
      LOG.warn("Tether could not track a TLS connection from {}; closing it", peer, e);
      ssl.getEndPoint().close(e);
      return;
    }
    try {
      tether.negotiate(ssl.getSSLEngine(), tls);
    } catch (RuntimeException e) {
      // Serving the connection with the container's parameters would bypass the policy.
      LOG.warn("Tether could not apply policy '{}' to a connection from {}; closing it",
          tls.policy().name(), peer, e);
      ssl.getEndPoint().close(e);
      return;
    }
    ssl.addHandshakeListener(tracked);
    if (LOG.isDebugEnabled()) {
      LOG.debug("Tether opened {} (policy '{}') on {}", tls, tls.policy().name(), ssl);
    }
  }

  /**
   * One TLS connection's handshake listener (S2, or a failed handshake) and its control (ends it when
   * its SA is deleted). Its state is set at the open, before the handshake starts.
   */
  private static final class Tracked implements SslHandshakeListener, TlsConnection.Control {
    private final SslConnection ssl;
    private TlsConnection tls;

    Tracked(SslConnection ssl) {
      this.ssl = ssl;
    }

    @Override
    public void handshakeSucceeded(Event event) throws SSLException {
      Lease lease;
      try {
        lease = tls.handshakeSucceeded(event.getSSLEngine().getSession());
      } catch (AssociationRefusedException e) {
        // Already counted and logged by the registry; failing the handshake closes the connection.
        throw new SSLHandshakeException(e.getMessage());
      } catch (RuntimeException e) {
        LOG.warn("Tether could not correlate a connection from {} with its SA; failing its"
            + " handshake", tls.peer(), e);
        SSLHandshakeException failure = new SSLHandshakeException("Tether: " + e);
        failure.initCause(e);
        throw failure;
      }
      if (LOG.isDebugEnabled()) {
        LOG.debug("Tether handshake {} {} -> {}",
            lease != null && lease.isResumed() ? "resumed" : "full", tls, lease);
      }
    }

    @Override
    public void handshakeFailed(Event event, Throwable failure) {
      tls.handshakeFailed();
      if (LOG.isDebugEnabled()) {
        LOG.debug("Tether handshake failed {}: {}", tls, String.valueOf(failure));
      }
    }

    @Override
    public void close() {
      end(ssl);
    }

    @Override
    public void ending() {
      // Several requests are in progress: an HTTP/2 connection sends its GOAWAY now.
      endHttp2(ssl);
    }

    @Override
    public String toString() {
      return "TetherTracked{" + tls + "}";
    }
  }

  @Override
  public void onClosed(Connection connection) {
    if (!(connection instanceof SslConnection ssl)) {
      return;
    }
    TlsConnection tls = connections.remove(ssl);
    if (tls != null) {
      tls.closed();
      if (LOG.isDebugEnabled()) {
        LOG.debug("Tether closed {}", tls);
      }
    }
  }

  /**
   * Ends a connection that must end (its SA was deleted, or it carries a user its SA's policy
   * refuses) once no request is in progress on it, or after the response of its last one. HTTP/2:
   * a GOAWAY that lets the streams in progress finish, then the close ({@link JettyHttp2}).
   * HTTP/1.1: shuts its output (TLS close_notify, then FIN). The client sees the end before any
   * answer and opens a new connection; Jetty closes this one when the client closes its side (or at
   * the idle timeout). A request the client had already sent is not answered on the deleted SA, and
   * a client retries it; closing the socket outright instead would cut a request Jetty is reading
   * and answer it with an error.
   */
  static void end(SslConnection ssl) {
    if (LOG.isDebugEnabled()) {
      LOG.debug("Tether ends {}: its SA was deleted, or its user's policy refuses it", ssl);
    }
    if (!endHttp2(ssl)) {
      ssl.getSslEndPoint().shutdownOutput();
    }
  }

  /** Sends an HTTP/2 connection's graceful GOAWAY; false, doing nothing, for HTTP/1.1. */
  static boolean endHttp2(SslConnection ssl) {
    return HTTP2.test(ssl.getSslEndPoint().getConnection());
  }

  /** Returns the number of open TLS connections being followed. */
  int size() {
    return connections.size();
  }

  /** Returns the peer's IP address as text, the key of per-peer bounds and policies. */
  static String peerOf(EndPoint endPoint) {
    SocketAddress address = endPoint.getRemoteSocketAddress();
    if (address instanceof InetSocketAddress inet) {
      InetAddress ip = inet.getAddress();
      return ip != null ? ip.getHostAddress() : inet.getHostString();
    }
    return address == null ? "unknown" : address.toString();
  }

  @Override
  public String toString() {
    return "TetherConnectionTracker@" + Integer.toHexString(hashCode()) + "{registry=" + registry.name()
        + ",tlsConnections=" + connections.size() + "}";
  }
}
