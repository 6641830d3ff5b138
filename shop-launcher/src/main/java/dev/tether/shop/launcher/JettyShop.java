package dev.tether.shop.launcher;

import dev.tether.AssociationRegistry;
import dev.tether.PolicySet;
import dev.tether.certificates.SelfSignedCertificate;
import dev.tether.jetty.JettyTether;
import dev.tether.jetty.JettyTetherLoginService;
import dev.tether.servlet.TetherAttributes;
import org.eclipse.jetty.alpn.server.ALPNServerConnectionFactory;
import org.eclipse.jetty.ee11.webapp.WebAppContext;
import org.eclipse.jetty.http.HttpVersion;
import org.eclipse.jetty.http2.server.HTTP2ServerConnectionFactory;
import org.eclipse.jetty.security.HashLoginService;
import org.eclipse.jetty.security.UserStore;
import org.eclipse.jetty.server.HttpConfiguration;
import org.eclipse.jetty.server.HttpConnectionFactory;
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
   */
  static JettyShop start(LauncherOptions options, SelfSignedCertificate certificate,
      ShopFiles files, PolicySet policies) throws Exception {
    Server server = new Server();
    server.setStopTimeout(5_000);

    SslContextFactory.Server tls = new SslContextFactory.Server();
    tls.setKeyStore(certificate.keyStore());
    tls.setKeyStorePassword(new String(certificate.password()));
    HttpConfiguration http = new HttpConfiguration();
    http.setSendServerVersion(false);
    http.addCustomizer(new SecureRequestCustomizer());
    ServerConnector https;
    if (options.http2()) {
      // h2 and http/1.1 by ALPN; a client that offers no ALPN gets HTTP/1.1.
      ALPNServerConnectionFactory alpn = new ALPNServerConnectionFactory("h2", "http/1.1");
      alpn.setDefaultProtocol(HttpVersion.HTTP_1_1.asString());
      https = new ServerConnector(server, new SslConnectionFactory(tls, alpn.getProtocol()), alpn,
          new HTTP2ServerConnectionFactory(http), new HttpConnectionFactory(http));
    } else {
      https = new ServerConnector(server,
          new SslConnectionFactory(tls, HttpVersion.HTTP_1_1.asString()),
          new HttpConnectionFactory(http));
    }
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
    shop.getSecurityHandler().setLoginService(
        JettyTetherLoginService.wrap(realm(options.adminPassword())));
    server.setHandler(shop);

    AssociationRegistry registry = registry(options, policies);
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
    return started;
  }

  /** The registry JettyTether is given: the policy file's policies, or the strong policy with the grace. */
  private static AssociationRegistry registry(LauncherOptions options, PolicySet policies) {
    return AssociationRegistry.builder().name("shop")
        .policies(policies != null ? policies : StrongPolicy.policies(options.grace())).build();
  }

  private static HashLoginService realm(String adminPassword) {
    UserStore users = new UserStore();
    for (ShopUser u : ShopUser.all(adminPassword)) {
      users.addUser(u.name(), Credential.getCredential(u.password()), new String[] {u.role()});
    }
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
