package dev.tether.tomcat;

import com.github.benmanes.caffeine.cache.Scheduler;
import dev.tether.AssociationRegistry;
import dev.tether.AssociationStats;
import dev.tether.Lease;
import dev.tether.SaPolicy;
import dev.tether.SecurityAssociation;
import dev.tether.certificates.SelfSignedCertificate;
import dev.tether.internal.AdapterSettings;
import dev.tether.certificates.TomcatTls;
import dev.tether.testing.FakeTicker;
import jakarta.servlet.ServletException;
import jakarta.servlet.http.HttpServlet;
import jakarta.servlet.http.HttpServletRequest;
import jakarta.servlet.http.HttpServletResponse;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CopyOnWriteArrayList;
import javax.net.ssl.SSLContext;
import org.apache.catalina.Context;
import org.apache.catalina.LifecycleException;
import org.apache.catalina.authenticator.BasicAuthenticator;
import org.apache.catalina.authenticator.FormAuthenticator;
import org.apache.catalina.connector.Connector;
import org.apache.catalina.startup.Tomcat;
import org.apache.tomcat.util.descriptor.web.LoginConfig;
import org.apache.tomcat.util.descriptor.web.SecurityCollection;
import org.apache.tomcat.util.descriptor.web.SecurityConstraint;

/**
 * An embedded Tomcat on port 0 with one {@link TomcatTetherProtocol} connector, a certificate made for
 * the test, the {@link TomcatTetherValve} on the Engine, and three applications: {@code /app} (open),
 * {@code /basic} (BASIC on {@code /basic/secure/*}) and {@code /form} (FORM on {@code /form/secure/*}).
 * User {@code alice}/{@code secret} and {@code bob}/{@code secret}, role {@code user}.
 *
 * <p>Every page answers {@code sa=<id>;resumed=<bool>;user=<name>}; {@code ?op=login&u=&p=},
 * {@code ?op=logout}, {@code ?op=invalidate} and {@code ?op=session} call the servlet API first;
 * {@code &redirect=1..4} then answers with one of the four {@code sendRedirect}s instead.
 */
final class TetherServer implements AutoCloseable {
  static final String PASSWORD = "changeit";
  static final SelfSignedCertificate CERTIFICATE = SelfSignedCertificate.create(PASSWORD.toCharArray());
  private static volatile Path pem;

  final Tomcat tomcat;
  final Connector connector;
  final TomcatTetherValve valve;
  final Events events = new Events();
  private final Path baseDir;

  private TetherServer(Builder b) throws IOException {
    baseDir = Files.createTempDirectory("tether-tomcat");
    tomcat = new Tomcat();
    tomcat.setBaseDir(baseDir.toString());
    tomcat.getEngine().setName(b.engineName);
    connector = new Connector(TomcatTetherProtocol.class.getName());
    connector.setPort(0);
    connector.setScheme("https");
    connector.setSecure(true);
    connector.setProperty("SSLEnabled", "true");
    connector.setProperty("keepAliveTimeout", Integer.toString(b.keepAliveTimeout));
    connector.setProperty("connectionTimeout", Integer.toString(b.connectionTimeout));
    b.properties.forEach(connector::setProperty);
    connector.addSslHostConfig(TomcatTls.hostConfig(CERTIFICATE, b.protocols));
    protocol().registryCustomizer = rb -> {
      if (b.ticker != null) {
        rb.ticker(b.ticker).scheduler(Scheduler.disabledScheduler());
      }
      if (b.policy != null) {
        rb.defaultPolicy(b.policy);
      }
      return rb;
    };
    if (b.givenRegistry != null) {
      protocol().useRegistry(b.givenRegistry, b.givenSettings);
    }
    tomcat.getService().addConnector(connector);
    tomcat.setConnector(connector);
    valve = new TomcatTetherValve();
    valve.addLoginListener(events);
    tomcat.getEngine().getPipeline().addValve(valve);
    tomcat.addUser("alice", "secret");
    tomcat.addRole("alice", "user");
    tomcat.addUser("bob", "secret");
    tomcat.addRole("bob", "user");
    addApp("/app", null);
    addApp("/basic", "BASIC");
    addApp("/form", "FORM");
  }

  static Builder builder() {
    return new Builder();
  }

  private void addApp(String path, String auth) throws IOException {
    Path docBase = Files.createDirectories(baseDir.resolve("docs" + path));
    Context ctx = tomcat.addContext(path, docBase.toString());
    Tomcat.addServlet(ctx, "sa", new SaServlet());
    ctx.addServletMapping("/*", "sa");
    if (auth == null) {
      return;
    }
    SecurityCollection secure = new SecurityCollection();
    secure.addPattern("/secure/*");
    SecurityConstraint constraint = new SecurityConstraint();
    constraint.addAuthRole("user");
    constraint.addCollection(secure);
    ctx.addConstraint(constraint);
    ctx.addSecurityRole("user");
    LoginConfig login = new LoginConfig();
    login.setAuthMethod(auth);
    login.setRealmName("tether");
    if (auth.equals("FORM")) {
      login.setLoginPage("/login");
      login.setErrorPage("/error");
      Tomcat.addServlet(ctx, "login", new HttpServlet() {
        @Override
        protected void service(HttpServletRequest req, HttpServletResponse resp) throws IOException {
          write(resp, "login-page");
        }
      });
      ctx.addServletMapping("/login", "login");
      ctx.addServletMapping("/error", "login");
      ctx.getPipeline().addValve(new FormAuthenticator());
    } else {
      ctx.getPipeline().addValve(new BasicAuthenticator());
    }
    ctx.setLoginConfig(login);
  }

