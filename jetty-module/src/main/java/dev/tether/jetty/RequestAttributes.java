package dev.tether.jetty;

import dev.tether.AssociationRegistry;
import dev.tether.Lease;
import dev.tether.servlet.TetherAttributes;
import dev.tether.tls.TlsConnection;
import java.util.Set;
import org.eclipse.jetty.http.HttpException;
import org.eclipse.jetty.http.HttpFields;
import org.eclipse.jetty.http.HttpHeader;
import org.eclipse.jetty.http.HttpHeaderValue;
import org.eclipse.jetty.http.HttpVersion;
import org.eclipse.jetty.io.Connection;
import org.eclipse.jetty.io.EndPoint;
import org.eclipse.jetty.io.ssl.SslConnection;
import org.eclipse.jetty.server.HttpConfiguration;
import org.eclipse.jetty.server.Request;
import org.eclipse.jetty.util.Attributes;

/**
 * Puts the {@link TetherAttributes} on every request of a tracked TLS connection: the registry, and
 * once the handshake gave the connection a lease, the lease, the SA's id and whether it resumed.
 * Servlet requests (ee10, ee11) read the attributes of the core request they wrap, so applications,
 * {@code TetherLoginFilter} and {@link JettyTetherLoginService} all find them.
 *
 * <p>It also counts the connection's requests in progress ({@link TlsConnection#requestStarted},
 * {@link TlsConnection#requestEnded}), HTTP/2 streams included: a connection whose SA a flush
 * deleted ends once its current responses are complete (HTTP/2: a GOAWAY that lets its streams
 * finish), and a request that still arrives on it is refused with {@code 421 Misdirected Request}
 * before any handler runs. The customizer sits in the configuration of every HTTP connection factory
 * of the connector, HTTP/1.1 and HTTP/2; under HTTP/2 a request's end point is still the
 * {@code SslConnection}'s.
 *
 * <p>Jetty runs a connection factory's customizers for each request before any handler, so the
 * attributes are there for the security handler as well. A request of a connection the tracker does
 * not follow (plain HTTP on a shared configuration, a connection opened before the bean started) is
 * left alone. Stateless apart from the tracker; thread-safe.
 */
final class RequestAttributes implements HttpConfiguration.Customizer {
  /**
   * Request attribute: the response's headers, for {@link #closeAfterResponse}; Jetty's login
   * service sees the request but not the response.
   */
  static final String RESPONSE_HEADERS = "dev.tether.jetty.RequestAttributes.responseHeaders";

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
    SslConnection sslConnection = ssl.getSslConnection();
    TlsConnection tls = tracker.connection(sslConnection);
    if (tls == null) {
      return request;
    }
    boolean admitted = tls.requestStarted();
    Request.addCompletionListener(request, failure -> {
      if (tls.requestEnded()) {
        ConnectionTracker.end(sslConnection);
      }
    });
    if (!admitted) {
      // A flush deleted the connection's SA, or it ends for its user's policy: nothing more travels
      // on it. The client retries the request on a new connection, which negotiates a new SA. Over
      // HTTP/2 (no Connection header there) the connection's GOAWAY follows the response.
      if (!isHttp2(request)) {
        responseHeaders.put(HttpHeader.CONNECTION, HttpHeaderValue.CLOSE.asString());
      }
      Lease lease = tls.lease();
      throw new HttpException.RuntimeException(421, "Misdirected Request: "
          + (lease == null || lease.isDeleted()
              ? "the TLS security association of this connection was deleted"
              : "this connection is closing") + "; retry on a new connection");
    }
    return new Request.AttributesWrapper(request,
        new TetherSynthetic(request, registry, tls, tls.lease(), responseHeaders));
  }

  /**
   * The Tether attributes of one request, computed when read (as Jetty's own
   * {@code SecureRequestCustomizer} gives its TLS attributes) instead of stored in the request's
   * attribute map: most requests never read them, and six map writes per request were most of the
   * customizer's cost. An application may still set or remove them; Jetty keeps that in a layer
   * above these values.
   */
  private static final class TetherSynthetic extends Attributes.Synthetic {
    private static final Set<String> WITHOUT_LEASE =
        Set.of(TetherAttributes.REGISTRY, TetherAttributes.CONNECTION, RESPONSE_HEADERS);
    private static final Set<String> WITH_LEASE = Set.of(TetherAttributes.REGISTRY,
        TetherAttributes.CONNECTION, RESPONSE_HEADERS, TetherAttributes.LEASE,
        TetherAttributes.ASSOCIATION_ID, TetherAttributes.RESUMED);

    private final AssociationRegistry registry;
    private final TlsConnection connection;
    private final Lease lease;
    private final HttpFields.Mutable responseHeaders;

    TetherSynthetic(Attributes base, AssociationRegistry registry, TlsConnection connection,
        Lease lease, HttpFields.Mutable responseHeaders) {
      super(base);
      this.registry = registry;
      this.connection = connection;
      this.lease = lease;
      this.responseHeaders = responseHeaders;
    }

    @Override
    protected Object getSyntheticAttribute(String name) {
      return switch (name) {
        case TetherAttributes.REGISTRY -> registry;
        case TetherAttributes.CONNECTION -> connection;
        case RESPONSE_HEADERS -> responseHeaders;
        case TetherAttributes.LEASE -> lease;
        case TetherAttributes.ASSOCIATION_ID -> lease == null ? null : lease.associationId();
        case TetherAttributes.RESUMED -> lease == null ? null : lease.isResumed();
        default -> null;
      };
    }

    @Override
    protected Set<String> getSyntheticNameSet() {
      return lease == null ? WITHOUT_LEASE : WITH_LEASE;
    }
  }

  /**
   * Ends the request's connection after its response, if the response has not left yet: a login or
   * logout deleted the connection's SA. The connection is closed after the response in any case (see
   * {@link TlsConnection#requestEnded}); over HTTP/1.1 the header tells the client before it reuses
   * the connection. HTTP/2 has no such header: its GOAWAY does that.
   */
  static void closeAfterResponse(Request request) {
    if (!isHttp2(request)
        && request.getAttribute(RESPONSE_HEADERS) instanceof HttpFields.Mutable headers) {
      headers.put(HttpHeader.CONNECTION, HttpHeaderValue.CLOSE.asString());
    }
  }

  private static boolean isHttp2(Request request) {
    return request.getConnectionMetaData().getHttpVersion() == HttpVersion.HTTP_2;
  }

  @Override
  public String toString() {
    return "TetherRequestAttributes{registry=" + registry.name() + "}";
  }
}
