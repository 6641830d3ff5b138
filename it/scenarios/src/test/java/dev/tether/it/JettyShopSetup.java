package dev.tether.it;

import dev.tether.certificates.SelfSignedCertificate;
import dev.tether.jetty.JettyTether;
import dev.tether.tls.TlsProvider;
import java.time.Duration;
import java.util.Arrays;
import java.util.List;
import org.eclipse.jetty.alpn.server.ALPNServerConnectionFactory;
import org.eclipse.jetty.http2.server.HTTP2ServerConnectionFactory;
import org.eclipse.jetty.server.ConnectionFactory;
import org.eclipse.jetty.server.Connector;
import org.eclipse.jetty.server.HttpConfiguration;
import org.eclipse.jetty.server.HttpConnectionFactory;
import org.eclipse.jetty.server.Server;
import org.eclipse.jetty.server.ServerConnector;
import org.eclipse.jetty.server.SslConnectionFactory;
import org.eclipse.jetty.util.ssl.SslContextFactory;

/**
 * Installs Tether on a Jetty 12 server that serves the shop over one HTTPS connector, the way a user
 * of {@code tether-jetty} does: before the server starts, one {@link JettyTether} bean per connector
 * with its settings ({@code policies} or {@code grace}, {@code provider}, {@code registryName}). It
 * adds a second HTTPS connector, {@code graceful}, next to the existing one ({@code immediate}), so
 * that one container serves both, and on the JDK's provider makes both offer {@code h2} and
 * {@code http/1.1} by ALPN (Jetty has no ALPN on Bouncy Castle's): {@code immediate} runs the shop's
 * policy file ({@link ShopPolicies}), {@code graceful} the built-in default policy with a short grace.
 *
 * <p>The realm must be wrapped by {@code JettyTetherLoginService} (the fixtures do it where they make
 * it), so that a FORM login is reported before its redirect; {@code JettyTether} itself puts the
 * registry and the lease on each request.
 *
 * <p>Used by the Arquillian extension on Jetty 12.0 and by the embedded Jetty 12.1 tests; it uses only
 * API common to both lines. Not thread-safe: call {@link #install} and {@link #started} from the
 * thread that configures and starts the server.
 */
final class JettyShopSetup {
  /** The grace period of the {@code graceful} connector: short, but real (the system ticker runs). */
  static final Duration GRACE = Duration.ofSeconds(2);

  private final String description;
  private final TlsProvider provider;
  private final SelfSignedCertificate certificate;
  private final ServerConnector immediate;
  private final ServerConnector graceful;
  private final JettyTether immediateTether;
  private final JettyTether gracefulTether;

  private JettyShopSetup(String description, TlsProvider provider, SelfSignedCertificate certificate,
      ServerConnector immediate, ServerConnector graceful, JettyTether immediateTether,
      JettyTether gracefulTether) {
    this.description = description;
    this.provider = provider;
    this.certificate = certificate;
    this.immediate = immediate;
    this.graceful = graceful;
    this.immediateTether = immediateTether;
    this.gracefulTether = gracefulTether;
  }

