package dev.tether.tomcat;

import dev.tether.AssociationRegistry;
import dev.tether.Lease;
import java.io.IOException;
import java.net.InetSocketAddress;
import java.net.SocketAddress;
import java.nio.channels.SocketChannel;
import org.apache.juli.logging.Log;
import org.apache.juli.logging.LogFactory;
import org.apache.tomcat.util.net.NioChannel;
import org.apache.tomcat.util.net.NioEndpoint;
import org.apache.tomcat.util.net.SocketBufferHandler;

/**
 * Tomcat's NIO endpoint with Tether's channel and handler: the network interceptor of the patent for
 * one connector. It creates {@link TetherChannel}s for TLS sockets and wraps the connection handler
 * in a {@link TetherHandler}.
 *
 * <p>Concurrency: the registry and settings are set by the protocol before the endpoint starts and
 * cleared after it stops; they are volatile for the poller and worker threads.
 */
final class TetherEndpoint extends NioEndpoint {
  private static final Log LOG = LogFactory.getLog(TomcatTetherProtocol.class);

  private volatile AssociationRegistry registry;
  private volatile boolean renegotiationAllowed;

  void configure(AssociationRegistry registry, boolean renegotiationAllowed) {
    this.registry = registry;
    this.renegotiationAllowed = renegotiationAllowed;
  }

  boolean renegotiationAllowed() {
    return renegotiationAllowed;
  }

  @Override
  public void setHandler(Handler<NioChannel> handler) {
    super.setHandler(handler == null || handler instanceof TetherHandler
        ? handler : new TetherHandler(handler));
  }

  @Override
  protected NioChannel createChannel(SocketBufferHandler buffer) {
    return isSSLEnabled() ? new TetherChannel(buffer, this) : super.createChannel(buffer);
  }

  /** Reports a socket the endpoint accepted (S1); returns its connection, or null if not tracked. */
  TrackedConnection accepted(SocketChannel socket, NioSocketWrapper wrapper) {
    AssociationRegistry r = registry;
    if (r == null) {
      return null;
    }
    String peer = peerOf(socket);
    TrackedConnection connection = new TrackedConnection(r, peer, wrapper);
    if (LOG.isDebugEnabled()) {
      LOG.debug("Tether accepted a TLS connection from " + peer + " on " + getName());
    }
    return connection;
  }

  /** Logs the end of a handshake at DEBUG; the lease is held by the connection. */
  void handshakeDone(TrackedConnection connection) {
    if (LOG.isDebugEnabled()) {
      Lease lease = connection.lease();
      if (lease != null) {
        LOG.debug("Tether " + (lease.isResumed() ? "resumed" : "negotiated") + " SA "
            + lease.associationId() + " for " + connection.tls().peer());
      }
    }
  }

  private static String peerOf(SocketChannel socket) {
    try {
      SocketAddress address = socket.getRemoteAddress();
      if (address instanceof InetSocketAddress inet && inet.getAddress() != null) {
        return inet.getAddress().getHostAddress();
      }
      return address == null ? "unknown" : "local";
    } catch (IOException e) {
      return "unknown";
    }
  }
}
