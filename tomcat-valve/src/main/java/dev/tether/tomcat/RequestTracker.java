package dev.tether.tomcat;

import dev.tether.Lease;
import dev.tether.PolicyEngine;
import dev.tether.RefusalReason;
import dev.tether.SaPolicy;
import dev.tether.servlet.Misdirected;
import dev.tether.servlet.TetherAttributes;
import jakarta.servlet.ServletException;
import jakarta.servlet.http.HttpServletRequest;
import jakarta.servlet.http.HttpServletRequestWrapper;
import jakarta.servlet.http.HttpServletResponse;
import java.io.IOException;
import java.security.Principal;
import java.util.function.Predicate;
import org.apache.catalina.Context;
import org.apache.catalina.Realm;
import org.apache.catalina.Session;
import org.apache.catalina.connector.Request;
import org.apache.catalina.connector.Response;

/**
 * Tells, for one request on a tracked connection, whether it carried a login, a logout or a change of
 * principal, reports it to the connection's {@link PolicyEngine} (and then to the valve's listeners),
 * and enforces the user's policy. Evidence, strongest first:
 *
 * <ol>
 *   <li>the application's own {@code login()} and {@code logout()} calls, seen through a request
 *       wrapper the moment they return;
 *   <li>the principal kept in the HTTP session (FORM, and any authenticator that caches): a session
 *       that gains a user is a login, one that loses it (or is invalidated) a logout; a session that
 *       merely starts caching the connection's known user is not a login;
 *   <li>without a session (BASIC, CLIENT-CERT): the user of the connection's earlier requests, and
 *       the peer's binding. A user the connection has not seen is a login unless the peer is bound to
 *       that user already (the login was reported on an earlier connection) or the connection's SA
 *       already served the user, so a client that resends its credentials on every new connection
 *       logs in once.
 * </ol>
 *
 * <p>A login with the request's own {@code Authorization} credentials that the peer's binding already
 * names is no new login (a monitor let in by {@code RoleAccessFilter} calls {@code login()} on every
 * request), and the end of such a per-request login is no logout.
 *
 * <p>The decision is taken after the authenticator ({@link TomcatPolicyCheck}), when the application
 * calls {@code login()}/{@code logout()}, before it first writes or redirects (see
 * {@link TrackingResponse}), and after the request. A principal change is reported to the engine as
 * a logout of the old user and a login of the new one.
 *
 * <p>Threading: one instance per request, used by the request's threads one at a time (methods are
 * synchronized for the hand-over to an async thread).
 */
final class RequestTracker {
  /** The request note under which {@link TomcatPolicyCheck} finds the tracker. */
  static final String NOTE = RequestTracker.class.getName();

  enum Trigger { AUTHENTICATED, LOGIN_CALL, LOGOUT_CALL, BEFORE_OUTPUT, END }

  private final TomcatTetherValve valve;
  private final TrackedConnection connection;
  private final Lease lease;
  private final Request request;
  private final Response response;
  private final PolicyEngine engine;
  private final boolean credentials;
  private Principal sessionUser;
  /** The user who logged out during this request; the request itself may still carry the principal. */
  private String loggedOut;
  /** The user who logged in with this request's own credentials, for this request only. */
  private String perRequest;

  RequestTracker(TomcatTetherValve valve, TrackedConnection connection, Lease lease,
      Request request, Response response) {
    this.valve = valve;
    this.connection = connection;
    this.lease = lease;
    this.request = request;
    this.response = response;
    this.engine = lease.registry().policies();
    this.credentials = request.getHeader("Authorization") != null;
    this.sessionUser = sessionUser(request);
  }

  /** Wraps the application's request so that its login and logout calls are seen at once. */
  HttpServletRequest wrap(HttpServletRequest applicationRequest) {
    return new HttpServletRequestWrapper(applicationRequest) {
      @Override
      public void login(String username, String password) throws ServletException {
        super.login(username, password);
        observe(Trigger.LOGIN_CALL, null);
      }

      @Override
      public void logout() throws ServletException {
        Principal user = request.getUserPrincipal();
        super.logout();
        observe(Trigger.LOGOUT_CALL, user);
      }
    };
  }

  /** Wraps the application's response: see {@link TrackingResponse}. */
  HttpServletResponse wrap(HttpServletResponse applicationResponse) {
    return new TrackingResponse(applicationResponse, () -> observe(Trigger.BEFORE_OUTPUT, null));
  }

  /**
   * After the authenticator, before the application: reports what the authenticator did, records
   * the user on the SA, and refuses the request with 421 if the user's policy does not accept the
   * connection's SA. The peer is then bound to the user's policy, so that the client's retry on a
   * new connection negotiates under it.
   *
   * @return false if the request was refused (the response is written)
   */
  synchronized boolean admit() throws IOException {
    observe(Trigger.AUTHENTICATED, null);
    Principal user = request.getUserPrincipal();
    if (user == null) {
      return true;
    }
    String name = user.getName();
    lease.recordPrincipal(name);
    Predicate<String> roles = rolesOf(user);
    if (engine.permits(lease, name, roles)) {
      return true;
    }
    lease.registry().recordRefusal(lease.peer(), RefusalReason.POLICY);
    SaPolicy needed = engine.bind(lease.peer(), name, roles);
    Misdirected.write(request, response,
        Misdirected.policyMismatch(lease.policy().name(), needed.name()));
    return false;
  }

