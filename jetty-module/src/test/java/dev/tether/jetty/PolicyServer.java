package dev.tether.jetty;

import dev.tether.AssociationRegistry;
import dev.tether.Lease;
import dev.tether.servlet.AssociationServlet;
import dev.tether.servlet.Tether;
import dev.tether.servlet.TetherAttributes;
import dev.tether.servlet.TetherLoginFilter;
import dev.tether.shop.RoleAccessFilter;
import jakarta.servlet.DispatcherType;
import jakarta.servlet.ServletException;
import jakarta.servlet.http.HttpServlet;
import jakarta.servlet.http.HttpServletRequest;
import jakarta.servlet.http.HttpServletResponse;
import jakarta.servlet.http.HttpSession;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.EnumSet;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import org.eclipse.jetty.ee10.servlet.FilterHolder;
import org.eclipse.jetty.ee10.servlet.ServletContextHandler;
import org.eclipse.jetty.ee10.servlet.ServletHolder;
import org.eclipse.jetty.ee10.servlet.security.ConstraintMapping;
import org.eclipse.jetty.ee10.servlet.security.ConstraintSecurityHandler;
import org.eclipse.jetty.security.Authenticator;
import org.eclipse.jetty.security.Constraint;
import org.eclipse.jetty.security.HashLoginService;
import org.eclipse.jetty.security.UserStore;
import org.eclipse.jetty.security.authentication.BasicAuthenticator;
import org.eclipse.jetty.security.authentication.FormAuthenticator;
import org.eclipse.jetty.server.handler.ContextHandlerCollection;
import org.eclipse.jetty.util.security.Credential;

/**
 * A real Jetty (ee10) serving a small web application under Tether with a policy file: FORM login
 * ({@code /login}, {@code /j_security_check}) guarding {@code /secure/*}, users in a
 * {@link HashLoginService} wrapped by {@link JettyTetherLoginService}, {@link TetherLoginFilter} on
 * every request, and the SA endpoints at {@code /tether/*} behind {@link RoleAccessFilter} for
 * monitors with BASIC credentials; the same users and pages with BASIC at {@code /basic}. Users: {@code alice}/{@code secret} (customer), {@code admin}/{@code
 * secret} (admin), {@code oper}/{@code secret} (operator).
 *
 * <p>Every page answers {@code sa=..;resumed=..;policy=..;protocol=..;user=..}; {@code POST /logout}
 * logs out and invalidates the session.
 */
final class PolicyServer implements AutoCloseable {
  /**
   * Anonymous browsing keeps SAs; customers and admins flush the peer; admins need TLS 1.3 SAs;
   * operators need SAs of their own but keep the connections their login flushed.
   */
  static final String POLICIES = """
      [policy browse]
      applies-to = anonymous
      grace = 60s
      on-login = connection
      on-logout = connection

      [policy customer]
      applies-to = role:customer
      grace = 60s
      on-login = peer
      on-logout = peer

      [policy admin]
      applies-to = role:admin
      protocols = TLSv1.3
      grace = 60s
      on-login = peer
      on-logout = peer
      require-own-association = true

      [policy operator]
      applies-to = role:operator
      grace = 60s
      on-login = peer
      on-logout = peer
      open-connections = keep
      require-own-association = true
      """;

  final TestServer server;
  final JettyTether tether;

  PolicyServer(Path dir) throws IOException {
    this(dir, POLICIES, false);
  }

  /** A server with these policies, offering {@code h2} as well if {@code http2}. */
  PolicyServer(Path dir, String policies, boolean http2) throws IOException {
    server = http2 ? TestServer.http2() : new TestServer();
    Path file = Files.writeString(dir.resolve("policies.conf"), policies);
    tether = JettyTether.addToAllConnectors(server.server);
    tether.setRegistryName("policy");
    tether.setPolicies(file.toString());

    ServletContextHandler context = new ServletContextHandler(ServletContextHandler.SESSIONS);
    context.setContextPath("/");
    context.addFilter(new FilterHolder(new TetherLoginFilter()), "/*",
        EnumSet.of(DispatcherType.REQUEST));
    FilterHolder access = new FilterHolder(new RoleAccessFilter());
    access.setInitParameter("role", "admin");
    context.addFilter(access, "/tether/*", EnumSet.of(DispatcherType.REQUEST));
    context.addServlet(new ServletHolder(new AssociationServlet()), "/tether/*");
    context.addServlet(new ServletHolder(new PageServlet()), "/*");
    context.addServlet(new ServletHolder(new LogoutServlet()), "/logout");
    context.addServlet(new ServletHolder(new OwnLoginServlet()), "/own-login");
    context.setSecurityHandler(security(new FormAuthenticator("/login", "/login-error", false)));

    ServletContextHandler basic = new ServletContextHandler(ServletContextHandler.SESSIONS);
    basic.setContextPath("/basic");
    basic.addFilter(new FilterHolder(new TetherLoginFilter()), "/*",
        EnumSet.of(DispatcherType.REQUEST));
    basic.addServlet(new ServletHolder(new PageServlet()), "/*");
    basic.setSecurityHandler(security(new BasicAuthenticator()));
    server.server.setHandler(new ContextHandlerCollection(context, basic));
  }

