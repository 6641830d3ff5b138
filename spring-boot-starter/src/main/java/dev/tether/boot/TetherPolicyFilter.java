package dev.tether.boot;

import dev.tether.AssociationRegistry;
import dev.tether.Lease;
import dev.tether.PolicyEngine;
import dev.tether.RefusalReason;
import dev.tether.SaPolicy;
import dev.tether.servlet.Misdirected;
import dev.tether.servlet.TetherAttributes;
import dev.tether.tls.ConnectionLogin;
import dev.tether.tls.TlsConnection;
import jakarta.servlet.FilterChain;
import jakarta.servlet.ServletException;
import jakarta.servlet.http.HttpServletRequest;
import jakarta.servlet.http.HttpServletResponse;
import java.io.IOException;
import java.util.function.Predicate;
import org.springframework.security.core.Authentication;
import org.springframework.security.core.context.SecurityContextHolderStrategy;
import org.springframework.web.filter.OncePerRequestFilter;

/**
 * Tether's policy check in Spring Security's filter chain, after authentication and before
 * authorization: the request's user (Spring Security's, which the container does not know) is
 * recorded on the connection's SA, and a user whose policy requires its own SAs
 * ({@code require-own-association}) is refused with {@code 421 Misdirected Request} on an SA
 * negotiated under another policy, before the application runs. The client's address is then bound
 * to the user's policy, so that the retry on a new connection negotiates under it; browsers retry a
 * 421 by themselves. Counted as a refusal, reason {@code POLICY}.
 *
 * <p>Stateless; thread-safe.
 */
final class TetherPolicyFilter extends OncePerRequestFilter {
  private final SpringUsers users;
  private final SecurityContextHolderStrategy contexts;

  TetherPolicyFilter(SpringUsers users, SecurityContextHolderStrategy contexts) {
    this.users = users;
    this.contexts = contexts;
  }

  @Override
  protected void doFilterInternal(HttpServletRequest request, HttpServletResponse response,
      FilterChain chain) throws ServletException, IOException {
    Authentication user = contexts.getContext().getAuthentication();
    TlsConnection connection = TetherAttributes.connection(request);
    Lease lease = connection != null ? connection.lease() : TetherAttributes.lease(request);
    if (!SpringUsers.isUser(user) || lease == null) {
      chain.doFilter(request, response);
      return;
    }
    AssociationRegistry registry = lease.registry();
    PolicyEngine engine = registry.policies();
    String name = user.getName();
    Predicate<String> roles = users.roles(user.getAuthorities());
    lease.recordPrincipal(name);
    ConnectionLogin known = connection != null ? connection.login() : null;
    if (known != null && !known.is(name)) {
      // A user restored from the session on this connection: no login, but its user from now on
      // (unless another request of the connection noted it first).
      ConnectionLogin restored = SpringUsers.login(engine, name, roles);
      while (!known.is(name) && !connection.login(known, restored)) {
        known = connection.login();
      }
    }
    if (engine.permits(lease, name, roles)) {
      chain.doFilter(request, response);
      return;
    }
    registry.recordRefusal(lease.peer(), RefusalReason.POLICY);
    SaPolicy needed = engine.bind(lease.peer(), name, roles);
    Misdirected.write(request, response,
        Misdirected.policyMismatch(lease.policy().name(), needed.name()));
    if (connection != null) {
      // The client retries on a new connection: this one ends (HTTP/2: GOAWAY after its streams).
      connection.endAfterRequests();
    }
  }
}
