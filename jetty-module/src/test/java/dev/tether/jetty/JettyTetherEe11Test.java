package dev.tether.jetty;

import static org.assertj.core.api.Assertions.assertThat;

import dev.tether.AssociationRegistry;
import dev.tether.DeletionCause;
import dev.tether.Lease;
import dev.tether.servlet.TetherAttributes;
import dev.tether.servlet.TetherLoginFilter;
import dev.tether.testing.WebClient;
import jakarta.servlet.DispatcherType;
import jakarta.servlet.ServletException;
import jakarta.servlet.http.HttpServlet;
import jakarta.servlet.http.HttpServletRequest;
import jakarta.servlet.http.HttpServletResponse;
import java.io.IOException;
import java.net.http.HttpResponse;
import java.util.EnumSet;
import org.eclipse.jetty.ee11.servlet.FilterHolder;
import org.eclipse.jetty.ee11.servlet.ServletContextHandler;
import org.eclipse.jetty.ee11.servlet.ServletHolder;
import org.eclipse.jetty.ee11.servlet.security.ConstraintSecurityHandler;
import org.eclipse.jetty.security.HashLoginService;
import org.eclipse.jetty.security.UserStore;
import org.eclipse.jetty.security.authentication.FormAuthenticator;
import org.eclipse.jetty.util.security.Credential;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/**
 * Jetty 12.1's ee11 environment (Servlet 6.1) sees the request attributes Tether puts on the core
 * request, and a login through {@link JettyTetherLoginService} under {@link TetherLoginFilter} is
 * reported once. Runs in its own surefire execution, with the Servlet 6.1 API (see the pom).
 */
class JettyTetherEe11Test {
  private final TestServer server = new TestServer();
  private AssociationRegistry registry;

  @AfterEach
  void stop() throws Exception {
    server.close();
  }

  @Test
  void ee11Servlet_seesTheAttributes_andALoginIsReportedOnce() throws Exception {
    JettyTether tether = JettyTether.addToAllConnectors(server.server);
    ServletContextHandler context = new ServletContextHandler(ServletContextHandler.SESSIONS);
    context.addFilter(new FilterHolder(new TetherLoginFilter()), "/*",
        EnumSet.of(DispatcherType.REQUEST));
    context.addServlet(new ServletHolder(new AttributesServlet()), "/*");
    UserStore users = new UserStore();
    users.addUser("alice", Credential.getCredential("secret"), new String[] {"customer"});
    HashLoginService realm = new HashLoginService("ee11");
    realm.setUserStore(users);
    ConstraintSecurityHandler security = new ConstraintSecurityHandler();
    security.setAuthenticator(new FormAuthenticator("/login", "/login", false));
    security.setLoginService(JettyTetherLoginService.wrap(realm));
    context.setSecurityHandler(security);
    server.server.setHandler(context);
    server.start();
    registry = tether.registry();
    WebClient client = new WebClient(TestServer.CERT.clientContext(), server.port());

    HttpResponse<String> page = client.get("/page");
    assertThat(page.body()).contains("environment=ee11");
    assertThat(WebClient.field(page, "sa")).isEqualTo(registry.associations().get(0).id());
    assertThat(WebClient.field(page, "lease")).isEqualTo(WebClient.field(page, "sa"));
    assertThat(WebClient.field(page, "resumed")).isEqualTo("false");
    assertThat(WebClient.field(page, "registry")).isEqualTo("default");

    HttpResponse<String> login = client.get("/page?login=alice");
    assertThat(WebClient.field(login, "user")).isEqualTo("alice");
    assertThat(registry.stats().deletedByCause()).containsEntry(DeletionCause.LOGIN, 1L);
    assertThat(registry.policies().boundPrincipal("127.0.0.1")).isEqualTo("alice");
  }

  /** Answers with the attributes; {@code ?login=NAME} logs NAME in with the password "secret". */
  static final class AttributesServlet extends HttpServlet {
    @Override
    protected void service(HttpServletRequest req, HttpServletResponse resp)
        throws IOException, ServletException {
      if (req.getParameter("login") != null) {
        req.login(req.getParameter("login"), "secret");
      }
      Lease lease = TetherAttributes.lease(req);
      resp.setContentType("text/plain");
      resp.getWriter().write("environment=" + (req.getServletContext().getMajorVersion() == 6
              && req.getServletContext().getMinorVersion() == 1 ? "ee11" : "other")
          + ";sa=" + TetherAttributes.associationId(req)
          + ";lease=" + (lease == null ? null : lease.associationId())
          + ";resumed=" + TetherAttributes.resumed(req)
          + ";registry=" + TetherAttributes.registry(req).name()
          + ";user=" + req.getRemoteUser());
    }
  }
}