  /**
   * Installs Tether on a server that is not started and has exactly one TLS connector.
   *
   * @param certificate the certificate of that connector, which the new connector uses as well
   */
  static JettyShopSetup install(Server server, TlsProvider provider,
      SelfSignedCertificate certificate, String description) {
    List<Connector> tls = Arrays.stream(server.getConnectors())
        .filter(c -> c.getConnectionFactory(SslConnectionFactory.class) != null).toList();
    if (tls.size() != 1 || !(tls.get(0) instanceof ServerConnector immediate)) {
      throw new IllegalStateException("expected one TLS ServerConnector, found " + tls);
    }
    immediate.setName("immediate");
    HttpConfiguration immediateHttp =
        immediate.getConnectionFactory(HttpConnectionFactory.class).getHttpConfiguration();
    HttpConfiguration gracefulHttp = new HttpConfiguration(immediateHttp);
    // h2 by ALPN next to HTTP/1.1 on the existing connector, as Jetty's http2 module sets it up;
    // not on Bouncy Castle's provider, where Jetty has no ALPN (Tether refuses the combination).
    boolean h2 = provider == TlsProvider.JDK;
    if (h2) {
      immediate.setConnectionFactories(withHttp2(
          immediate.getConnectionFactory(SslConnectionFactory.class).getSslContextFactory(),
          immediateHttp));
    }

    SslContextFactory.Server ssl = new SslContextFactory.Server();
    ssl.setKeyStore(certificate.keyStore());
    ssl.setKeyStorePassword(new String(certificate.password()));
    ServerConnector graceful = new ServerConnector(server, h2
        ? withHttp2(ssl, gracefulHttp).toArray(ConnectionFactory[]::new)
        : new ConnectionFactory[] {new SslConnectionFactory(ssl, "http/1.1"),
            new HttpConnectionFactory(gracefulHttp)});
    graceful.setName("graceful");
    graceful.setHost("127.0.0.1");
    graceful.setPort(0);
    server.addConnector(graceful);

    // A TLS context factory that is also a bean of the Server (as Arquillian's is) would start before
    // the Tether beans could choose its provider: it goes after them.
    SslContextFactory.Server existing =
        immediate.getConnectionFactory(SslConnectionFactory.class).getSslContextFactory();
    boolean serverBean = server.contains(existing);
    if (serverBean) {
      server.removeBean(existing);
    }
    JettyTether immediateTether = tether(server, immediate, provider);
    immediateTether.setPolicies(ShopPolicies.file().toString());
    JettyTether gracefulTether = tether(server, graceful, provider);
    gracefulTether.setGrace(GRACE.toMillis());
    if (serverBean) {
      server.addBean(existing, true);
    }
    return new JettyShopSetup(description, provider, certificate, immediate, graceful,
        immediateTether, gracefulTether);
  }

  /**
   * The connection factories of a connector offering {@code h2} and {@code http/1.1} by ALPN
   * (HTTP/1.1 for a client without ALPN): the HTTP/2 axis's clients ask for h2, the others get
   * HTTP/1.1.
   */
  private static List<ConnectionFactory> withHttp2(SslContextFactory.Server ssl,
      HttpConfiguration http) {
    ALPNServerConnectionFactory alpn = new ALPNServerConnectionFactory("h2", "http/1.1");
    alpn.setDefaultProtocol("http/1.1");
    return List.of(new SslConnectionFactory(ssl, alpn.getProtocol()), alpn,
        new HTTP2ServerConnectionFactory(http), new HttpConnectionFactory(http));
  }

  private static JettyTether tether(Server server, ServerConnector connector,
      TlsProvider provider) {
    JettyTether tether = new JettyTether(connector);
    tether.setRegistryName(connector.getName());
    tether.setProvider(provider.settingValue());
    server.addBean(tether);
    return tether;
  }

  /** Returns the shop as the scenarios see it; call once the server has started. */
  TetherShop started() {
    Endpoint i = endpoint(immediate, immediateTether, ShopPolicies.BROWSE, Duration.ZERO);
    Endpoint g = endpoint(graceful, gracefulTether, "default", GRACE);
    return new TetherShop() {
      @Override
      public String description() {
        return description;
      }

      @Override
      public TlsProvider provider() {
        return provider;
      }

      @Override
      public Endpoint immediate() {
        return i;
      }

      @Override
      public Endpoint graceful() {
        return g;
      }

      @Override
      public SelfSignedCertificate certificate() {
        return certificate;
      }

      @Override
      public String toString() {
        return description;
      }
    };
  }

  private static Endpoint endpoint(ServerConnector connector, JettyTether tether,
      String anonymousPolicy, Duration grace) {
    return Endpoint.of(connector.getName(), connector.getLocalPort(),
        tether.isStarted() ? tether.registry() : null, anonymousPolicy, grace);
  }
}
