package dev.tether.it;

import dev.tether.certificates.SelfSignedCertificate;
import dev.tether.jetty.JettyTetherLoginService;
import dev.tether.tls.TlsProvider;
import java.nio.file.Files;
import java.nio.file.Path;
import org.eclipse.jetty.ee10.webapp.WebAppContext;
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
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.TestInstance;

/**
 * The scenarios on Jetty 12.1, which Arquillian's Jetty adapter does not run on: the test starts a
 * real embedded Jetty 12.1 (ee10) itself, deploys the packaged shop WAR
 * ({@code tether-shop-server.war}) at {@code /shop} as a server deploys it, with the shop's realm
 * wrapped in {@code JettyTetherLoginService}, and installs Tether as {@link JettyShopSetup} does on
 * 12.0. One server per test class.
 */
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
abstract class EmbeddedJettyScenarios extends ShopScenarios {
  private final TlsProvider provider;
  private Server server;
  private TetherShop shop;

  EmbeddedJettyScenarios(TlsProvider provider, String protocol) {
    this(provider, protocol, false);
  }

  /** With shoppers speaking HTTP/2 if {@code http2}. */
  EmbeddedJettyScenarios(TlsProvider provider, String protocol, boolean http2) {
    super(provider, protocol, http2);
    this.provider = provider;
  }

  @Override
  public TetherShop shop() throws Exception {
    if (shop == null) {
      start();
    }
    return shop;
  }

  @Override
  protected void stopContainer() throws Exception {
    server.stop();
  }

  @AfterAll
  void stopServer() throws Exception {
    if (server != null && !server.isStopped()) {
      server.stop();
    }
  }

  private void start() throws Exception {
    Path war = Path.of(System.getProperty("tether.it.war", "target/wars/tether-shop-server.war"));
    if (!Files.isRegularFile(war)) {
      throw new IllegalStateException(war.toAbsolutePath() + " is missing: run through Maven"
          + " (mvn verify), which packages sample-webapp first and copies its WAR here");
    }
    SelfSignedCertificate certificate = SelfSignedCertificate.create("changeit".toCharArray());
    server = new Server();
    SslContextFactory.Server ssl = new SslContextFactory.Server();
    ssl.setKeyStore(certificate.keyStore());
    ssl.setKeyStorePassword("changeit");
    HttpConfiguration http = new HttpConfiguration();
    SecureRequestCustomizer secure = new SecureRequestCustomizer();
    secure.setSniHostCheck(false);
    http.addCustomizer(secure);
    ServerConnector https = new ServerConnector(server, new SslConnectionFactory(ssl, "http/1.1"),
        new HttpConnectionFactory(http));
    https.setHost("127.0.0.1");
    https.setPort(0);
    server.addConnector(https);

    WebAppContext webapp = new WebAppContext();
    webapp.setContextPath(TetherShop.CONTEXT);
    webapp.setWar(war.toAbsolutePath().toString());
    webapp.setTempDirectory(Files.createTempDirectory("tether-it-shop").toFile());
    webapp.setThrowUnavailableOnStartupException(true);
    webapp.getSecurityHandler().setLoginService(JettyTetherLoginService.wrap(realm()));
    server.setHandler(webapp);

    JettyShopSetup setup = JettyShopSetup.install(server, provider, certificate,
        "Jetty " + Server.getVersion() + " (embedded), provider " + provider.settingValue());
    server.start();
    shop = setup.started();
  }

  /** The shop's realm, as a Jetty distribution's {@code etc/realm.properties} would hold it. */
  private static HashLoginService realm() {
    UserStore users = new UserStore();
    users.addUser("alice", Credential.getCredential("wonderland"), new String[] {"customer"});
    users.addUser("bob", Credential.getCredential("builder"), new String[] {"customer"});
    users.addUser("admin", Credential.getCredential("tether-admin"), new String[] {"admin"});
    HashLoginService realm = new HashLoginService("tether-shop");
    realm.setUserStore(users);
    return realm;
  }
}
