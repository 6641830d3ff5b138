package dev.tether.servlet;

import dev.tether.AssociationRegistry;
import dev.tether.Lease;
import dev.tether.PolicyEngine;
import dev.tether.RefusalReason;
import dev.tether.SaPolicy;
import jakarta.servlet.ServletException;
import jakarta.servlet.ServletOutputStream;
import jakarta.servlet.http.HttpServletRequest;
import jakarta.servlet.http.HttpServletRequestWrapper;
import jakarta.servlet.http.HttpServletResponse;
import jakarta.servlet.http.HttpServletResponseWrapper;
import jakarta.servlet.http.HttpSession;
import java.io.IOException;
import java.io.PrintWriter;
import java.security.Principal;
import java.util.Arrays;
import java.util.Objects;
import java.util.Set;
import java.util.function.Predicate;
import java.util.stream.Collectors;

/**
 * One request as {@link TetherLoginFilter} sees it: who its user was when it arrived, which logins
 * and logouts happen during it, and what was reported to the {@link PolicyEngine}.
 *
 * <p>Evidence of a login, strongest first: {@link TetherAttributes#LOGIN_HANDLED} (another source
 * already handled it); the user remembered in the HTTP session by an earlier request (a session
 * that gains a user saw a login, one that loses it or is invalidated a logout); without a session,
 * the engine's {@link PolicyEngine#boundPrincipal} (the peer's last reported login). A login that
 * the authenticator did before the filter and that the peer's binding already names was reported
 * by the container (Jetty's login service) or is a client resending its credentials (BASIC), so it
 * is no new login; neither is a login with the request's {@code Authorization} header whose user the
 * binding names, and such a per-request login ending with its request is no logout.
 *
 * <p>Threading: one instance per request, used by the request's threads one at a time; methods are
 * synchronized for the hand-over to an async thread.
 */
final class LoginWatch {
  /** Session attribute: the name of the user last reported or adopted on the session. */
  static final String SESSION_PRINCIPAL = "dev.tether.principal";
  /** Session attribute: that user's roles among those the policies name, comma-separated. */
  static final String SESSION_ROLES = "dev.tether.principal.roles";
  /** Request attribute: the request's watch, for {@link Tether}. */
  static final String WATCH = LoginWatch.class.getName();

  private final AssociationRegistry registry;
  private final PolicyEngine engine;
  private final HttpServletRequest request;
  private final HttpServletResponse response;
  private final Lease lease;
  private final String peer;
  /** The session the request arrived with, if it remembered a user. */
  private final HttpSession startSession;
  private String user;
  private Set<String> roles;
  /** Whether {@link #user} logged in with this request's own credentials, for this request only. */
  private boolean perRequest;

  LoginWatch(AssociationRegistry registry, HttpServletRequest request,
      HttpServletResponse response) {
    this.registry = registry;
    this.engine = registry.policies();
    this.request = request;
    this.response = response;
    this.lease = TetherAttributes.lease(request);
    this.peer = lease != null ? lease.peer() : request.getRemoteAddr();
    HttpSession session = request.getSession(false);
    String remembered = session == null ? null : attribute(session, SESSION_PRINCIPAL);
    this.startSession = remembered != null ? session : null;
    this.user = remembered;
    this.roles = remembered == null ? Set.of() : parseRoles(attribute(session, SESSION_ROLES));
    request.setAttribute(WATCH, this);
  }

  /** Returns the watch of a request that {@link TetherLoginFilter} follows, or {@code null}. */
  static LoginWatch of(HttpServletRequest request) {
    return request.getAttribute(WATCH) instanceof LoginWatch w ? w : null;
  }

  /**
   * Before the chain: reports what the authenticator did before the filter, records the user on the
   * SA, and refuses the request with 421 if the user's policy does not accept the SA.
   *
   * @return false if the request was refused (the response is written)
   */
  synchronized boolean admit() throws IOException {
    String now = name(request.getUserPrincipal());
    if (!Objects.equals(now, user)) {
      if (user != null) {
        logout();
      }
      if (now != null) {
        login(now, true);
      }
    }
    remember();
    if (now == null || lease == null) {
      return true;
    }
    lease.recordPrincipal(now);
    if (engine.permits(lease, now, request::isUserInRole)) {
      return true;
    }
    refuse(now);
    return false;
  }

  /** During and after the chain: reports the logins and logouts that happened in it. */
  synchronized void observe() {
    String now = name(request.getUserPrincipal());
    if (!Objects.equals(now, user)) {
      if (user != null) {
        logout();
      }
      if (now != null) {
        login(now, false);
        if (lease != null) {
          lease.recordPrincipal(now);
          closeIfNotPermitted(now);
        }
      }
    } else if (user != null && startSession != null && !isValid(startSession)) {
      logout();
    }
    remember();
  }

  /**
   * Reports a login the application announced itself ({@link Tether#login}). The filter follows the
   * container's users only, so an identity of the application's own is not remembered here: its
   * absence from later requests is no logout.
   */
  synchronized int loginByApplication(String principal, Predicate<String> inRole) {
    if (principal.equals(user)
        || principal.equals(request.getAttribute(TetherAttributes.LOGIN_HANDLED))) {
      return 0;
    }
    int flushed = engine.login(peer, lease, principal, inRole);
    request.setAttribute(TetherAttributes.LOGIN_HANDLED, principal);
    return flushed;
  }

