package dev.tether.servlet;

import dev.tether.tls.ConnectionLogin;
import jakarta.servlet.http.HttpServletRequest;
import jakarta.servlet.http.HttpServletResponse;
import jakarta.servlet.http.HttpSession;
import java.security.Principal;
import java.util.Arrays;
import java.util.Objects;
import java.util.Set;
import java.util.function.Predicate;

/**
 * {@link LoginFlow}'s view of a container through the Servlet API alone, for {@link TetherLoginFilter}:
 * the user a request's HTTP session holds is the one Tether remembered there itself (two session
 * attributes: the name, and the roles the policies know of), since the Servlet API does not say whom
 * a session authenticated.
 *
 * <p>Threading: one instance per request, used as {@link LoginFlow} uses it.
 */
final class SessionUsers implements LoginFlow.Container {
  /** Session attribute: the name of the user last seen on the session. */
  static final String SESSION_PRINCIPAL = "dev.tether.principal";
  /** Session attribute: that user's roles among those the policies name, comma-separated. */
  static final String SESSION_ROLES = "dev.tether.principal.roles";

  private final HttpServletRequest request;
  private final HttpServletResponse response;

  SessionUsers(HttpServletRequest request, HttpServletResponse response) {
    this.request = request;
    this.response = response;
  }

  @Override
  public Principal sessionUser() {
    HttpSession session = request.getSession(false);
    String name = session == null ? null : attribute(session, SESSION_PRINCIPAL);
    return name == null ? null : new Remembered(name, parse(attribute(session, SESSION_ROLES)));
  }

  @Override
  public Predicate<String> roles(Principal user) {
    if (user instanceof Remembered remembered) {
      return remembered.roles()::contains;
    }
    Principal current = request.getUserPrincipal();
    if (current != null && current.getName().equals(user.getName())) {
      return request::isUserInRole;
    }
    return role -> false;
  }

  @Override
  public void remember(ConnectionLogin user) {
    HttpSession session = request.getSession(false);
    if (session == null) {
      return;
    }
    try {
      String remembered = attribute(session, SESSION_PRINCIPAL);
      if (user.state() != ConnectionLogin.State.USER) {
        if (remembered != null) {
          session.removeAttribute(SESSION_PRINCIPAL);
          session.removeAttribute(SESSION_ROLES);
        }
      } else if (!user.name().equals(remembered)) {
        session.setAttribute(SESSION_PRINCIPAL, user.name());
        session.setAttribute(SESSION_ROLES, String.join(",", user.roles()));
      }
    } catch (IllegalStateException invalidated) {
      // The session ended meanwhile; nothing to remember it in.
    }
  }

  @Override
  public void closeAfterResponse() {
    if (!response.isCommitted() && !"HTTP/2.0".equals(request.getProtocol())) {
      response.setHeader("Connection", "close");
    }
  }

  /** Forgets what {@link #remember} kept: an application's own logout. */
  static void forget(HttpSession session) {
    try {
      session.removeAttribute(SESSION_PRINCIPAL);
      session.removeAttribute(SESSION_ROLES);
    } catch (IllegalStateException invalidated) {
      // nothing left to forget
    }
  }

  private static String attribute(HttpSession session, String name) {
    try {
      return session.getAttribute(name) instanceof String s ? s : null;
    } catch (IllegalStateException invalidated) {
      return null;
    }
  }

  private static Set<String> parse(String roles) {
    return roles == null || roles.isEmpty() ? Set.of() : Set.copyOf(Arrays.asList(roles.split(",")));
  }

  /** A user the session remembered, with the roles it had then. */
  private record Remembered(String getName, Set<String> roles) implements Principal {
    Remembered {
      Objects.requireNonNull(getName, "name");
    }
  }
}
