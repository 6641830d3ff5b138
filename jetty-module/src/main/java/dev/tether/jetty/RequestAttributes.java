package dev.tether.jetty;

import dev.tether.AssociationRegistry;
import dev.tether.Lease;
import dev.tether.servlet.TetherAttributes;
import dev.tether.tls.TlsConnection;
import org.eclipse.jetty.http.HttpFields;
import org.eclipse.jetty.io.Connection;
import org.eclipse.jetty.io.EndPoint;
import org.eclipse.jetty.io.ssl.SslConnection;
import org.eclipse.jetty.server.HttpConfiguration;
import org.eclipse.jetty.server.Request;

/**
 * Puts the {@link TetherAttributes} on every request of a tracked TLS connection: the registry, and
 * once the handshake gave the connection a lease, the lease, the SA's id and whether it resumed.
 * Servlet requests (ee10, ee11) read the attributes of the core request they wrap, so applications,
 * {@code TetherLoginFilter} and {@link JettyTetherLoginService} all find them.
 *
 * <p>Jetty runs a connection factory's customizers for each request before any handler, so the
 * attributes are there for the security handler as well. A request of a connection the tracker does
 * not follow (plain HTTP on a shared configuration, a connection opened before the bean started) is
 * left alone. Stateless apart from the tracker; thread-safe.
 */
final class RequestAttributes implements HttpConfiguration.Customizer {
  private final ConnectionTracker tracker;
  private final AssociationRegistry registry;

  RequestAttributes(ConnectionTracker tracker, AssociationRegistry registry) {
    this.tracker = tracker;
    this.registry = registry;
  }

  @Override
  public Request customize(Request request, HttpFields.Mutable responseHeaders) {
    Connection connection = request.getConnectionMetaData().getConnection();
    EndPoint endPoint = connection == null ? null : connection.getEndPoint();
    if (!(endPoint instanceof SslConnection.SslEndPoint ssl)) {
      return request;
    }
    TlsConnection tls = tracker.connection(ssl.getSslConnection());
    if (tls == null) {
      return request;
    }
    request.setAttribute(TetherAttributes.REGISTRY, registry);
    Lease lease = tls.lease();
    if (lease != null) {
      request.setAttribute(TetherAttributes.LEASE, lease);
      request.setAttribute(TetherAttributes.ASSOCIATION_ID, lease.associationId());
      request.setAttribute(TetherAttributes.RESUMED, lease.isResumed());
    }
    return request;
  }

  @Override
  public String toString() {
    return "TetherRequestAttributes{registry=" + registry.name() + "}";
  }
}
