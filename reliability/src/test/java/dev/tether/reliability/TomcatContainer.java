package dev.tether.reliability;

import dev.tether.AssociationRegistry;
import dev.tether.Lease;
import dev.tether.certificates.TomcatTls;
import dev.tether.tomcat.TomcatLoginListener;
import dev.tether.tomcat.TomcatRegistryHook;
import dev.tether.tomcat.TomcatTetherProtocol;
import dev.tether.tomcat.TomcatTetherValve;
import jakarta.servlet.ServletException;
import jakarta.servlet.http.HttpServlet;
import jakarta.servlet.http.HttpServletRequest;
import jakarta.servlet.http.HttpServletResponse;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Comparator;
import java.util.Map;
import java.util.concurrent.atomic.LongAdder;
import java.util.stream.Stream;
import javax.net.ssl.SSLSessionContext;
import org.apache.catalina.Context;
import org.apache.catalina.Lifecycle;
import org.apache.catalina.authenticator.BasicAuthenticator;
import org.apache.catalina.connector.Connector;
import org.apache.catalina.startup.Tomcat;
import org.apache.tomcat.util.descriptor.web.LoginConfig;
import org.apache.tomcat.util.net.SSLHostConfigCertificate;

/**
 * Tomcat 11 with Tether: one {@link TomcatTetherProtocol} connector configured through its
 * attributes, the {@link TomcatTetherValve} on the Engine, and the test application at {@code /app}
 * with a realm, so that {@code request.login()}/{@code logout()} are real logins the valve detects.
 * What the attributes cannot express (driver, listeners, policy) reaches the registry the protocol
 * builds at each start through {@link TomcatRegistryHook}.
 */
final class TomcatContainer implements Container {
  /** The connector attribute of the grace period in milliseconds. */
  static final String GRACE_ATTRIBUTE = "grace";

  private final Tomcat tomcat = new Tomcat();
  private final Connector connector;
  private final Path baseDir;
  private final LongAdder logins = new LongAdder();
  private final LongAdder logouts = new LongAdder();

  private TomcatContainer(Setup setup) throws IOException {
    baseDir = Files.createTempDirectory("tether-reliability");
    tomcat.setBaseDir(baseDir.toString());
    connector = new Connector(TomcatTetherProtocol.class.getName());
    connector.setPort(0);
    connector.setScheme("https");
    connector.setSecure(true);
    Map.of("SSLEnabled", "true",
        "registryName", "tomcat-reliability",
        GRACE_ATTRIBUTE, Long.toString(setup.grace.toMillis()),
        "maxAssociations", Long.toString(setup.maxAssociations),
        "maxAssociationsPerPeer", Integer.toString(setup.maxAssociationsPerPeer),
        "connectionTimeout", Integer.toString(setup.idleTimeoutMillis),
        "keepAliveTimeout", Integer.toString(setup.idleTimeoutMillis),
        "maxKeepAliveRequests", "-1",
        "address", "127.0.0.1").forEach(connector::setProperty);
    connector.addSslHostConfig(TomcatTls.hostConfig(Certificates.SERVER, "TLSv1.2+TLSv1.3"));
    TomcatRegistryHook.customize(protocol(), setup::applyExtras);
    tomcat.getService().addConnector(connector);
    tomcat.setConnector(connector);

    TomcatTetherValve valve = new TomcatTetherValve();
    valve.addLoginListener(new Counting());
    tomcat.getEngine().getPipeline().addValve(valve);
    tomcat.addUser("alice", "secret");
    tomcat.addRole("alice", "user");
    Context app = tomcat.addContext("/app",
        Files.createDirectories(baseDir.resolve("app")).toString());
    // A stopped context forgets its servlets; this puts the application back at every start.
    app.addLifecycleListener(event -> {
      if (Lifecycle.CONFIGURE_START_EVENT.equals(event.getType()) && app.findChild("app") == null) {
        Tomcat.addServlet(app, "app", new App());
        app.addServletMappingDecoded("/*", "app");
      }
    });
    LoginConfig login = new LoginConfig();
    login.setAuthMethod("BASIC");
    login.setRealmName("reliability");
    app.setLoginConfig(login);
    app.getPipeline().addValve(new BasicAuthenticator());
  }

  static TomcatContainer start(Setup setup) throws Exception {
    TomcatContainer c = new TomcatContainer(setup);
    c.tomcat.start();
    if (c.protocol().registry() == null) {
      c.tomcat.stop();
      c.tomcat.destroy();
      throw new IllegalStateException("the Tether connector did not start");
    }
    return c;
  }

  private TomcatTetherProtocol protocol() {
    return (TomcatTetherProtocol) connector.getProtocolHandler();
  }

  @Override
  public int port() {
    return connector.getLocalPort();
  }

  @Override
  public AssociationRegistry registry() {
    return protocol().registry();
  }

  @Override
  public void restart() throws Exception {
    tomcat.stop();
    tomcat.start();
  }

  @Override
  public SSLSessionContext serverSessionContext() {
    SSLHostConfigCertificate cert =
        connector.findSslHostConfigs()[0].getCertificates().iterator().next();
    return cert.getSslContext().getServerSessionContext();
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
      tomcat.stop();
      tomcat.destroy();
    } finally {
      try (Stream<Path> files = Files.walk(baseDir)) {
        files.sorted(Comparator.reverseOrder()).forEach(f -> f.toFile().delete());
      }
    }
  }

  @Override
  public String toString() {
    return "Tomcat";
  }

  /** Counts what the valve reports. */
  private final class Counting implements TomcatLoginListener {
    @Override
    public void login(String principal, Lease lease, HttpServletRequest request) {
      logins.increment();
    }

    @Override
    public void logout(String principal, Lease lease, HttpServletRequest request) {
      logouts.increment();
    }

    @Override
    public void principalChanged(String previous, String principal, Lease lease,
        HttpServletRequest request) {
      logins.increment();
    }
  }

  /** The test application as one servlet. */
  private static final class App extends HttpServlet {
    @Override
    protected void service(HttpServletRequest req, HttpServletResponse resp)
        throws ServletException, IOException {
      switch (req.getRequestURI()) {
        case "/app/hello" -> text(resp, "ok");
        case "/app/big" -> {
          int kb = Integer.parseInt(req.getParameter("kb"));
          resp.setContentLengthLong(kb * 1024L);
          OutputStream out = resp.getOutputStream();
          byte[] chunk = new byte[1024];
          for (int i = 0; i < kb; i++) {
            out.write(chunk);
          }
        }
        case "/app/upload" -> {
          long n;
          try (InputStream in = req.getInputStream()) {
            n = in.transferTo(OutputStream.nullOutputStream());
          }
          text(resp, "read=" + n);
        }
        case "/app/login" -> {
          // A session first, so that Tomcat keeps the user in it: the login ends its connection,
          // and the client's next connection carries the session cookie, as a browser's does.
          req.getSession(true);
          req.login(req.getParameter("u"), req.getParameter("p"));
          text(resp, "user=" + req.getRemoteUser());
        }
        case "/app/logout" -> {
          req.logout();
          text(resp, "user=" + req.getRemoteUser());
        }
        default -> {
          resp.setStatus(404);
          text(resp, "not found");
        }
      }
    }

    private static void text(HttpServletResponse resp, String body) throws IOException {
      byte[] bytes = body.getBytes(StandardCharsets.UTF_8);
      resp.setContentType("text/plain");
      resp.setContentLength(bytes.length);
      resp.getOutputStream().write(bytes);
    }
  }
}
