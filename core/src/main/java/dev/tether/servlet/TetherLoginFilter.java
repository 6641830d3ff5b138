package dev.tether.servlet;

import dev.tether.AssociationRegistry;
import dev.tether.Lease;
import dev.tether.tls.TlsConnection;
import jakarta.servlet.FilterChain;
import jakarta.servlet.ServletException;
import jakarta.servlet.http.HttpFilter;
import jakarta.servlet.http.HttpServletRequest;
import jakarta.servlet.http.HttpServletResponse;
import java.io.IOException;
import java.lang.System.Logger.Level;

/**
 * Feeds the {@link dev.tether.PolicyEngine} with the logins, logouts and principal changes of a web
 * application, in any servlet container, and enforces the policies on its requests. It finds the
 * registry and the connection's lease in the request attributes its container's Tether adapter sets
 * ({@link TetherAttributes}).
 *
 * <ul>
 *   <li>A login that happened before the filter (the container's authenticator): a request whose
 *       user differs from the one remembered in its HTTP session (FORM), or, without a session
 *       (BASIC), from the peer's {@linkplain dev.tether.PolicyEngine#boundPrincipal bound
 *       principal}. A login the container already reported (Jetty's {@code JettyTetherLoginService},
 *       which sees FORM's {@code j_security_check} before its redirect) binds the peer, so it is not
 *       reported twice.
 *   <li>Logins and logouts inside the chain ({@code request.login()}, {@code authenticate()},
 *       {@code logout()}, an invalidated session), reported before the response can commit: the
 *       filter wraps the response and decides on the first write, flush, redirect or error, and at
 *       the end of the chain.
 *   <li>A principal change is a logout of the old user followed by a login of the new one.
 *   <li>Every request with a user records the user on the connection's SA. If the user's policy
 *       requires its own SAs and the connection's SA was negotiated under another policy, the
 *       request is refused with {@code 421 Misdirected Request} and {@code Connection: close}
 *       (counted as a refusal, reason {@code POLICY}); the peer is bound to the user's policy so
 *       that the client's retry on a new connection negotiates under it. Browsers retry a 421 on
 *       their own.
 * </ul>
 *
 * <p>A client that sends its credentials with every request (HTTP BASIC, or a monitor let in by
 * the shop's {@code RoleAccessFilter}) logs in once: later requests of the same user from the same peer are no
 * new login, and the end of such a per-request login is no logout.
 *
 * <p>Map it to {@code /*}, before any filter that logs users in or out (such as
 * the shop's {@code RoleAccessFilter}), so that it sees their calls. Where the container adapter reports these
 * events itself (Tomcat's {@code TomcatTetherValve} sets {@link TetherAttributes#LOGIN_EVENTS}), the
 * filter passes requests on untouched; without a Tether registry it does the same.
 *
 * <pre>{@code
 * <filter><filter-name>tether-login</filter-name>
 *   <filter-class>dev.tether.servlet.TetherLoginFilter</filter-class>
 *   <async-supported>true</async-supported></filter>
 * <filter-mapping><filter-name>tether-login</filter-name><url-pattern>/*</url-pattern></filter-mapping>
 * }</pre>
 *
 * <p>Thread-safe and stateless; per-request state lives in the request.
 */
public class TetherLoginFilter extends HttpFilter {
  private static final System.Logger LOG = System.getLogger(TetherLoginFilter.class.getName());

  private static final LoginFlow.Events NO_EVENTS = new LoginFlow.Events() { };

  private volatile boolean warned;

  @Override
  protected void doFilter(HttpServletRequest request, HttpServletResponse response, FilterChain chain)
      throws IOException, ServletException {
    AssociationRegistry registry = request.getAttribute(TetherAttributes.LOGIN_EVENTS) == null
        ? registryOf(request) : null;
    if (registry == null || registry.isClosed() || LoginFlow.of(request) != null) {
      chain.doFilter(request, response);
      return;
    }
    TlsConnection connection = TetherAttributes.connection(request);
    Lease lease = connection != null ? connection.lease() : TetherAttributes.lease(request);
    LoginFlow flow = new LoginFlow(registry, connection, lease, request, response,
        new SessionUsers(request, response), NO_EVENTS);
    if (!flow.admit()) {
      return;
    }
    try {
      chain.doFilter(flow.wrap(request), flow.wrap(response));
    } finally {
      flow.end();
    }
  }

  private AssociationRegistry registryOf(HttpServletRequest request) {
    try {
      return TetherAttributes.registry(request);
    } catch (IllegalStateException e) {
      if (!warned) {
        warned = true;
        LOG.log(Level.WARNING, "TetherLoginFilter cannot report logins: " + e.getMessage());
      }
      return null;
    }
  }
}
