package dev.tether.jetty;

import dev.tether.certificates.SelfSignedCertificate;
import java.nio.file.Files;
import java.nio.file.Path;
import org.eclipse.jetty.http.HttpHeader;
import org.eclipse.jetty.server.Handler;
import org.eclipse.jetty.server.HttpConfiguration;
import org.eclipse.jetty.server.HttpConnectionFactory;
import org.eclipse.jetty.server.Request;
import org.eclipse.jetty.server.Response;
import org.eclipse.jetty.server.SecureRequestCustomizer;
import org.eclipse.jetty.server.Server;
import org.eclipse.jetty.server.ServerConnector;
import org.eclipse.jetty.server.SslConnectionFactory;
import org.eclipse.jetty.util.BufferUtil;
import org.eclipse.jetty.util.Callback;
import org.eclipse.jetty.util.ssl.SslContextFactory;

/**
 * A real Jetty server with one HTTPS connector named {@code https} on 127.0.0.1, port 0, answering
 * every request with {@code ok}. Its certificate is made once per JVM with Bouncy Castle. With
 * {@link #http2()} the connector offers {@code h2} and {@code http/1.1} by ALPN, each protocol with a
 * configuration of its own (as Jetty's {@code http2} module may), and a request with the header
 * {@code x-test-flush} flushes every SA of the registry given by {@link #flushOn} before Tether sees
 * the request.
 */
@SuppressWarnings("try") // close() stops a Jetty server, which may be interrupted
final class TestServer implements AutoCloseable {
  static final String PASSWORD = "tether-test";
  static final SelfSignedCertificate CERT = SelfSignedCertificate.create(PASSWORD.toCharArray());
  private static Path pem;

  final Server server = new Server();
  final ServerConnector connector;
  final SslContextFactory.Server sslContextFactory = new SslContextFactory.Server();

  final HttpConfiguration http = new HttpConfiguration();
  final HttpConfiguration http2 = new HttpConfiguration();
  private volatile java.util.function.Supplier<dev.tether.AssociationRegistry> flushOn = () -> null;

  TestServer() {
    this(false);
  }

  private TestServer(boolean h2) {
    sslContextFactory.setKeyStore(CERT.keyStore());
    sslContextFactory.setKeyStorePassword(PASSWORD);
    SecureRequestCustomizer secure = new SecureRequestCustomizer();
    secure.setSniHostCheck(false);
    http.addCustomizer(secure);
    if (h2) {
      http2.addCustomizer(secure);
      http2.addCustomizer((request, headers) -> {
        dev.tether.AssociationRegistry r = flushOn.get();
        if (r != null && request.getHeaders().contains("x-test-flush")) {
          r.flushAll(dev.tether.DeletionCause.MANUAL);
        }
        return request;
      });
      org.eclipse.jetty.alpn.server.ALPNServerConnectionFactory alpn =
          new org.eclipse.jetty.alpn.server.ALPNServerConnectionFactory("h2", "http/1.1");
      alpn.setDefaultProtocol("http/1.1");
      connector = new ServerConnector(server,
          new SslConnectionFactory(sslContextFactory, alpn.getProtocol()), alpn,
          new org.eclipse.jetty.http2.server.HTTP2ServerConnectionFactory(http2),
          new HttpConnectionFactory(http));
    } else {
      connector = new ServerConnector(server,
          new SslConnectionFactory(sslContextFactory, "http/1.1"), new HttpConnectionFactory(http));
    }
    connector.setHost("127.0.0.1");
    connector.setPort(0);
    connector.setName("https");
    server.addConnector(connector);
    server.setHandler(new Handler.Abstract() {
      @Override
      public boolean handle(Request request, Response response, Callback callback) {
        response.getHeaders().put(HttpHeader.CONTENT_TYPE, "text/plain");
        response.write(true, BufferUtil.toBuffer("ok\n"), callback);
        return true;
      }
    });
  }

  /** A server offering {@code h2} and {@code http/1.1} by ALPN. */
  static TestServer http2() {
    return new TestServer(true);
  }

  /** Requests with the header {@code x-test-flush} flush this registry first. */
  void flushOn(java.util.function.Supplier<dev.tether.AssociationRegistry> registry) {
    this.flushOn = registry;
  }

  TestServer start() throws Exception {
    server.start();
    return this;
  }

  int port() {
    return connector.getLocalPort();
  }

  /** Returns the certificate as a PEM file, for {@code openssl s_client -CAfile}. */
  static synchronized Path pem() throws Exception {
    if (pem == null) {
      pem = CERT.writePem(Files.createTempFile("tether-test", ".pem"));
      pem.toFile().deleteOnExit();
    }
    return pem;
  }

  @Override
  public void close() throws Exception {
    server.stop();
  }
}
