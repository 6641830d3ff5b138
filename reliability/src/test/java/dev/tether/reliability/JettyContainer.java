package dev.tether.reliability;

import dev.tether.AssociationRegistry;
import dev.tether.jetty.JettyTether;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.util.concurrent.atomic.LongAdder;
import javax.net.ssl.SSLSessionContext;
import org.eclipse.jetty.alpn.server.ALPNServerConnectionFactory;
import org.eclipse.jetty.http.HttpHeader;
import org.eclipse.jetty.http2.server.HTTP2ServerConnectionFactory;
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
import org.eclipse.jetty.util.Fields;
import org.eclipse.jetty.util.ssl.SslContextFactory;

/**
 * Jetty 12.1 with Tether ({@link JettyTether#addToAllConnectors(Server, AssociationRegistry)}) on one
 * HTTPS connector. The registry is built from the {@link Setup}; a restart closes it and gives the
 * restarted server a new one, as its owner must.
 *
 * <p>Jetty's login detection is not part of the adapter yet, so the application reports logins and
 * logouts to the registry's policy engine itself ({@code registry.policies().login(peer, ...)}).
 */
final class JettyContainer implements Container {
  private final Setup setup;
  private final Server server = new Server();
  private final SslContextFactory.Server ssl = new SslContextFactory.Server();
  private final ServerConnector connector;
  private final LongAdder logins = new LongAdder();
  private final LongAdder logouts = new LongAdder();
  private volatile AssociationRegistry registry;
  private JettyTether tether;
  private int port;

  private JettyContainer(Setup setup) {
    this.setup = setup;
    ssl.setKeyStore(Certificates.SERVER.keyStore());
    ssl.setKeyStorePassword(Certificates.PASSWORD);
    HttpConfiguration http = new HttpConfiguration();
    SecureRequestCustomizer secure = new SecureRequestCustomizer();
    secure.setSniHostCheck(false);
    http.addCustomizer(secure);
    // h2 and http/1.1 by ALPN; HTTP/1.1 for the clients that offer no ALPN (SSLSocket, raw TLS).
    ALPNServerConnectionFactory alpn = new ALPNServerConnectionFactory("h2", "http/1.1");
    alpn.setDefaultProtocol("http/1.1");
    connector = new ServerConnector(server, new SslConnectionFactory(ssl, alpn.getProtocol()), alpn,
        new HTTP2ServerConnectionFactory(http), new HttpConnectionFactory(http));
    connector.setHost("127.0.0.1");
    connector.setPort(0);
    connector.setIdleTimeout(setup.idleTimeoutMillis);
    server.addConnector(connector);
    server.setHandler(new App());
  }

  static JettyContainer start(Setup setup) throws Exception {
    JettyContainer c = new JettyContainer(setup);
    c.attachNewRegistry();
    c.server.start();
    // A restart binds the same port, so clients keep their address.
    c.port = c.connector.getLocalPort();
    c.connector.setPort(c.port);
    return c;
  }

  private void attachNewRegistry() {
    registry = setup.applyAll(AssociationRegistry.builder().name("jetty-reliability")).build();
    tether = JettyTether.addToAllConnectors(server, registry);
  }

  @Override
  public int port() {
    return port;
  }

  @Override
  public AssociationRegistry registry() {
    return registry;
  }

  @Override
  public void restart() throws Exception {
    server.stop();
    registry.close();
    server.removeBean(tether);
    attachNewRegistry();
    server.start();
  }

  @Override
  public SSLSessionContext serverSessionContext() {
    return ssl.getSslContext().getServerSessionContext();
  }

  @Override
  public long logins() {
    return logins.sum();
  }

  @Override
  public long logouts() {
    return logouts.sum();
  }

  @Override
  public void close() throws Exception {
    try {
      server.stop();
    } finally {
      registry.close();
    }
  }

  @Override
  public String toString() {
    return "Jetty";
  }

  /** The test application as a Jetty core handler. */
  private final class App extends Handler.Abstract {
    @Override
    public boolean handle(Request request, Response response, Callback callback) throws IOException {
      Fields query = Request.extractQueryParameters(request);
      String peer = Request.getRemoteAddr(request);
      switch (Request.getPathInContext(request)) {
        case "/app/hello" -> text(response, callback, "ok");
        case "/app/big" -> {
          int kb = Integer.parseInt(query.getValue("kb"));
          response.getHeaders().put(HttpHeader.CONTENT_LENGTH, kb * 1024L);
          try (OutputStream out = Response.asBufferedOutputStream(request, response)) {
            byte[] chunk = new byte[1024];
            for (int i = 0; i < kb; i++) {
              out.write(chunk);
            }
          }
          callback.succeeded();
        }
        case "/app/upload" -> {
          long n;
          try (InputStream in = Request.asInputStream(request)) {
            n = in.transferTo(OutputStream.nullOutputStream());
          }
          text(response, callback, "read=" + n);
        }
        case "/app/login" -> {
          String user = query.getValue("u");
          registry.policies().login(peer, null, user, role -> false);
          logins.increment();
          text(response, callback, "user=" + user);
        }
        case "/app/logout" -> {
          String user = registry.policies().boundPrincipal(peer);
          registry.policies().logout(peer, null, user == null ? "alice" : user, role -> false);
          logouts.increment();
          text(response, callback, "user=null");
        }
        default -> {
          response.setStatus(404);
          text(response, callback, "not found");
        }
      }
      return true;
    }

    private void text(Response response, Callback callback, String body) {
      byte[] bytes = body.getBytes(StandardCharsets.UTF_8);
      response.getHeaders().put(HttpHeader.CONTENT_TYPE, "text/plain");
      response.getHeaders().put(HttpHeader.CONTENT_LENGTH, bytes.length);
      response.write(true, ByteBuffer.wrap(bytes), callback);
    }
  }
}
