package dev.tether.boot;

import dev.tether.AssociationRegistry;
import dev.tether.Lease;
import dev.tether.PolicyEngine;
import dev.tether.servlet.LoginFlow;
import dev.tether.servlet.TetherAttributes;
import dev.tether.tls.ConnectionLogin;
import dev.tether.tls.TlsConnection;
import jakarta.servlet.http.HttpServletRequest;
import jakarta.servlet.http.HttpServletResponse;
import java.util.function.Predicate;
import org.apache.commons.logging.Log;
import org.apache.commons.logging.LogFactory;
import org.springframework.context.ApplicationListener;
import org.springframework.security.authentication.event.AbstractAuthenticationEvent;
import org.springframework.security.authentication.event.AuthenticationSuccessEvent;
import org.springframework.security.authentication.event.InteractiveAuthenticationSuccessEvent;
import org.springframework.security.authentication.event.LogoutSuccessEvent;
import org.springframework.security.core.Authentication;
import org.springframework.security.core.context.SecurityContextHolderStrategy;
import org.springframework.security.core.userdetails.UserDetails;
import org.springframework.security.web.authentication.session.SessionFixationProtectionEvent;
import org.springframework.security.web.authentication.switchuser.AuthenticationSwitchUserEvent;

/**
 * Reports Spring Security's logins and logouts to the {@link PolicyEngine} of the request's registry.
 * Spring Security does not set the container's principal, so the containers' own login detection
 * sees none of them; its events arrive on the request's thread, before the response is written.
 *
 * <ul>
 *   <li>{@link InteractiveAuthenticationSuccessEvent} (form login, remember-me, OAuth2 login),
 *       published before the success handler writes its redirect: a login.
 *   <li>{@link AuthenticationSuccessEvent} with the request's own {@code Authorization} credentials
 *       (BASIC, bearer tokens), published on every request: a login once per binding, as the
 *       containers count BASIC: a user the connection already served, the client address is bound
 *       to, or the connection's SA served, is no new login. Without credentials on the request it
 *       precedes an interactive event and only notes who the session held before.
 *   <li>{@link SessionFixationProtectionEvent}: the login it protects (an application's own login
 *       that applies the session strategy publishes no other event); whatever the strategy
 *       (change the id, migrate, a new session), it is one login and no logout.
 *   <li>{@link AuthenticationSwitchUserEvent}: a logout of the current user and a login of the
 *       target (and back on exit).
 *   <li>{@link LogoutSuccessEvent}, published after the logout handlers, before the success handler's
 *       redirect: a logout.
 * </ul>
 *
 * <p>A login of another user than the one the connection (or the session) had is a principal
 * change: a logout of the former, then a login. A login or logout that deleted the connection's SA
 * (unless the user's policy says {@code open-connections = keep}), or whose policy refuses it, ends
 * the connection after the response ({@code Connection: close}), as {@link LoginFlow} does for the
 * container's logins.
 * One login is reported once however many events announce it ({@code dev.tether.login.handled}).
 *
 * <p>Thread-safe: the state is the request's and its connection's.
 */
final class SecurityLogins implements ApplicationListener<AbstractAuthenticationEvent> {
  /** Request attribute: the user the session held before a login in this request. */
  static final String PREVIOUS = SecurityLogins.class.getName() + ".previous";

  private static final Log LOG = LogFactory.getLog(SecurityLogins.class);

  private final TetherRequestFilter requests;
  private final SpringUsers users;
  private final SecurityContextHolderStrategy contexts;

  SecurityLogins(TetherRequestFilter requests, SpringUsers users,
      SecurityContextHolderStrategy contexts) {
    this.requests = requests;
    this.users = users;
    this.contexts = contexts;
  }

  @Override
  public void onApplicationEvent(AbstractAuthenticationEvent event) {
    TetherRequestFilter.Exchange exchange = requests.current();
    At at = exchange == null ? null : At.of(exchange.request(), exchange.response());
    if (at == null) {
      return; // not during a request Tether follows
    }
    Authentication auth = event.getAuthentication();
    // Subtypes first: an interactive login is also an authentication success.
    if (event instanceof InteractiveAuthenticationSuccessEvent) {
      login(at, auth, false);
    } else if (event instanceof SessionFixationProtectionEvent) {
      rememberPrevious(at, auth);
      login(at, auth, at.credentials());
    } else if (event instanceof AuthenticationSwitchUserEvent e) {
      switched(at, auth, e.getTargetUser());
    } else if (event instanceof LogoutSuccessEvent) {
      logout(at, auth);
    } else if (event instanceof AuthenticationSuccessEvent) {
      if (at.credentials()) {
        login(at, auth, true);
      } else {
        rememberPrevious(at, auth);
      }
    }
  }

  /** Notes who the session held before a login of another user in this request. */
  private void rememberPrevious(At at, Authentication auth) {
    Authentication current = contexts.getContext().getAuthentication();
    if (SpringUsers.isUser(current) && SpringUsers.isUser(auth)
        && !current.getName().equals(auth.getName())
        && at.request().getAttribute(PREVIOUS) == null) {
      at.request().setAttribute(PREVIOUS, current);
    }
  }

