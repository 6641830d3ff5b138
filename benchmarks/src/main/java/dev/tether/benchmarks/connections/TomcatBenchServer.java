package dev.tether.benchmarks.connections;

import dev.tether.AssociationRegistry;
import dev.tether.certificates.SelfSignedCertificate;
import dev.tether.certificates.TomcatTls;
import dev.tether.tomcat.TomcatTetherProtocol;
import java.nio.file.Files;
import java.nio.file.Path;
import javax.net.ssl.SSLSessionContext;
import org.apache.catalina.Context;
import org.apache.catalina.LifecycleState;
import org.apache.catalina.connector.Connector;
import org.apache.catalina.startup.Tomcat;
import org.apache.coyote.http2.Http2Protocol;
import org.apache.coyote.http11.Http11NioProtocol;
import org.apache.tomcat.util.net.SSLHostConfig;
import org.apache.tomcat.util.net.SSLHostConfigCertificate;

/**
 * Tomcat 11 with one HTTPS connector (h2 by ALPN through {@link Http2Protocol} next to HTTP/1.1) and
 * the {@code ok} servlet: bare, the connector protocol is
 * Tomcat's {@link Http11NioProtocol}; with Tether, its subclass {@link TomcatTetherProtocol} with the
 * spec's grace period. Everything else is Tomcat's default, the same in both variants.
 */
final class TomcatBenchServer implements BenchServer.Running {
  /**
   * The Tether connector attribute holding the grace period in milliseconds: the one place that
   * names it, so that a rename of the attribute is a change of this line.
   */
  static final String GRACE_ATTRIBUTE = "grace";

  private final Tomcat tomcat;
  private final Connector connector;
  private final SSLHostConfigCertificate certificate;

  private TomcatBenchServer(Tomcat tomcat, Connector connector,
      SSLHostConfigCertificate certificate) {
    this.tomcat = tomcat;
    this.connector = connector;
    this.certificate = certificate;
  }

  static TomcatBenchServer start(ServerSpec spec, SelfSignedCertificate certificate)
      throws Exception {
    Path base = Files.createTempDirectory("tether-bench-tomcat");
    Tomcat tomcat = new Tomcat();
    tomcat.setBaseDir(base.toString());
    Connector https = new Connector(spec.tether()
        ? TomcatTetherProtocol.class.getName() : Http11NioProtocol.class.getName());
    https.setPort(0);
    https.setScheme("https");
    https.setSecure(true);
    https.setProperty("address", "127.0.0.1");
    https.setProperty("SSLEnabled", "true");
    if (spec.tether()) {
      set(https, GRACE_ATTRIBUTE, Long.toString(spec.graceMillis()));
      set(https, "maxAssociationsPerPeer", Integer.toString(ServerSpec.MAX_ASSOCIATIONS_PER_PEER));
    }
    SSLHostConfig host = TomcatTls.hostConfig(certificate, spec.protocol());
    https.addSslHostConfig(host);
    // h2 by ALPN next to HTTP/1.1, in both variants.
    https.addUpgradeProtocol(new Http2Protocol());
    tomcat.getService().addConnector(https);
    tomcat.setConnector(https);
    Context context = tomcat.addContext("", Files.createDirectories(base.resolve("ok")).toString());
    Tomcat.addServlet(context, "ok", new OkServlet());
    context.addServletMappingDecoded("/ok", "ok");
    tomcat.start();
    if (https.getState() != LifecycleState.STARTED) {
      tomcat.stop();
      throw new IllegalStateException("the HTTPS connector did not start: " + https.getState());
    }
    TomcatBenchServer server = new TomcatBenchServer(tomcat, https,
        host.getCertificates().iterator().next());
    if (spec.tether()) {
      long grace = server.registry().defaultPolicy().grace().toMillis();
      if (grace != spec.graceMillis()) {
        throw new IllegalStateException("connector attribute " + GRACE_ATTRIBUTE + "="
            + spec.graceMillis() + " gave a registry with grace " + grace + " ms");
      }
    }
    return server;
  }

  private static void set(Connector connector, String attribute, String value) {
    if (!connector.setProperty(attribute, value)) {
      throw new IllegalStateException("TomcatTetherProtocol has no connector attribute '"
          + attribute + "'" + (attribute.equals(GRACE_ATTRIBUTE)
          ? ": update TomcatBenchServer.GRACE_ATTRIBUTE" : ""));
    }
  }

  @Override
  public int port() {
    return connector.getLocalPort();
  }

  @Override
  public SSLSessionContext sessionContext() {
    return certificate.getSslContext().getServerSessionContext();
  }

  @Override
  public AssociationRegistry registry() {
    return connector.getProtocolHandler() instanceof TomcatTetherProtocol p ? p.registry() : null;
  }

  @Override
  public void stop() throws Exception {
    tomcat.stop();
    tomcat.destroy();
  }
}
