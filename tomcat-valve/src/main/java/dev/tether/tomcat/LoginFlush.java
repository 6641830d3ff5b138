package dev.tether.tomcat;

import dev.tether.AssociationRegistry;
import dev.tether.DeletionCause;
import dev.tether.Lease;
import dev.tether.SaPolicy.FlushScope;
import jakarta.servlet.http.HttpServletRequest;

/**
 * The valve's built-in listener: a login or principal change flushes what the SA's policy names in
 * {@code onLogin}, a logout what it names in {@code onLogout}. The connection that logged in keeps
 * its (now deleted) lease; the next connection negotiates a new SA.
 *
 * <p>Stateless and thread-safe.
 */
enum LoginFlush implements TomcatLoginListener {
  INSTANCE;

  @Override
  public void login(String principal, Lease lease, HttpServletRequest request) {
    flush(lease, lease.policy().onLogin(), DeletionCause.LOGIN);
  }

  @Override
  public void principalChanged(String previous, String principal, Lease lease,
      HttpServletRequest request) {
    flush(lease, lease.policy().onLogin(), DeletionCause.LOGIN);
  }

  @Override
  public void logout(String principal, Lease lease, HttpServletRequest request) {
    flush(lease, lease.policy().onLogout(), DeletionCause.LOGOUT);
  }

  static int flush(Lease lease, FlushScope scope, DeletionCause cause) {
    AssociationRegistry registry = lease.registry();
    return switch (scope) {
      case NONE -> 0;
      case CONNECTION -> registry.flush(lease.associationId(), cause);
      case PEER -> registry.flushPeer(lease.peer(), cause);
      case ALL -> registry.flushAll(cause);
    };
  }

  @Override
  public String toString() {
    return "policy flush";
  }
}
