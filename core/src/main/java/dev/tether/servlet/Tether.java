package dev.tether.servlet;

import static java.util.Objects.requireNonNull;

import dev.tether.AssociationRegistry;
import dev.tether.Lease;
import dev.tether.PolicyEngine;
import jakarta.servlet.http.HttpServletRequest;
import jakarta.servlet.http.HttpSession;
import java.security.Principal;
import java.util.function.Predicate;

/**
 * Lets an application report logins and logouts that no container hook sees, for example those of
 * its own authentication, to the {@link PolicyEngine} of the request's registry. Logins through the
 * container (FORM, BASIC, {@code request.login()}) are reported by the adapters and
 * {@link TetherLoginFilter}; reporting them here as well is harmless: a login already handled on the
 * request is not reported twice.
 *
 * <pre>{@code
 * User user = myAuthentication.check(name, password);
 * session.setAttribute("user", user);
 * Tether.login(request, user.name(), user::hasRole);    // flushes before the response is sent
 * }</pre>
 *
 * <p>{@link TetherLoginFilter} and the container adapters follow the container's users only: an
 * identity of the application's own is not remembered across requests, and its requests are not
 * refused with 421; an application that needs that asks
 * {@code registry.policies().permits(lease, user, inRole)} itself.
 *
 * <p>Each method returns the number of SAs flushed, or {@code -1} when the request has no Tether
 * registry (see {@link TetherAttributes#registry}). Stateless and thread-safe.
 */
public final class Tether {
  private Tether() {
  }

  /** Reports the login of the request's user ({@code getUserPrincipal()}); -1 if there is none. */
  public static int login(HttpServletRequest request) {
    Principal principal = request.getUserPrincipal();
    return principal == null ? -1 : login(request, principal.getName(), request::isUserInRole);
  }

  /** Reports that {@code principal} logged in with this request. */
  public static int login(HttpServletRequest request, String principal, Predicate<String> inRole) {
    requireNonNull(principal, "principal");
    requireNonNull(inRole, "inRole");
    LoginFlow flow = LoginFlow.of(request);
    if (flow != null) {
      return flow.loginByApplication(principal, inRole);
    }
    AssociationRegistry registry = TetherAttributes.registry(request);
    if (registry == null) {
      return -1;
    }
    if (principal.equals(request.getAttribute(TetherAttributes.LOGIN_HANDLED))) {
      return 0;
    }
    int flushed = registry.policies().login(peer(request), TetherAttributes.lease(request),
        principal, inRole);
    request.setAttribute(TetherAttributes.LOGIN_HANDLED, principal);
    return flushed;
  }

  /** Reports that {@code principal} logged out with this request. */
  public static int logout(HttpServletRequest request, String principal, Predicate<String> inRole) {
    requireNonNull(principal, "principal");
    requireNonNull(inRole, "inRole");
    LoginFlow flow = LoginFlow.of(request);
    if (flow != null) {
      return flow.logoutByApplication(principal, inRole);
    }
    AssociationRegistry registry = TetherAttributes.registry(request);
    if (registry == null) {
      return -1;
    }
    HttpSession session = request.getSession(false);
    if (session != null) {
      SessionUsers.forget(session);
    }
    return registry.policies().logout(peer(request), TetherAttributes.lease(request), principal,
        inRole);
  }

  private static String peer(HttpServletRequest request) {
    Lease lease = TetherAttributes.lease(request);
    return lease != null ? lease.peer() : request.getRemoteAddr();
  }
}
