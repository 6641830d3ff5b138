package dev.tether.micrometer;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import dev.tether.AssociationRegistry;
import dev.tether.certificates.SelfSignedCertificate;
import dev.tether.certificates.TomcatTls;
import dev.tether.jetty.JettyTether;
import dev.tether.tomcat.TomcatTetherProtocol;
import io.micrometer.prometheusmetrics.PrometheusConfig;
import io.micrometer.prometheusmetrics.PrometheusMeterRegistry;
import java.io.InputStream;
import java.io.OutputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.time.Duration;
import javax.net.ssl.SSLContext;
import javax.net.ssl.SSLSocket;
import org.apache.catalina.Context;
import org.apache.catalina.connector.Connector;
import org.apache.catalina.startup.Tomcat;
import org.eclipse.jetty.server.Handler;
import org.eclipse.jetty.server.HttpConfiguration;
import org.eclipse.jetty.server.HttpConnectionFactory;
import org.eclipse.jetty.server.Request;
import org.eclipse.jetty.server.Response;
import org.eclipse.jetty.server.Server;
import org.eclipse.jetty.server.ServerConnector;
import org.eclipse.jetty.server.SslConnectionFactory;
import org.eclipse.jetty.util.BufferUtil;
import org.eclipse.jetty.util.Callback;
import org.eclipse.jetty.util.ssl.SslContextFactory;
import org.junit.jupiter.api.Test;

/**
 * The meters move with real TLS connections in both containers: a first connection negotiates, a
 * second one after the first closed resumes the idle SA (a handshake saved), a flush is counted by
 * cause, and the Prometheus scrape carries the container and connector tags.
 */
class RealConnectionsMetricsTest {
  private static final String PASSWORD = "changeit";
  private static final SelfSignedCertificate CERT = SelfSignedCertificate.create(PASSWORD.toCharArray());

  @Test
  void jetty_metersFollowConnections() throws Exception {
    Server server = new Server();
    SslContextFactory.Server ssl = new SslContextFactory.Server();
    ssl.setKeyStore(CERT.keyStore());
    ssl.setKeyStorePassword(PASSWORD);
    ServerConnector https = new ServerConnector(server, new SslConnectionFactory(ssl, "http/1.1"),
        new HttpConnectionFactory(new HttpConfiguration()));
    https.setHost("127.0.0.1");
    server.addConnector(https);
    server.setHandler(new Handler.Abstract() {
      @Override
      public boolean handle(Request request, Response response, Callback callback) {
        response.write(true, BufferUtil.toBuffer("ok"), callback);
        return true;
      }
    });
    AssociationRegistry registry = AssociationRegistry.builder().name("jetty-https")
        .grace(Duration.ofMinutes(1)).build();
    JettyTether.addToAllConnectors(server, registry);
    server.start();
    try {
      exercise(registry, https.getLocalPort(), "jetty");
    } finally {
      server.stop();
      registry.close();
    }
  }

  @Test
  void tomcat_metersFollowConnections() throws Exception {
    Tomcat tomcat = new Tomcat();
    tomcat.setBaseDir(Files.createTempDirectory("tether-metrics").toString());
    Connector https = new Connector(TomcatTetherProtocol.class.getName());
    https.setPort(0);
    https.setSecure(true);
    https.setScheme("https");
    https.setProperty("SSLEnabled", "true");
    https.setProperty("address", "127.0.0.1");
    https.setProperty("registryName", "tomcat-https");
    https.addSslHostConfig(TomcatTls.hostConfig(CERT, null));
    tomcat.getService().addConnector(https);
    Context app = tomcat.addContext("", null);
    Tomcat.addServlet(app, "ok", new jakarta.servlet.http.HttpServlet() {
      @Override
      protected void doGet(jakarta.servlet.http.HttpServletRequest req,
          jakarta.servlet.http.HttpServletResponse resp) throws java.io.IOException {
        resp.getWriter().write("ok");
      }
    });
    app.addServletMappingDecoded("/*", "ok");
    tomcat.start();
    try {
      AssociationRegistry registry = ((TomcatTetherProtocol) https.getProtocolHandler()).registry();
      exercise(registry, https.getLocalPort(), "tomcat");
    } finally {
      tomcat.stop();
      tomcat.destroy();
    }
  }

  private static void exercise(AssociationRegistry registry, int port, String container)
      throws Exception {
    PrometheusMeterRegistry prometheus = new PrometheusMeterRegistry(PrometheusConfig.DEFAULT);
    TetherMetrics.monitor(prometheus, registry, "container", container, "connector", "https");
    SSLContext client = CERT.clientContext();

    request(client, port);
    await().untilAsserted(() ->
        assertThat(prometheus.get("tether.associations.idle").gauge().value()).isEqualTo(1));
    request(client, port);
    await().untilAsserted(() ->
        assertThat(prometheus.get("tether.leases.open").gauge().value()).isZero());

    assertThat(prometheus.get("tether.connections.accepted").functionCounter().count())
        .isEqualTo(2);
    assertThat(prometheus.get("tether.associations.negotiated").functionCounter().count())
        .isEqualTo(1);
    assertThat(prometheus.get("tether.associations.reused").functionCounter().count())
        .isEqualTo(1);
    assertThat(prometheus.get("tether.handshakes.saved").functionCounter().count()).isEqualTo(1);
    assertThat(prometheus.get("tether.association.idle").timer().count()).isEqualTo(1);

    registry.flushAll(dev.tether.DeletionCause.MANUAL);

    assertThat(prometheus.get("tether.associations.idle").gauge().value()).isZero();
    assertThat(prometheus.get("tether.associations.flushed").tag("cause", "manual")
        .functionCounter().count()).isEqualTo(1);
    assertThat(prometheus.get("tether.association.lifetime").timer().count()).isEqualTo(1);
    assertThat(prometheus.scrape()).contains("tether_handshakes_saved_total{connector=\"https\","
        + "container=\"" + container + "\",registry=\"" + registry.name() + "\"} 1.0");
  }

  /** One HTTP/1.1 request on a new TLS 1.3 connection, closed after the response. */
  private static void request(SSLContext context, int port) throws Exception {
    try (SSLSocket socket = (SSLSocket) context.getSocketFactory().createSocket("127.0.0.1", port)) {
      socket.setEnabledProtocols(new String[] {"TLSv1.3"});
      socket.startHandshake();
      OutputStream out = socket.getOutputStream();
      out.write("GET / HTTP/1.1\r\nHost: localhost\r\nConnection: close\r\n\r\n"
          .getBytes(StandardCharsets.US_ASCII));
      out.flush();
      InputStream in = socket.getInputStream();
      String response = new String(in.readAllBytes(), StandardCharsets.US_ASCII);
      assertThat(response).startsWith("HTTP/1.1 200").endsWith("ok");
    }
  }
}