  private void login(At at, Authentication auth, boolean resent) {
    if (!SpringUsers.isUser(auth)) {
      return;
    }
    String name = auth.getName();
    HttpServletRequest request = at.request();
    if (name.equals(request.getAttribute(TetherAttributes.LOGIN_HANDLED))) {
      return;
    }
    PolicyEngine engine = at.registry().policies();
    Predicate<String> roles = users.roles(auth.getAuthorities());
    ConnectionLogin known = at.known();
    ConnectionLogin next = SpringUsers.login(engine, name, roles);
    // Claims the change before acting on it: another stream of an HTTP/2 connection may be logging
    // the same user in at once, and one of them reports the login.
    while (!known.is(name) && !at.known(known, next)) {
      known = at.known();
    }
    if (known.is(name)) {
      // The connection's user again (BASIC on a kept-alive connection, or on another stream): no
      // login.
      at.recordPrincipal(name);
      return;
    }
    String previous = null;
    Predicate<String> previousRoles = null;
    if (known.state() == ConnectionLogin.State.USER) {
      previous = known.name();
      previousRoles = known.roles()::contains;
    } else if (request.getAttribute(PREVIOUS) instanceof Authentication p
        && !p.getName().equals(name)) {
      previous = p.getName();
      previousRoles = users.roles(p.getAuthorities());
    }
    int flushed;
    if (previous != null) {
      engine.logout(at.peer(), at.lease(), previous, previousRoles);
      flushed = engine.login(at.peer(), at.lease(), name, roles);
      request.setAttribute(TetherAttributes.LOGIN_HANDLED, name);
    } else {
      flushed = LoginFlow.reportLogin(at.registry(), at.lease(), at.peer(), name, roles,
          request::getAttribute, request::setAttribute, resent);
    }
    at.recordPrincipal(name);
    if (flushed >= 0) {
      if (LOG.isDebugEnabled()) {
        LOG.debug("Tether: login of " + name + (previous == null ? "" : " after " + previous)
            + " from " + at.peer() + ", " + flushed + " SA(s) flushed");
      }
      at.closeIfEnded(engine, name, roles);
    }
  }

  private void switched(At at, Authentication auth, UserDetails target) {
    if (target == null || !SpringUsers.isUser(auth) || target.getUsername().equals(auth.getName())) {
      return;
    }
    PolicyEngine engine = at.registry().policies();
    String to = target.getUsername();
    Predicate<String> roles = users.roles(target.getAuthorities());
    engine.logout(at.peer(), at.lease(), auth.getName(), users.roles(auth.getAuthorities()));
    engine.login(at.peer(), at.lease(), to, roles);
    at.request().setAttribute(TetherAttributes.LOGIN_HANDLED, to);
    at.known(SpringUsers.login(engine, to, roles));
    if (LOG.isDebugEnabled()) {
      LOG.debug("Tether: " + auth.getName() + " switched to " + to + " from " + at.peer());
    }
    at.closeIfEnded(engine, to, roles);
  }

  private void logout(At at, Authentication auth) {
    if (!SpringUsers.isUser(auth)) {
      return;
    }
    int flushed = at.registry().policies().logout(at.peer(), at.lease(), auth.getName(),
        users.roles(auth.getAuthorities()));
    at.known(ConnectionLogin.ANONYMOUS);
    if (LOG.isDebugEnabled()) {
      LOG.debug("Tether: logout of " + auth.getName() + " from " + at.peer() + ", " + flushed
          + " SA(s) flushed");
    }
    if (at.registry().policies().flushedConnection(at.lease(), auth.getName(),
        users.roles(auth.getAuthorities()))) {
      at.closeAfterResponse();
    }
  }

  /** A request Tether follows: its registry, connection, lease and peer. */
  private record At(HttpServletRequest request, HttpServletResponse response,
      AssociationRegistry registry, TlsConnection connection, Lease lease, String peer) {

    static At of(HttpServletRequest request, HttpServletResponse response) {
      AssociationRegistry registry;
      try {
        registry = TetherAttributes.registry(request);
      } catch (IllegalStateException foreign) {
        return null;
      }
      if (registry == null || registry.isClosed()) {
        return null;
      }
      TlsConnection connection = TetherAttributes.connection(request);
      Lease lease = connection != null ? connection.lease() : TetherAttributes.lease(request);
      String peer = lease != null ? lease.peer() : request.getRemoteAddr();
      return new At(request, response, registry, connection, lease, peer);
    }

    boolean credentials() {
      return request.getHeader("Authorization") != null;
    }

    ConnectionLogin known() {
      return connection != null ? connection.login() : ConnectionLogin.UNSEEN;
    }

    /**
     * Notes the connection's user if it is still {@code expected}; returns false if another request
     * of the connection (HTTP/2) changed it meanwhile. Without a connection, true.
     */
    boolean known(ConnectionLogin expected, ConnectionLogin login) {
      return connection == null || connection.login(expected, login);
    }

    /**
     * Notes the connection's user after a switch or a logout: these follow a user the request's
     * session already held, and this request's decision stands.
     */
    void known(ConnectionLogin login) {
      if (connection != null) {
        ConnectionLogin now = connection.login();
        while (!connection.login(now, login)) {
          now = connection.login();
        }
      }
    }

    void recordPrincipal(String name) {
      if (lease != null) {
        lease.recordPrincipal(name);
      }
    }

    /**
     * Ends the connection after the response if the user's login deleted its SA (as
     * {@link LoginFlow} decides for the container's logins) or its SA refuses the user.
     */
    void closeIfEnded(PolicyEngine engine, String name, Predicate<String> roles) {
      if (engine.endsConnection(lease, name, roles)) {
        closeAfterResponse();
      }
    }

    /**
     * Tells the container, and the client, that the connection ends with this response: the
     * connection ends once its requests in progress are done (HTTP/2: GOAWAY), and an HTTP/1.1
     * response says {@code Connection: close} (HTTP/2 has no such header).
     */
    void closeAfterResponse() {
      if (connection != null) {
        connection.endAfterRequests();
      }
      if (!response.isCommitted() && !"HTTP/2.0".equals(request.getProtocol())) {
        response.setHeader("Connection", "close");
      }
    }
  }
}