  /** Reports a logout the application announced itself ({@link Tether#logout}). */
  synchronized int logoutByApplication(String principal, Predicate<String> inRole) {
    if (principal.equals(user)) {
      perRequest = false;
      return logout();
    }
    return engine.logout(peer, lease, principal, inRole);
  }

  /** Wraps the request so that the application's login, logout and authenticate calls are seen. */
  HttpServletRequest request() {
    return new HttpServletRequestWrapper(request) {
      @Override
      public void login(String username, String password) throws ServletException {
        super.login(username, password);
        observe();
      }

      @Override
      public boolean authenticate(HttpServletResponse r) throws IOException, ServletException {
        boolean done = super.authenticate(r);
        observe();
        return done;
      }

      @Override
      public void logout() throws ServletException {
        observe();
        super.logout();
        loggedOut();
      }
    };
  }

  /**
   * Wraps the response so that what happened is reported before the application can send a byte:
   * a container may send a response as soon as its content length is written.
   */
  HttpServletResponse response() {
    return new HttpServletResponseWrapper(response) {
      @Override
      public ServletOutputStream getOutputStream() throws IOException {
        observe();
        return super.getOutputStream();
      }

      @Override
      public PrintWriter getWriter() throws IOException {
        observe();
        return super.getWriter();
      }

      @Override
      public void flushBuffer() throws IOException {
        observe();
        super.flushBuffer();
      }

      @Override
      public void sendError(int sc, String msg) throws IOException {
        observe();
        super.sendError(sc, msg);
      }

      @Override
      public void sendError(int sc) throws IOException {
        observe();
        super.sendError(sc);
      }

      @Override
      public void sendRedirect(String location) throws IOException {
        observe();
        super.sendRedirect(location);
      }
    };
  }

  private synchronized void loggedOut() {
    if (user != null) {
      perRequest = false;
      logout();
    }
    remember();
  }

  private void login(String name, boolean beforeChain) {
    boolean credentials = request.getHeader("Authorization") != null;
    boolean known = name.equals(request.getAttribute(TetherAttributes.LOGIN_HANDLED))
        || ((beforeChain || credentials) && name.equals(engine.boundPrincipal(peer)))
        || (beforeChain && lease != null && lease.association().principals().contains(name));
    if (!known) {
      engine.login(peer, lease, name, request::isUserInRole);
    }
    adopt(name, request::isUserInRole, credentials);
  }

  private void adopt(String name, Predicate<String> inRole, boolean credentials) {
    request.setAttribute(TetherAttributes.LOGIN_HANDLED, name);
    user = name;
    roles = engine.policies().roles().stream().filter(inRole).collect(Collectors.toUnmodifiableSet());
    perRequest = credentials;
  }

  private int logout() {
    String name = user;
    Set<String> had = roles;
    boolean transientLogin = perRequest;
    user = null;
    roles = Set.of();
    perRequest = false;
    // Credentials sent with the request log in for that request only: their end is no logout.
    if (transientLogin) {
      return 0;
    }
    int flushed = engine.logout(peer, lease, name, had::contains);
    if (lease != null && lease.isDeleted() && !response.isCommitted()) {
      response.setHeader("Connection", "close");
    }
    return flushed;
  }

  /** Keeps the user in the session, so that later requests on it know who logged in. */
  private void remember() {
    HttpSession session = request.getSession(false);
    if (session == null) {
      return;
    }
    try {
      String remembered = attribute(session, SESSION_PRINCIPAL);
      if (user == null) {
        if (remembered != null) {
          session.removeAttribute(SESSION_PRINCIPAL);
          session.removeAttribute(SESSION_ROLES);
        }
      } else if (!user.equals(remembered)) {
        session.setAttribute(SESSION_PRINCIPAL, user);
        session.setAttribute(SESSION_ROLES, String.join(",", roles));
      }
    } catch (IllegalStateException invalidated) {
      // The session ended meanwhile; nothing to remember it in.
    }
  }

  private void closeIfNotPermitted(String name) {
    if (!response.isCommitted() && (lease.isDeleted()
        || !engine.permits(lease, name, request::isUserInRole))) {
      // The login left the connection on an SA its policy refuses: end the connection after this
      // response, so that the client's next request negotiates anew instead of meeting a 421.
      response.setHeader("Connection", "close");
    }
  }

  private void refuse(String name) throws IOException {
    registry.recordRefusal(peer, RefusalReason.POLICY);
    SaPolicy needed = engine.bind(peer, name, request::isUserInRole);
    writeMisdirected(request, response, lease.policy().name(), needed.name());
  }

  /** Writes the 421 answer: the client must retry on a new connection, under the right policy. */
  static void writeMisdirected(HttpServletRequest request, HttpServletResponse response,
      String negotiated, String needed) throws IOException {
    Misdirected.write(request, response, Misdirected.policyMismatch(negotiated, needed));
  }

  private static boolean isValid(HttpSession session) {
    try {
      session.getCreationTime();
      return true;
    } catch (IllegalStateException e) {
      return false;
    }
  }

  private static String attribute(HttpSession session, String name) {
    try {
      return session.getAttribute(name) instanceof String s ? s : null;
    } catch (IllegalStateException invalidated) {
      return null;
    }
  }

  private static Set<String> parseRoles(String value) {
    if (value == null || value.isEmpty()) {
      return Set.of();
    }
    return Set.copyOf(Arrays.asList(value.split(",")));
  }

  private static String name(Principal principal) {
    return principal == null ? null : principal.getName();
  }
}
