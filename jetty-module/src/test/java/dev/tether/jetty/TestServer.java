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
 * every request with {@code ok}. Its certificate is made once per JVM with Bouncy Castle.
 */
@SuppressWarnings("try") // close() stops a Jetty server, which may be interrupted
final class TestServer implements AutoCloseable {
  static final String PASSWORD = "tether-test";
  static final SelfSignedCertificate CERT = SelfSignedCertificate.create(PASSWORD.toCharArray());
  private static Path pem;

  final Server server = new Server();
  final ServerConnector connector;
  final SslContextFactory.Server sslContextFactory = new SslContextFactory.Server();

  TestServer() {
    sslContextFactory.setKeyStore(CERT.keyStore());
    sslContextFactory.setKeyStorePassword(PASSWORD);
    HttpConfiguration http = new HttpConfiguration();
    SecureRequestCustomizer secure = new SecureRequestCustomizer();
    secure.setSniHostCheck(false);
    http.addCustomizer(secure);
    connector = new ServerConnector(server, new SslConnectionFactory(sslContextFactory, "http/1.1"),
        new HttpConnectionFactory(http));
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