  private static ConstraintSecurityHandler security(Authenticator authenticator) {
    UserStore users = new UserStore();
    users.addUser("alice", Credential.getCredential("secret"), new String[] {"customer"});
    users.addUser("admin", Credential.getCredential("secret"), new String[] {"admin"});
    users.addUser("oper", Credential.getCredential("secret"), new String[] {"operator"});
    HashLoginService realm = new HashLoginService("tether-test");
    realm.setUserStore(users);

    ConstraintSecurityHandler security = new ConstraintSecurityHandler();
    ConstraintMapping secure = new ConstraintMapping();
    secure.setPathSpec("/secure/*");
    secure.setConstraint(Constraint.from("customer", "admin", "operator"));
    security.addConstraintMapping(secure);
    security.setAuthenticator(authenticator);
    security.setLoginService(JettyTetherLoginService.wrap(realm));
    return security;
  }

  PolicyServer start() throws Exception {
    server.start();
    return this;
  }

  int port() {
    return server.port();
  }

  AssociationRegistry registry() {
    return tether.registry();
  }

  @Override
  public void close() throws Exception {
    server.close();
  }

  private static final Map<String, Hold> HOLDS = new ConcurrentHashMap<>();

  /**
   * A request held by the application ({@code ?hold=ID}): {@code arrived} counts down when it
   * reaches the servlet, which then waits for {@code release}.
   */
  record Hold(CountDownLatch arrived, CountDownLatch release) {}

  /** Returns the hold of this id, made on first use. */
  static Hold hold(String id) {
    return HOLDS.computeIfAbsent(id, k -> new Hold(new CountDownLatch(1), new CountDownLatch(1)));
  }

  /**
   * Answers with the request's SA as the application sees it; {@code ?login=USER} logs the user in
   * first with {@code request.login(USER, "secret")}.
   */
  static final class PageServlet extends HttpServlet {
    @Override
    protected void service(HttpServletRequest req, HttpServletResponse resp)
        throws ServletException, IOException {
      String login = req.getParameter("login");
      if (login != null) {
        req.login(login, "secret");
      }
      String hold = req.getParameter("hold");
      if (hold != null) {
        hold(hold).arrived().countDown();
        try {
          if (!hold(hold).release().await(30, TimeUnit.SECONDS)) {
            throw new ServletException("hold " + hold + " was never released");
          }
        } catch (InterruptedException e) {
          Thread.currentThread().interrupt();
          throw new ServletException(e);
        }
      }
      Lease lease = (Lease) req.getAttribute(TetherAttributes.LEASE);
      String body = "sa=" + req.getAttribute(TetherAttributes.ASSOCIATION_ID)
          + ";resumed=" + req.getAttribute(TetherAttributes.RESUMED)
          + ";policy=" + (lease == null ? null : lease.policy().name())
          + ";protocol=" + (lease == null ? null : lease.association().protocol())
          + ";registry=" + (TetherAttributes.registry(req) == null ? null
              : TetherAttributes.registry(req).name())
          + ";user=" + req.getRemoteUser() + "\n";
      byte[] bytes = body.getBytes(StandardCharsets.UTF_8);
      resp.setContentType("text/plain");
      resp.setContentLength(bytes.length);
      resp.getOutputStream().write(bytes);
    }
  }

  /**
   * {@code POST /own-login?user=NAME}: the application's own authentication (no container login),
   * reported with {@link Tether#login}; twice, to show that the second call is no new login.
   */
  static final class OwnLoginServlet extends HttpServlet {
    @Override
    protected void doPost(HttpServletRequest req, HttpServletResponse resp) throws IOException {
      String user = req.getParameter("user");
      int flushed = Tether.login(req, user, role -> role.equals("admin"));
      int again = Tether.login(req, user, role -> role.equals("admin"));
      resp.setContentType("text/plain");
      resp.getWriter().write("flushed=" + flushed + ";again=" + again);
    }
  }

  /** {@code POST /logout}: logs out and ends the session, as a shop's logout button does. */
  static final class LogoutServlet extends HttpServlet {
    @Override
    protected void doPost(HttpServletRequest req, HttpServletResponse resp)
        throws ServletException, IOException {
      req.logout();
      HttpSession session = req.getSession(false);
      if (session != null) {
        session.invalidate();
      }
      resp.sendRedirect("/");
    }
  }
}
