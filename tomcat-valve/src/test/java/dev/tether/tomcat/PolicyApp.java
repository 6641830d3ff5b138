package dev.tether.tomcat;

import dev.tether.Lease;
import dev.tether.servlet.AssociationServlet;
import dev.tether.servlet.TetherAttributes;
import dev.tether.servlet.TetherLoginFilter;
import dev.tether.shop.RoleAccessFilter;
import jakarta.servlet.ServletException;
import jakarta.servlet.http.HttpServlet;
import jakarta.servlet.http.HttpServletRequest;
import jakarta.servlet.http.HttpServletResponse;
import jakarta.servlet.http.HttpSession;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import org.apache.catalina.Context;
import org.apache.catalina.authenticator.FormAuthenticator;
import org.apache.catalina.startup.Tomcat;
import org.apache.tomcat.util.descriptor.web.FilterDef;
import org.apache.tomcat.util.descriptor.web.FilterMap;
import org.apache.tomcat.util.descriptor.web.LoginConfig;
import org.apache.tomcat.util.descriptor.web.SecurityCollection;
import org.apache.tomcat.util.descriptor.web.SecurityConstraint;

/**
 * A small web application at {@code /shop} on a {@link TetherServer} whose connector reads a policy
 * file: FORM login guarding {@code /shop/secure/*} (roles {@code customer}, {@code admin}), a logout
 * that ends the session, and the SA endpoints at {@code /shop/tether/*} behind
 * {@link RoleAccessFilter} for monitors with BASIC credentials, and {@link TetherLoginFilter} on every
 * request, as a portable application would map it. Users: {@code alice}/{@code secret}
 * (customer), {@code admin}/{@code secret} (admin), {@code oper}/{@code secret} (operator). Pages answer
 * {@code sa=..;resumed=..;policy=..;protocol=..;user=..}.
 */
final class PolicyApp {
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

  private PolicyApp() {}

  /** Starts a server with the policies and the application. */
  static TetherServer start(Path dir) throws Exception {
    return start(dir, false);
  }

  /** Starts a server with the policies and the application, offering h2 too if {@code http2}. */
  static TetherServer start(Path dir, boolean http2) throws Exception {
    Path file = Files.writeString(dir.resolve("policies.conf"), POLICIES);
    TetherServer.Builder builder = TetherServer.builder().set("policies", file.toString());
    TetherServer server = (http2 ? builder.http2() : builder).build();
    add(server.tomcat, dir);
    return server.start();
  }

  private static void add(Tomcat tomcat, Path dir) throws IOException {
    tomcat.addRole("alice", "customer");
    tomcat.addUser("admin", "secret");
    tomcat.addRole("admin", "admin");
    tomcat.addUser("oper", "secret");
    tomcat.addRole("oper", "operator");
    Context ctx = tomcat.addContext("/shop", Files.createDirectories(dir.resolve("shop")).toString());
    Tomcat.addServlet(ctx, "page", new PageServlet());
    ctx.addServletMappingDecoded("/*", "page");
    Tomcat.addServlet(ctx, "logout", new LogoutServlet());
    ctx.addServletMappingDecoded("/logout", "logout");
    Tomcat.addServlet(ctx, "tether", new AssociationServlet());
    ctx.addServletMappingDecoded("/tether/*", "tether");
    Tomcat.addServlet(ctx, "login", new HttpServlet() {
      @Override
      protected void service(HttpServletRequest req, HttpServletResponse resp) throws IOException {
        TetherServer.write(resp, "login-page");
      }
    });
    ctx.addServletMappingDecoded("/login", "login");

    // Portable applications map it; under the valve it must stand aside (no event counted twice).
    FilterDef login = new FilterDef();
    login.setFilterName("tether-login");
    login.setFilter(new TetherLoginFilter());
    ctx.addFilterDef(login);
    FilterMap all = new FilterMap();
    all.setFilterName("tether-login");
    all.addURLPattern("/*");
    ctx.addFilterMap(all);

    FilterDef access = new FilterDef();
    access.setFilterName("access");
    access.setFilter(new RoleAccessFilter());
    access.addInitParameter("role", "admin");
    ctx.addFilterDef(access);
    FilterMap map = new FilterMap();
    map.setFilterName("access");
    map.addURLPattern("/tether/*");
    ctx.addFilterMap(map);

    SecurityCollection secure = new SecurityCollection();
    secure.addPattern("/secure/*");
    SecurityConstraint constraint = new SecurityConstraint();
    constraint.addAuthRole("customer");
    constraint.addAuthRole("operator");
    constraint.addAuthRole("admin");
    constraint.addCollection(secure);
    ctx.addConstraint(constraint);
    ctx.addSecurityRole("customer");
    ctx.addSecurityRole("operator");
    ctx.addSecurityRole("admin");
    LoginConfig form = new LoginConfig();
    form.setAuthMethod("FORM");
    form.setLoginPage("/login");
    form.setErrorPage("/login");
    ctx.setLoginConfig(form);
    ctx.getPipeline().addValve(new FormAuthenticator());
  }

  /** Answers with the request's SA as the application sees it. */
  static final class PageServlet extends HttpServlet {
    @Override
    protected void service(HttpServletRequest req, HttpServletResponse resp) throws IOException {
      Lease lease = TetherAttributes.lease(req);
      TetherServer.write(resp, "sa=" + TetherAttributes.associationId(req)
          + ";resumed=" + TetherAttributes.resumed(req)
          + ";policy=" + (lease == null ? null : lease.policy().name())
          + ";protocol=" + (lease == null ? null : lease.association().protocol())
          + ";user=" + req.getRemoteUser());
    }
  }

  /** {@code POST /shop/logout}: logs out and ends the session, as a shop's logout button does. */
  static final class LogoutServlet extends HttpServlet {
    @Override
    protected void doPost(HttpServletRequest req, HttpServletResponse resp)
        throws ServletException, IOException {
      req.logout();
      HttpSession session = req.getSession(false);
      if (session != null) {
        session.invalidate();
      }
      resp.sendRedirect(req.getContextPath() + "/");
    }
  }
}
