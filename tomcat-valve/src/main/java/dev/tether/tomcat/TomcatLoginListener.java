package dev.tether.tomcat;

import dev.tether.Lease;
import jakarta.servlet.http.HttpServletRequest;

/**
 * Receives the logins, logouts and principal changes that {@link TomcatTetherValve} sees on TLS
 * connections, with the lease of the connection they happened on. Every method has an empty default.
 *
 * <p>Called on the request's thread, inside the valve, after the policy engine handled the event
 * (flushed what the user's policy names, bound or unbound the client address), before the response
 * is sent: a listener that flushes SAs does so before the client can open another connection on the
 * login's answer. Listeners
 * must be quick and thread-safe; one that throws is logged once at WARN and does not fail the request.
 *
 * <pre>{@code
 * valve.addLoginListener(new TomcatLoginListener() {
 *   public void login(String principal, Lease lease, HttpServletRequest request) {
 *     audit.info(principal + " logged in over SA " + lease.associationId());
 *   }
 * });
 * }</pre>
 */
public interface TomcatLoginListener {

  /** A user authenticated on a connection that had no user. */
  default void login(String principal, Lease lease, HttpServletRequest request) {}

  /** The user of a connection logged out (the session lost its user, or the application called logout). */
  default void logout(String principal, Lease lease, HttpServletRequest request) {}

  /** A connection's user changed from {@code previous} to {@code principal} without a logout between. */
  default void principalChanged(String previous, String principal, Lease lease,
      HttpServletRequest request) {}
}
