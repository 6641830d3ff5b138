package dev.tether.shop;

import dev.tether.AssociationRefusedException;
import dev.tether.AssociationRegistry;
import dev.tether.Lease;
import dev.tether.certificates.SelfSignedCertificate;
import dev.tether.servlet.TetherAttributes;
import java.net.InetSocketAddress;
import java.net.URI;
import java.nio.file.Path;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import javax.net.ssl.SSLContext;
import org.eclipse.jetty.ee10.webapp.WebAppContext;
import org.eclipse.jetty.io.Connection;
import org.eclipse.jetty.io.EndPoint;
import org.eclipse.jetty.security.HashLoginService;
import org.eclipse.jetty.security.UserStore;
import org.eclipse.jetty.server.Handler;
import org.eclipse.jetty.server.HttpConfiguration;
import org.eclipse.jetty.server.HttpConnectionFactory;
import org.eclipse.jetty.server.Request;
import org.eclipse.jetty.server.Response;
import org.eclipse.jetty.server.SecureRequestCustomizer;
import org.eclipse.jetty.server.Server;
import org.eclipse.jetty.server.ServerConnector;
import org.eclipse.jetty.server.SslConnectionFactory;
import org.eclipse.jetty.util.Callback;
import org.eclipse.jetty.util.security.Credential;
import org.eclipse.jetty.util.ssl.SslContextFactory;

/**
 * The shop's WAR directory ({@code src/main/webapp}) deployed in a real embedded Jetty 12.1 (ee10) on
 * port 0, with the realm of the README (alice, bob, admin) in a {@link HashLoginService}.
 *
 * <p>With TLS, a stand-in for the Jetty adapter ({@link ConnectionLeases}) gives each connection a
 * lease from the registry and sets the request attributes of {@link TetherAttributes}, so the pages
 * show real SAs. Without TLS the registry is only a ServletContext attribute, or absent.
 */
final class ShopServer implements AutoCloseable {
  static final String CONTEXT = "/shop";
  static final Map<String, String[]> USERS = Map.of(
      "alice", new String[] {"wonderland", "customer"},
      "bob", new String[] {"builder", "customer"},
      "admin", new String[] {"tether-admin", "admin"});

  private final Server server = new Server();
  private final ServerConnector connector;
  private final SelfSignedCertificate certificate;

  private ShopServer(boolean tls, AssociationRegistry registry) throws Exception {
    HttpConfiguration http = new HttpConfiguration();
    if (tls) {
      certificate = SelfSignedCertificate.create("changeit".toCharArray());
      SslContextFactory.Server ssl = new SslContextFactory.Server();
      ssl.setKeyStore(certificate.keyStore());
      ssl.setKeyStorePassword("changeit");
      http.addCustomizer(new SecureRequestCustomizer());
      connector = new ServerConnector(server, new SslConnectionFactory(ssl, "http/1.1"),
          new HttpConnectionFactory(http));
    } else {
      certificate = null;
      connector = new ServerConnector(server, new HttpConnectionFactory(http));
    }
    connector.setHost("127.0.0.1");
    connector.setPort(0);
    server.addConnector(connector);

    WebAppContext webapp = new WebAppContext();
    webapp.setContextPath(CONTEXT);
    webapp.setBaseResourceAsPath(Path.of("src/main/webapp").toAbsolutePath());
    // The shop's classes and tether-core come from the test class path, loaded once.
    webapp.setParentLoaderPriority(true);
    webapp.setThrowUnavailableOnStartupException(true);
    webapp.getSecurityHandler().setLoginService(loginService());
    Handler handler = webapp;
    if (registry != null) {
      webapp.setAttribute(TetherAttributes.REGISTRY, registry);
      if (tls) {
        ConnectionLeases leases = new ConnectionLeases(registry);
        connector.addEventListener(leases);
        leases.setHandler(webapp);
        handler = leases;
      }
    }
    server.setHandler(handler);
    server.start();
  }

  /** Starts the shop over HTTPS with a registry and per-connection leases. */
  static ShopServer https(AssociationRegistry registry) throws Exception {
    return new ShopServer(true, registry);
  }

  /** Starts the shop over plain HTTP; the registry (which may be {@code null}) is a context attribute. */
  static ShopServer http(AssociationRegistry registry) throws Exception {
    return new ShopServer(false, registry);
  }

  static HashLoginService loginService() {
    UserStore users = new UserStore();
    USERS.forEach((name, pw) -> users.addUser(name, Credential.getCredential(pw[0]),
        new String[] {pw[1]}));
    HashLoginService login = new HashLoginService("tether-shop");
    login.setUserStore(users);
    return login;
  }

  /** Returns the shop's base URI, ending in the context path. */
  URI base() {
    return URI.create((certificate != null ? "https" : "http") + "://localhost:"
        + connector.getLocalPort() + CONTEXT);
  }

  /** Returns a client context that trusts the server's certificate. */
  SSLContext clientContext() {
    return certificate.clientContext();
  }

  @Override
  public void close() throws Exception {
    server.stop();
  }

  /**
   * Test stand-in for the Jetty adapter: the first request of each TLS connection acquires the
   * connection's lease, the connection's close releases it; every request gets the attributes.
   */
  static final class ConnectionLeases extends Handler.Wrapper implements Connection.Listener {
    private final AssociationRegistry registry;
    private final Map<Connection, Lease> leases = new ConcurrentHashMap<>();

    ConnectionLeases(AssociationRegistry registry) {
      this.registry = registry;
    }

    @Override
    public boolean handle(Request request, Response response, Callback callback) throws Exception {
      request.setAttribute(TetherAttributes.REGISTRY, registry);
      Connection connection = request.getConnectionMetaData().getConnection();
      EndPoint.SslSessionData ssl = connection.getEndPoint().getSslSessionData();
      if (ssl != null) {
        String peer = ((InetSocketAddress) request.getConnectionMetaData().getRemoteSocketAddress())
            .getAddress().getHostAddress();
        Lease lease = leases.computeIfAbsent(connection, c -> {
          try {
            return registry.acquire(ssl.sslSession(), peer);
          } catch (AssociationRefusedException e) {
            throw new IllegalStateException(e);
          }
        });
        request.setAttribute(TetherAttributes.LEASE, lease);
        request.setAttribute(TetherAttributes.ASSOCIATION_ID, lease.associationId());
        request.setAttribute(TetherAttributes.RESUMED, lease.isResumed());
      }
      return super.handle(request, response, callback);
    }

    @Override
    public void onClosed(Connection connection) {
      Lease lease = leases.remove(connection);
      if (lease != null) {
        lease.release();
      }
    }
  }
}
