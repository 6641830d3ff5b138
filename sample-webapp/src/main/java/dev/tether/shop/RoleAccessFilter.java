package dev.tether.shop;

import jakarta.servlet.FilterChain;
import jakarta.servlet.FilterConfig;
import jakarta.servlet.ServletException;
import jakarta.servlet.http.HttpFilter;
import jakarta.servlet.http.HttpServletRequest;
import jakarta.servlet.http.HttpServletResponse;
import jakarta.servlet.http.HttpSession;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.util.Base64;

/**
 * Admits only users in one role, authenticated either by the application's own login (a FORM
 * session, typically) or by HTTP BASIC credentials sent with the request, so that browsers and
 * scripts share the same URLs. A {@code web.xml} has a single {@code login-config}, so BASIC cannot be
 * declared next to FORM; this filter logs BASIC credentials in with {@code request.login(...)}
 * against the container's realm instead. Map it to the paths it guards and leave those paths out of
 * every {@code security-constraint} (a constraint would send BASIC clients to the login form first).
 *
 * <ul>
 *   <li>An unauthenticated request, or one whose credentials the realm rejects, gets 401 with
 *       {@code WWW-Authenticate: Basic realm="..."};
 *   <li>an authenticated user without the role gets 403;
 *   <li>otherwise the request goes on.
 * </ul>
 *
 * <p>A BASIC login lasts for its request only: if the container created an HTTP session to hold it,
 * the filter invalidates that session afterwards, so monitors that poll leave no sessions behind.
 *
 * <p>Init parameters: {@code role} (default {@code admin}) and {@code realm} (the realm name shown in
 * the challenge, default {@code Tether}); a blank role or a realm with a quote fails the
 * application's start.
 *
 * <pre>{@code
 * <filter><filter-name>tether-access</filter-name>
 *   <filter-class>dev.tether.shop.RoleAccessFilter</filter-class>
 *   <init-param><param-name>role</param-name><param-value>admin</param-value></init-param></filter>
 * <filter-mapping><filter-name>tether-access</filter-name><url-pattern>/tether/*</url-pattern></filter-mapping>
 * }</pre>
 *
 * <p>Thread-safe: its settings are fixed at {@link #init(FilterConfig)}.
 */
public class RoleAccessFilter extends HttpFilter {
  /** The role required when the {@code role} init parameter is not set. */
  public static final String DEFAULT_ROLE = "admin";
  /** The realm named in the challenge when the {@code realm} init parameter is not set. */
  public static final String DEFAULT_REALM = "Tether";

  private String role = DEFAULT_ROLE;
  private String realm = DEFAULT_REALM;

  @Override
  public void init() throws ServletException {
    String r = getInitParameter("role");
    if (r != null) {
      if (r.isBlank()) {
        throw new ServletException("RoleAccessFilter: init parameter role='" + r + "' is blank");
      }
      role = r.trim();
    }
    String m = getInitParameter("realm");
    if (m != null) {
      if (m.isBlank() || m.indexOf('"') >= 0 || m.indexOf('\\') >= 0) {
        throw new ServletException("RoleAccessFilter: init parameter realm='" + m
            + "' must be non-blank, without quotes or backslashes");
      }
      realm = m.trim();
    }
  }

  /** Returns the role a user needs. */
  public String role() {
    return role;
  }

  @Override
  protected void doFilter(HttpServletRequest request, HttpServletResponse response, FilterChain chain)
      throws IOException, ServletException {
    boolean basicLogin = false;
    boolean hadSession = request.getSession(false) != null;
    String authorization = request.getHeader("Authorization");
    if (authorization != null && authorization.regionMatches(true, 0, "Basic ", 0, 6)
        && request.getUserPrincipal() == null) {
      String[] credentials = decode(authorization.substring(6).trim());
      try {
        if (credentials == null) {
          throw new ServletException("malformed BASIC credentials");
        }
        request.login(credentials[0], credentials[1]);
        basicLogin = true;
      } catch (ServletException e) {
        challenge(response, "the credentials were rejected");
        return;
      }
    }
    try {
      if (request.getUserPrincipal() == null) {
        challenge(response, "authentication required (a session, or HTTP BASIC credentials)");
      } else if (!request.isUserInRole(role)) {
        error(response, HttpServletResponse.SC_FORBIDDEN, "role '" + role + "' required");
      } else {
        chain.doFilter(request, response);
      }
    } finally {
      if (basicLogin && !hadSession) {
        HttpSession session = request.getSession(false);
        if (session != null) {
          try {
            session.invalidate();
          } catch (IllegalStateException alreadyInvalid) {
            // The application ended it first; nothing is left behind either way.
          }
        }
      }
    }
  }

  private void challenge(HttpServletResponse response, String message) throws IOException {
    response.setHeader("WWW-Authenticate", "Basic realm=\"" + realm + "\", charset=\"UTF-8\"");
    error(response, HttpServletResponse.SC_UNAUTHORIZED, message);
  }

  /** Answers {@code {"error":"..."}}, as the SA endpoints behind the filter do. */
  private static void error(HttpServletResponse response, int status, String message)
      throws IOException {
    response.setStatus(status);
    response.setContentType("application/json");
    response.setCharacterEncoding("UTF-8");
    response.setHeader("Cache-Control", "no-store");
    response.setHeader("X-Content-Type-Options", "nosniff");
    StringBuilder json = new StringBuilder("{\"error\":\"");
    for (char c : message.toCharArray()) {
      if (c == '"' || c == '\\') {
        json.append('\\').append(c);
      } else if (c < 0x20) {
        json.append(String.format("\\u%04x", (int) c));
      } else {
        json.append(c);
      }
    }
    response.getWriter().write(json.append("\"}").toString());
  }

  /** Returns {user, password} from a BASIC token, or {@code null} if it is malformed. */
  static String[] decode(String token) {
    String decoded;
    try {
      decoded = new String(Base64.getDecoder().decode(token), StandardCharsets.UTF_8);
    } catch (IllegalArgumentException e) {
      return null;
    }
    int colon = decoded.indexOf(':');
    if (colon <= 0) {
      return null;
    }
    return new String[] {decoded.substring(0, colon), decoded.substring(colon + 1)};
  }
}
