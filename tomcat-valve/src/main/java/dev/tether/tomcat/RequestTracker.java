package dev.tether.tomcat;

import dev.tether.Lease;
import jakarta.servlet.ServletException;
import jakarta.servlet.ServletOutputStream;
import jakarta.servlet.http.HttpServletRequest;
import jakarta.servlet.http.HttpServletRequestWrapper;
import jakarta.servlet.http.HttpServletResponse;
import jakarta.servlet.http.HttpServletResponseWrapper;
import java.io.IOException;
import java.io.PrintWriter;
import java.security.Principal;
import java.util.Set;
import org.apache.catalina.Session;
import org.apache.catalina.connector.Request;

/**
 * Tells, for one request on a tracked connection, whether it carried a login, a logout or a change of
 * principal. Evidence, strongest first:
 *
 * <ol>
 *   <li>the application's own {@code login()} and {@code logout()} calls, seen through a request
 *       wrapper the moment they return;
 *   <li>the principal kept in the HTTP session (FORM, and any authenticator that caches): a session
 *       that gains a user is a login, one that loses it (or is invalidated) a logout; a session that
 *       merely starts caching the connection's known user is not a login;
 *   <li>without a session (BASIC, CLIENT-CERT): the user of the connection's earlier requests. A
 *       connection that served an anonymous request (no user, no {@code Authorization} header) and
 *       then a user's request saw a login. The first request of a connection counts as a login only
 *       if it resumed an SA that never saw this user, so a client that resends its credentials on
 *       every new connection logs in once, not once per connection.
 * </ol>
 *
 * <p>The decision is taken when the application calls {@code login()}/{@code logout()}, before it
 * first writes or redirects (the authenticator has run by then), and after the request.
 *
 * <p>Threading: one instance per request, used by the request's threads one at a time (methods are
 * synchronized for the hand-over to an async thread).
 */
final class RequestTracker {
  enum Trigger { LOGIN_CALL, LOGOUT_CALL, BEFORE_OUTPUT, END }

  private final TomcatTetherValve valve;
  private final TrackedConnection connection;
  private final Lease lease;
  private final Request request;
  private String sessionUser;
  /** The user who logged out during this request; the request itself may still carry the principal. */
  private String loggedOut;

  RequestTracker(TomcatTetherValve valve, TrackedConnection connection, Lease lease,
      Request request) {
    this.valve = valve;
    this.connection = connection;
    this.lease = lease;
    this.request = request;
    this.sessionUser = sessionUser(request);
  }

  /** Wraps the application's request so that its login and logout calls are seen at once. */
  HttpServletRequest wrap(HttpServletRequest applicationRequest) {
    return new HttpServletRequestWrapper(applicationRequest) {
      @Override
      public void login(String username, String password) throws ServletException {
        super.login(username, password);
        observe(Trigger.LOGIN_CALL);
      }

      @Override
      public void logout() throws ServletException {
        super.logout();
        observe(Trigger.LOGOUT_CALL);
      }
    };
  }

  /**
   * Wraps the application's response so that what the authenticator decided is acted on before the
   * application can send a byte: Tomcat sends a response as soon as its content length is written,
   * before the valve regains control.
   */
  HttpServletResponse wrap(HttpServletResponse applicationResponse) {
    return new HttpServletResponseWrapper(applicationResponse) {
      @Override
      public ServletOutputStream getOutputStream() throws IOException {
        observe(Trigger.BEFORE_OUTPUT);
        return super.getOutputStream();
      }

      @Override
      public PrintWriter getWriter() throws IOException {
        observe(Trigger.BEFORE_OUTPUT);
        return super.getWriter();
      }

      @Override
      public void flushBuffer() throws IOException {
        observe(Trigger.BEFORE_OUTPUT);
        super.flushBuffer();
      }

      @Override
      public void sendError(int sc, String msg) throws IOException {
        observe(Trigger.BEFORE_OUTPUT);
        super.sendError(sc, msg);
      }

      @Override
      public void sendError(int sc) throws IOException {
        observe(Trigger.BEFORE_OUTPUT);
        super.sendError(sc);
      }

      @Override
      public void sendRedirect(String location) throws IOException {
        observe(Trigger.BEFORE_OUTPUT);
        super.sendRedirect(location);
      }

      @Override
      public void sendRedirect(String location, int sc) throws IOException {
        observe(Trigger.BEFORE_OUTPUT);
        super.sendRedirect(location, sc);
      }

      @Override
      public void sendRedirect(String location, boolean clearBuffer) throws IOException {
        observe(Trigger.BEFORE_OUTPUT);
        super.sendRedirect(location, clearBuffer);
      }

      @Override
      public void sendRedirect(String location, int sc, boolean clearBuffer) throws IOException {
        observe(Trigger.BEFORE_OUTPUT);
        super.sendRedirect(location, sc, clearBuffer);
      }
    };
  }

  synchronized void observe(Trigger trigger) {
    String user = name(request.getUserPrincipal());
    String before = sessionUser;
    String after = sessionUser(request);
    sessionUser = after;
    String known = connection.principal();

    if (after != null && !after.equals(before)) {
      if (!after.equals(known)) {
        changed(isName(known) ? known : before, after);
      }
      becomes(after);
    } else if (before != null && after == null) {
      logout(before);
    } else if (trigger == Trigger.LOGOUT_CALL) {
      if (user == null && isName(known)) {
        logout(known);
      }
    } else if (user != null && user.equals(loggedOut) && trigger != Trigger.LOGIN_CALL) {
      return;
    } else if (user == null) {
      if (known == TrackedConnection.UNSEEN && request.getHeader("Authorization") == null) {
        connection.principal(TrackedConnection.ANONYMOUS);
      }
    } else if (!user.equals(known)) {
      if (trigger == Trigger.LOGIN_CALL || isName(known) || !knownToSa(user, known)) {
        changed(isName(known) ? known : null, user);
      }
      becomes(user);
    }
  }

  /** Whether a first or post-anonymous sighting of {@code user} is old news to the SA. */
  private boolean knownToSa(String user, String known) {
    Set<String> seen = lease.association().principals();
    if (seen.contains(user)) {
      return true;
    }
    // A fresh SA whose first request is already the user's was born logged in.
    return known == TrackedConnection.UNSEEN && !lease.isResumed();
  }

  private void changed(String previous, String user) {
    lease.recordPrincipal(user);
    HttpServletRequest r = request.getRequest();
    if (previous == null) {
      valve.fire(l -> l.login(user, lease, r), "login", user);
    } else if (!previous.equals(user)) {
      valve.fire(l -> l.principalChanged(previous, user, lease, r), "principal change", user);
    }
  }

  private void becomes(String user) {
    if (!user.equals(connection.principal())) {
      lease.recordPrincipal(user);
      connection.principal(user);
    }
  }

  private void logout(String user) {
    loggedOut = user;
    connection.principal(TrackedConnection.ANONYMOUS);
    HttpServletRequest r = request.getRequest();
    valve.fire(l -> l.logout(user, lease, r), "logout", user);
  }

  private static boolean isName(String known) {
    return known != TrackedConnection.UNSEEN && known != TrackedConnection.ANONYMOUS;
  }

  private static String sessionUser(Request request) {
    Session session = request.getSessionInternal(false);
    return session == null ? null : name(session.getPrincipal());
  }

  private static String name(Principal principal) {
    return principal == null ? null : principal.getName();
  }
}
