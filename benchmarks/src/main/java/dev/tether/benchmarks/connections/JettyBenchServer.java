package dev.tether.benchmarks.connections;

import dev.tether.AssociationRegistry;
import dev.tether.certificates.SelfSignedCertificate;
import dev.tether.jetty.JettyTether;
import javax.net.ssl.SSLSessionContext;
import org.eclipse.jetty.ee11.servlet.ServletContextHandler;
import org.eclipse.jetty.alpn.server.ALPNServerConnectionFactory;
import org.eclipse.jetty.http.HttpVersion;
import org.eclipse.jetty.http2.server.HTTP2ServerConnectionFactory;
import org.eclipse.jetty.server.HttpConfiguration;
import org.eclipse.jetty.server.HttpConnectionFactory;
import org.eclipse.jetty.server.SecureRequestCustomizer;
import org.eclipse.jetty.server.Server;
import org.eclipse.jetty.server.ServerConnector;
import org.eclipse.jetty.server.SslConnectionFactory;
import org.eclipse.jetty.util.ssl.SslContextFactory;

/**
 * Jetty 12.1 (ee11) with one HTTPS connector (h2 and http/1.1 by ALPN) and the {@code ok} servlet; with Tether, the bean from
 * {@link JettyTether#addToAllConnectors(Server)} with the spec's grace period. Everything else is
 * Jetty's default, the same in both variants.
 */
final class JettyBenchServer implements BenchServer.Running {
  private final Server server;
  private final ServerConnector connector;
  private final SslContextFactory.Server tls;
  private final JettyTether tether;

  private JettyBenchServer(Server server, ServerConnector connector, SslContextFactory.Server tls,
      JettyTether tether) {
    this.server = server;
    this.connector = connector;
    this.tls = tls;
    this.tether = tether;
  }

  static JettyBenchServer start(ServerSpec spec, SelfSignedCertificate certificate)
      throws Exception {
    Server server = new Server();
    SslContextFactory.Server tls = new SslContextFactory.Server();
    tls.setKeyStore(certificate.keyStore());
    tls.setKeyStorePassword(new String(certificate.password()));
    tls.setIncludeProtocols(spec.protocol());
    HttpConfiguration http = new HttpConfiguration();
    // Clients address the server by IP; the certificate's names are not the point here.
    http.addCustomizer(new SecureRequestCustomizer(false));
    // h2 and http/1.1 by ALPN, HTTP/1.1 for a client that offers no ALPN (the Java client).
    ALPNServerConnectionFactory alpn = new ALPNServerConnectionFactory("h2", "http/1.1");
    alpn.setDefaultProtocol(HttpVersion.HTTP_1_1.asString());
    ServerConnector https = new ServerConnector(server,
        new SslConnectionFactory(tls, alpn.getProtocol()), alpn,
        new HTTP2ServerConnectionFactory(http), new HttpConnectionFactory(http));
    https.setHost("127.0.0.1");
    https.setPort(0);
    server.addConnector(https);
    ServletContextHandler context = new ServletContextHandler();
    context.setContextPath("/");
    context.addServlet(new OkServlet(), "/ok");
    server.setHandler(context);
    JettyTether tether = null;
    if (spec.tether()) {
      tether = JettyTether.addToAllConnectors(server);
      tether.setGrace(spec.graceMillis());
      tether.setMaxAssociationsPerPeer(ServerSpec.MAX_ASSOCIATIONS_PER_PEER);
    }
    server.start();
    return new JettyBenchServer(server, https, tls, tether);
  }

  @Override
  public int port() {
    return connector.getLocalPort();
  }

  @Override
  public SSLSessionContext sessionContext() {
    return tls.getSslContext().getServerSessionContext();
  }

  @Override
  public AssociationRegistry registry() {
    return tether == null ? null : tether.registry();
  }

  @Override
  public void stop() throws Exception {
    server.stop();
  }
}