  TetherServer start() throws LifecycleException {
    tomcat.start();
    return this;
  }

  int port() {
    return connector.getLocalPort();
  }

  TomcatTetherProtocol protocol() {
    return (TomcatTetherProtocol) connector.getProtocolHandler();
  }

  AssociationRegistry registry() {
    return protocol().registry();
  }

  AssociationStats stats() {
    return registry().stats();
  }

  List<SecurityAssociation> associations() {
    return registry().associations();
  }

  static SSLContext clientContext() {
    return CERTIFICATE.clientContext();
  }

  static synchronized Path pem() {
    if (pem == null) {
      try {
        Path file = Files.createTempFile("tether-ca", ".pem");
        file.toFile().deleteOnExit();
        pem = CERTIFICATE.writePem(file);
      } catch (IOException e) {
        throw new UncheckedIOException(e);
      }
    }
    return pem;
  }

  @Override
  public void close() throws LifecycleException {
    tomcat.stop();
    tomcat.destroy();
  }

  static void write(HttpServletResponse resp, String text) throws IOException {
    byte[] bytes = text.getBytes(StandardCharsets.UTF_8);
    resp.setContentType("text/plain");
    resp.setContentLength(bytes.length);
    resp.getOutputStream().write(bytes);
  }

  /** The test applications' one servlet. */
  static final class SaServlet extends HttpServlet {
    @Override
    protected void service(HttpServletRequest req, HttpServletResponse resp)
        throws ServletException, IOException {
      String op = req.getParameter("op");
      if ("login".equals(op)) {
        req.login(req.getParameter("u"), req.getParameter("p"));
      } else if ("logout".equals(op)) {
        req.logout();
      } else if ("invalidate".equals(op)) {
        req.getSession().invalidate();
      } else if ("session".equals(op)) {
        req.getSession();
      }
      String redirect = req.getParameter("redirect");
      if (redirect != null) {
        // Each of Servlet 6.1's four ways to redirect: a login before it must bind all the same.
        switch (redirect) {
          case "1" -> resp.sendRedirect("/app/next");
          case "2" -> resp.sendRedirect("/app/next", 303);
          case "3" -> resp.sendRedirect("/app/next", false);
          default -> resp.sendRedirect("/app/next", 303, true);
        }
        return;
      }
      SecurityAssociation view = (SecurityAssociation) req.getAttribute(TomcatTetherValve.ASSOCIATION);
      write(resp, "sa=" + req.getAttribute(TomcatTetherValve.ASSOCIATION_ID)
          + ";resumed=" + req.getAttribute(TomcatTetherValve.ASSOCIATION_RESUMED)
          + ";user=" + req.getRemoteUser()
          + ";state=" + (view == null ? null : view.state())
          + ";registry=" + req.getAttribute(TomcatTetherValve.REGISTRY));
    }
  }

  /** Records what the valve reported, as "login alice", "logout alice", "change alice bob". */
  static final class Events implements TomcatLoginListener {
    final List<String> seen = new CopyOnWriteArrayList<>();

    @Override
    public void login(String principal, Lease lease, HttpServletRequest request) {
      seen.add("login " + principal);
    }

    @Override
    public void logout(String principal, Lease lease, HttpServletRequest request) {
      seen.add("logout " + principal);
    }

    @Override
    public void principalChanged(String previous, String principal, Lease lease,
        HttpServletRequest request) {
      seen.add("change " + previous + " " + principal);
    }
  }

  static final class Builder {
    private String protocols = "TLSv1.2+TLSv1.3";
    private String engineName = "Tomcat";
    private int keepAliveTimeout = 20_000;
    private int connectionTimeout = 20_000;
    private FakeTicker ticker;
    private SaPolicy policy;
    private AssociationRegistry givenRegistry;
    private AdapterSettings givenSettings;
    private final Map<String, String> properties = new LinkedHashMap<>();

    Builder registry(AssociationRegistry registry, AdapterSettings settings) {
      this.givenRegistry = registry;
      this.givenSettings = settings;
      return this;
    }

    Builder protocols(String protocols) {
      this.protocols = protocols;
      return this;
    }

    Builder set(String attribute, String value) {
      properties.put(attribute, value);
      return this;
    }

    Builder engineName(String name) {
      this.engineName = name;
      return this;
    }

    Builder keepAliveTimeout(int millis) {
      this.keepAliveTimeout = millis;
      return this;
    }

    Builder connectionTimeout(int millis) {
      this.connectionTimeout = millis;
      return this;
    }

    Builder ticker(FakeTicker ticker) {
      this.ticker = ticker;
      return this;
    }

    Builder policy(SaPolicy policy) {
      this.policy = policy;
      return this;
    }

    TetherServer build() throws IOException {
      return new TetherServer(this);
    }

    TetherServer start() throws IOException, LifecycleException {
      return build().start();
    }
  }
}