  synchronized void observe(Trigger trigger, Principal beforeLogout) {
    Principal user = request.getUserPrincipal();
    Principal before = sessionUser;
    Principal after = sessionUser(request);
    sessionUser = after;
    String known = connection.principal();

    if (trigger == Trigger.LOGOUT_CALL) {
      Principal gone = beforeLogout != null ? beforeLogout : before != null ? before : connection.user();
      if (gone != null && !gone.getName().equals(loggedOut)) {
        logout(gone);
      }
      connection.anonymous();
    } else if (after != null && !same(after, before)) {
      if (!after.getName().equals(known)) {
        Principal previous = isName(known) ? connection.user() : before;
        if (previous != null && !same(previous, after)) {
          changed(previous, after);
        } else {
          login(after, false);
        }
      }
      becomes(after);
    } else if (before != null && after == null) {
      // The session lost its user; a login with this request's credentials ends with it silently.
      if (!before.getName().equals(loggedOut) && !before.getName().equals(perRequest)) {
        logout(before);
      }
      connection.anonymous();
    } else if (user != null && user.getName().equals(loggedOut) && trigger != Trigger.LOGIN_CALL) {
      return;
    } else if (user == null) {
      if (known == TrackedConnection.UNSEEN && !credentials) {
        connection.anonymous();
      }
    } else if (!user.getName().equals(known)) {
      if (isName(known)) {
        changed(connection.user(), user);
      } else if (!same(user, after)) {
        // A user restored from the session logged in when the session gained it.
        login(user, trigger != Trigger.LOGIN_CALL);
      }
      if (trigger == Trigger.LOGIN_CALL && credentials) {
        perRequest = user.getName();
      }
      becomes(user);
    }
  }

  /**
   * Reports a login unless it is none: a login this request already handled, or one the peer's
   * binding names that came with credentials or before the application (a client resending them).
   */
  private void login(Principal user, boolean beforeApplication) {
    String name = user.getName();
    if (name.equals(request.getAttribute(TetherAttributes.LOGIN_HANDLED))) {
      return;
    }
    request.setAttribute(TetherAttributes.LOGIN_HANDLED, name);
    boolean resent = (credentials || beforeApplication)
        && (name.equals(engine.boundPrincipal(lease.peer()))
            || lease.association().principals().contains(name));
    if (resent) {
      return;
    }
    Predicate<String> roles = rolesOf(user);
    engine.login(lease.peer(), lease, name, roles);
    closeIfNotPermitted(name, roles);
    HttpServletRequest r = request.getRequest();
    valve.fire(l -> l.login(name, lease, r), "login", name);
  }

  private void changed(Principal previous, Principal user) {
    String name = user.getName();
    engine.logout(lease.peer(), lease, previous.getName(), rolesOf(previous));
    Predicate<String> roles = rolesOf(user);
    engine.login(lease.peer(), lease, name, roles);
    request.setAttribute(TetherAttributes.LOGIN_HANDLED, name);
    closeIfNotPermitted(name, roles);
    HttpServletRequest r = request.getRequest();
    valve.fire(l -> l.principalChanged(previous.getName(), name, lease, r), "principal change",
        name);
  }

  private void logout(Principal user) {
    String name = user.getName();
    loggedOut = name;
    engine.logout(lease.peer(), lease, name, rolesOf(user));
    if (lease.isDeleted() && !response.isCommitted()) {
      response.setHeader("Connection", "close");
    }
    HttpServletRequest r = request.getRequest();
    valve.fire(l -> l.logout(name, lease, r), "logout", name);
  }

  private void becomes(Principal user) {
    lease.recordPrincipal(user.getName());
    if (!user.getName().equals(connection.principal()) || connection.user() == null) {
      connection.user(user);
    }
  }

  /**
   * A login that leaves the connection on an SA its new policy refuses ends the connection after
   * this response (FORM's redirect is sent after the pipeline returns, so there is still time): the
   * client's next request negotiates anew instead of meeting a 421.
   */
  private void closeIfNotPermitted(String name, Predicate<String> roles) {
    if (!response.isCommitted() && (lease.isDeleted() || !engine.permits(lease, name, roles))) {
      response.setHeader("Connection", "close");
    }
  }

  /** The user's roles as the context's realm sees them; works for a user no longer logged in. */
  private Predicate<String> rolesOf(Principal user) {
    Context context = request.getContext();
    Realm realm = context == null ? null : context.getRealm();
    return role -> realm != null && realm.hasRole(request.getWrapper(), user, role);
  }

  private static boolean same(Principal a, Principal b) {
    return a != null && b != null && a.getName().equals(b.getName());
  }

  private static boolean isName(String known) {
    return known != TrackedConnection.UNSEEN && known != TrackedConnection.ANONYMOUS;
  }

  private static Principal sessionUser(Request request) {
    Session session = request.getSessionInternal(false);
    return session == null ? null : session.getPrincipal();
  }
}
