package dev.tether.tomcat;

import dev.tether.Lease;
import dev.tether.servlet.LoginFlow;
import jakarta.servlet.http.HttpServletRequest;
import java.security.Principal;
import java.util.function.Predicate;
import org.apache.catalina.Context;
import org.apache.catalina.Realm;
import org.apache.catalina.Session;
import org.apache.catalina.connector.Request;
import org.apache.catalina.connector.Response;

/**
 * {@link LoginFlow}'s view of Tomcat: the user a session holds is the principal Tomcat's
 * authenticator caches in it (FORM, and any authenticator that caches), roles come from the context's
 * realm (they work for a user who logged out too), and what the flow reports reaches the valve's
 * {@link TomcatLoginListener}s.
 *
 * <p>Threading: one instance per request, used as {@link LoginFlow} uses it.
 */
final class TomcatUsers implements LoginFlow.Container, LoginFlow.Events {
  private final TomcatTetherValve valve;
  private final TrackedConnection connection;
  private final Lease lease;
  private final Request request;
  private final Response response;

  TomcatUsers(TomcatTetherValve valve, TrackedConnection connection, Lease lease, Request request,
      Response response) {
    this.valve = valve;
    this.connection = connection;
    this.lease = lease;
    this.request = request;
    this.response = response;
  }

  @Override
  public Principal sessionUser() {
    Session session = request.getSessionInternal(false);
    return session == null ? null : session.getPrincipal();
  }

  @Override
  public Predicate<String> roles(Principal user) {
    Context context = request.getContext();
    Realm realm = context == null ? null : context.getRealm();
    return role -> realm != null && realm.hasRole(request.getWrapper(), user, role);
  }

  @Override
  public void closeAfterResponse() {
    TomcatTetherValve.closeAfterResponse(connection, request, response);
  }

  @Override
  public void login(String user) {
    HttpServletRequest r = request.getRequest();
    valve.fire(l -> l.login(user, lease, r), "login", user);
  }

  @Override
  public void logout(String user) {
    HttpServletRequest r = request.getRequest();
    valve.fire(l -> l.logout(user, lease, r), "logout", user);
  }

  @Override
  public void changed(String from, String to) {
    HttpServletRequest r = request.getRequest();
    valve.fire(l -> l.principalChanged(from, to, lease, r), "principal change", to);
  }
}
