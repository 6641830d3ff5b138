package dev.tether.shop.launcher;

import dev.tether.AssociationRegistry;
import dev.tether.PolicySet;
import dev.tether.certificates.SelfSignedCertificate;
import dev.tether.jetty.JettyTether;
import dev.tether.jetty.JettyTetherLoginService;
import dev.tether.servlet.TetherAttributes;
import java.util.ArrayList;
import java.util.List;
import org.eclipse.jetty.alpn.server.ALPNServerConnectionFactory;
import org.eclipse.jetty.ee11.servlet.ServletHolder;
import org.eclipse.jetty.ee11.webapp.WebAppContext;
import org.eclipse.jetty.http.HttpVersion;
import org.eclipse.jetty.http2.server.HTTP2ServerConnectionFactory;
import org.eclipse.jetty.security.HashLoginService;
import org.eclipse.jetty.security.UserStore;
import org.eclipse.jetty.server.ConnectionFactory;
import org.eclipse.jetty.server.HttpConfiguration;
import org.eclipse.jetty.server.HttpConnectionFactory;
import org.eclipse.jetty.server.ProxyConnectionFactory;
import org.eclipse.jetty.server.SecureRequestCustomizer;
import org.eclipse.jetty.server.Server;
import org.eclipse.jetty.server.ServerConnector;
import org.eclipse.jetty.server.SslConnectionFactory;
import org.eclipse.jetty.util.security.Credential;
import org.eclipse.jetty.util.ssl.SslContextFactory;

/**
 * The shop on embedded Jetty 12.1 (ee11, Servlet 6.1): one HTTPS connector (h2 and http/1.1 by
 * ALPN, or http/1.1 alone with {@code --http2 off}) with a
 * {@link JettyTether} bean given the shop's registry (built here, from the policy file or the
 * {@link StrongPolicy} with the grace),
 * the shop's web application from its unpacked server WAR, and the users in a
 * {@link HashLoginService}.
 *
 * <p>The web application loads the shop's classes from its {@code WEB-INF/classes}, and Tether's and
 * the Servlet API's from the launcher's class path, so the registry it is given is one it can use.
 *
 * <p>A node of a cluster ({@link ShopCluster}) gives its registry Tether's cluster, keeps its HTTP
 * sessions in the cluster's Redis ({@link JettySessions}) and serves the cluster's SA table
 * ({@link ClusterServlet}). With the PROXY protocol the connector reads a balancer's PROXY header
 * (version 1 or 2) before TLS, when one comes: a connection without it is served as it is.
 *
 * <p>Owns the server and the registry: {@link #stop()} closes both. Not thread-safe.
 */
final class JettyShop implements ShopServer {
  private final Server server;
  private final ServerConnector connector;
  private final AssociationRegistry registry;

  private JettyShop(Server server, ServerConnector connector, AssociationRegistry registry) {
    this.server = server;
    this.connector = connector;
    this.registry = registry;
  }

  /**
   * Starts the shop; on failure the server and the registry are stopped and closed again.
   *
   * @param policies the policies of the registry, or {@code null} for the strong policy with the grace
   * @param cluster the cluster this shop is a node of, or {@code null}
   */
  static JettyShop start(LauncherOptions options, SelfSignedCertificate certificate,
      ShopFiles files, PolicySet policies, ShopCluster cluster) throws Exception {
    Server server = new Server();
    server.setStopTimeout(5_000);

    SslContextFactory.Server tls = new SslContextFactory.Server();
    tls.setKeyStore(certificate.keyStore());
    tls.setKeyStorePassword(new String(certificate.password()));
    HttpConfiguration http = new HttpConfiguration();
    http.setSendServerVersion(false);
    http.addCustomizer(new SecureRequestCustomizer());
    SslConnectionFactory ssl;
    List<ConnectionFactory> factories = new ArrayList<>();
    if (options.http2()) {
      // h2 and http/1.1 by ALPN; a client that offers no ALPN gets HTTP/1.1.
      ALPNServerConnectionFactory alpn = new ALPNServerConnectionFactory("h2", "http/1.1");
      alpn.setDefaultProtocol(HttpVersion.HTTP_1_1.asString());
      ssl = new SslConnectionFactory(tls, alpn.getProtocol());
      factories.addAll(List.of(ssl, alpn, new HTTP2ServerConnectionFactory(http),
          new HttpConnectionFactory(http)));
    } else {
      ssl = new SslConnectionFactory(tls, HttpVersion.HTTP_1_1.asString());
      factories.addAll(List.of(ssl, new HttpConnectionFactory(http)));
    }
    if (options.proxyProtocol()) {
      factories.add(0, new ProxyConnectionFactory(ssl.getProtocol()));
    }
    ServerConnector https = new ServerConnector(server,
        factories.toArray(new ConnectionFactory[0]));
    https.setName("https");
    https.setHost(options.host());
    https.setPort(options.port());
    server.addConnector(https);

    WebAppContext shop = new WebAppContext();
    shop.setContextPath("/");
    shop.setBaseResourceAsPath(files.webapp());
    shop.setTempDirectory(files.work().resolve("jetty").toFile());
    shop.setThrowUnavailableOnStartupException(true);
    // Wrapped, so that a FORM login flushes before its redirect is written.
    UserStore users = users(options.adminPassword());
    HashLoginService realm = realm(users);
    shop.getSecurityHandler().setLoginService(JettyTetherLoginService.wrap(realm));
    server.setHandler(shop);
    if (cluster != null) {
      JettySessions.install(shop.getSessionHandler(), cluster.redis(), users,
          realm.getIdentityService());
      shop.addServlet(new ServletHolder("tether-cluster", cluster.servlet()),
          ClusterServlet.PATH + "/*");
    }

    AssociationRegistry registry = registry(options, policies, cluster);
    // Requests do not carry the registry on Jetty: the shop's dashboard finds it here.
    shop.setAttribute(TetherAttributes.REGISTRY, registry);
    JettyTether.addToAllConnectors(server, registry);
    JettyShop started = new JettyShop(server, https, registry);
    try {
      server.start();
    } catch (Exception | Error e) {
      started.stop();
      throw e;
    }
    if (cluster != null) {
      cluster.start(registry);
    }
    return started;
  }

  /**
   * The registry JettyTether is given: the policy file's policies, or the strong policy with the
   * grace; in a cluster, with Tether's cluster.
   */
  private static AssociationRegistry registry(LauncherOptions options, PolicySet policies,
      ShopCluster cluster) {
    var builder = AssociationRegistry.builder().name("shop")
        .maxAssociationsPerPeer(options.maxPerPeer())
        .policies(policies != null ? policies
            : StrongPolicy.policies(options.grace(), cluster != null));
    if (cluster != null) {
      builder.cluster(cluster.tetherCluster(RunningShop.address(options)));
    }
    return builder.build();
  }

  private static UserStore users(String adminPassword) {
    UserStore users = new UserStore();
    for (ShopUser u : ShopUser.all(adminPassword)) {
      users.addUser(u.name(), Credential.getCredential(u.password()), new String[] {u.role()});
    }
    return users;
  }

  private static HashLoginService realm(UserStore users) {
    HashLoginService realm = new HashLoginService(ShopUser.REALM);
    realm.setUserStore(users);
    return realm;
  }

  @Override
  public int port() {
    return connector.getLocalPort();
  }

  @Override
  public AssociationRegistry registry() {
    return registry;
  }

  @Override
  public void stop() throws Exception {
    try {
      server.stop();
    } finally {
      // Given to JettyTether, so it is the launcher's to close, after the connections are gone.
      registry.close();
    }
  }
}
