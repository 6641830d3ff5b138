package dev.tether;

import static java.util.Objects.requireNonNull;

import com.github.benmanes.caffeine.cache.Cache;
import com.github.benmanes.caffeine.cache.Caffeine;
import com.github.benmanes.caffeine.cache.Ticker;
import dev.tether.SaPolicy.FlushScope;
import dev.tether.SaPolicy.OpenConnections;
import java.time.Duration;
import java.util.function.Predicate;

/**
 * Applies a registry's policies to logins, logouts and requests: the patent's "network interceptor at
 * the applications level" that monitors the log-in of new users and deletes SAs whose parameters the
 * new user's policy may not accept.
 *
 * <ul>
 *   <li>{@link #login} flushes what the principal's policy names ({@code on-login}: nothing, the SA of
 *       the connection, every SA of the peer, every SA), records the principal on the connection's SA,
 *       and binds the peer to the principal's policy, so that its next connections negotiate under it.
 *   <li>{@link #logout} flushes what the policy names ({@code on-logout}) and unbinds the peer.
 *   <li>{@link #permits} tells whether the principal's requests may travel on the connection's SA.
 * </ul>
 *
 * <p>Flushes are done when the method returns: call it before the login response is sent, and no
 * connection started afterwards can resume a flushed SA. Peer bindings are bounded in time and number
 * (a shared address, e.g. behind NAT, is bound for everyone behind it until the binding ends).
 *
 * <p>In a {@linkplain AssociationRegistry#cluster() cluster}, bindings and unbindings, and flushes of
 * scope {@code peer} and {@code all}, are applied on every live node before {@link #login},
 * {@link #bind} and {@link #logout} return (up to the cluster's bound); scope {@code connection}
 * stays on the node of the connection.
 *
 * <p>Thread-safe. Get it from {@link AssociationRegistry#policies()}.
 */
public final class PolicyEngine {
  private final AssociationRegistry registry;
  private final PolicySet policies;
  private final Cache<String, Binding> bindings;

  /** A peer's last login: who, and the policy its new connections negotiate under. */
  private record Binding(String principal, SaPolicy policy) {}

  PolicyEngine(AssociationRegistry registry, PolicySet policies, Duration bindingTtl,
      long maxBindings, Ticker ticker) {
    this.registry = registry;
    this.policies = policies;
    this.bindings = Caffeine.newBuilder()
        .ticker(ticker)
        .expireAfterWrite(bindingTtl)
        .maximumSize(maxBindings)
        .executor(Runnable::run)
        .build();
  }

  /** Returns the policies. */
  public PolicySet policies() {
    return policies;
  }

  /** Returns the policy a new connection from {@code peer} negotiates under: its binding, or anonymous. */
  public SaPolicy policyFor(String peer) {
    Binding bound = bindingOf(peer);
    return bound != null ? bound.policy() : policies.anonymous();
  }

  /**
   * Returns the principal last logged in from {@code peer}, while its binding lasts, else
   * {@code null}. Event sources without an HTTP session (HTTP BASIC) use it to tell a new login from
   * the next request of the same user.
   */
  public String boundPrincipal(String peer) {
    Binding bound = bindingOf(peer);
    return bound != null ? bound.principal() : null;
  }

  /**
   * Returns the peer's binding. Asked for every new connection: while no address is bound (no login
   * yet, or no policy file) it answers from the map's size, without the read the cache records for
   * its eviction order.
   */
  private Binding bindingOf(String peer) {
    return bindings.asMap().isEmpty() ? null : bindings.getIfPresent(peer);
  }

  /** Returns the policy of a principal ({@code null} for anonymous). */
  public SaPolicy resolve(String principal, Predicate<String> inRole) {
    return policies.resolve(principal, inRole);
  }

  /**
   * Handles a login (or the arrival of a new principal) on a connection.
   *
   * @param peer the client's address
   * @param lease the connection's lease, or {@code null} if it has none (plain HTTP)
   * @param principal the user who logged in
   * @param inRole tells whether the user has a role
   * @return the number of SAs flushed
   */
  public int login(String peer, Lease lease, String principal, Predicate<String> inRole) {
    requireNonNull(peer, "peer");
    requireNonNull(principal, "principal");
    SaPolicy policy = policies.resolve(principal, inRole);
    if (lease != null) {
      lease.recordPrincipal(principal);
    }
    bindings.put(peer, new Binding(principal, policy));
    AssociationCluster.Receipt bound = registry.cluster()
        .publish(AssociationCluster.Event.bind(peer, principal, policy.name()));
    int n = flush(policy.onLogin(), policy.openConnections(), peer, lease, DeletionCause.LOGIN);
    // A node applies events in order: once it applied a flush it also holds the binding.
    if (!spansNodes(policy.onLogin())) {
      bound.await();
    }
    return n;
  }

  /**
   * Binds the peer to the principal's policy without flushing anything. A container calls it when it
   * refuses a request because {@link #permits} said no: the client's retry on a new connection then
   * negotiates under the principal's policy even if the peer's binding had ended, or belonged to
   * another user behind the same address.
   *
   * @return the principal's policy
   */
  public SaPolicy bind(String peer, String principal, Predicate<String> inRole) {
    requireNonNull(peer, "peer");
    requireNonNull(principal, "principal");
    SaPolicy policy = policies.resolve(principal, inRole);
    bindings.put(peer, new Binding(principal, policy));
    registry.cluster().publish(AssociationCluster.Event.bind(peer, principal, policy.name())).await();
    return policy;
  }

  /**
   * Handles a logout on a connection: flushes what the principal's policy names and unbinds the peer.
   *
   * @return the number of SAs flushed
   */
  public int logout(String peer, Lease lease, String principal, Predicate<String> inRole) {
    requireNonNull(peer, "peer");
    requireNonNull(principal, "principal");
    SaPolicy policy = policies.resolve(principal, inRole);
    bindings.invalidate(peer);
    AssociationCluster.Receipt unbound = registry.cluster()
        .publish(AssociationCluster.Event.unbind(peer));
    int n = flush(policy.onLogout(), policy.openConnections(), peer, lease, DeletionCause.LOGOUT);
    if (!spansNodes(policy.onLogout())) {
      unbound.await();
    }
    return n;
  }

  /**
   * Applies a remote node's binding here, without publishing it: returns false, binding nothing, if
   * this node has no policy of that name (a remote event never widens what a peer may negotiate).
   */
  boolean bindHere(String peer, String principal, String policyName) {
    SaPolicy policy = policies.find(policyName).orElse(null);
    if (policy == null) {
      return false;
    }
    bindings.put(peer, new Binding(principal, policy));
    return true;
  }

  /** Ends a peer's binding here, on a remote node's logout. */
  void unbindHere(String peer) {
    bindings.invalidate(peer);
  }

  private static boolean spansNodes(FlushScope scope) {
    return scope == FlushScope.PEER || scope == FlushScope.ALL;
  }

  /**
   * Returns whether a request of {@code principal} may travel on the lease's SA: false if the
   * principal's policy requires its own SAs and this one was negotiated under another policy. The
   * container then refuses the request and closes the connection, so that the client renegotiates.
   */
  public boolean permits(Lease lease, String principal, Predicate<String> inRole) {
    if (lease == null || principal == null) {
      return true;
    }
    SaPolicy policy = policies.resolve(principal, inRole);
    return !policy.requireOwnAssociation() || policy.name().equals(lease.policy().name());
  }

  /**
   * Returns whether the connection that carried a login or logout of {@code principal} must end
   * after its response: the login deleted the lease's SA under a policy that ends such connections
   * ({@link #flushedConnection}), or the SA's policy refuses the principal ({@link #permits}). Every
   * login engine (the servlet filter, the Tomcat valve, Jetty's login service, Spring Security's
   * logins) asks this.
   */
  public boolean endsConnection(Lease lease, String principal, Predicate<String> inRole) {
    return flushedConnection(lease, principal, inRole) || !permits(lease, principal, inRole);
  }

  /**
   * Returns whether the lease's SA was deleted (a login or logout flushed it) under a policy of the
   * principal that ends such connections ({@code open-connections = close}, the default); {@code
   * keep} leaves them open. False without a lease.
   */
  public boolean flushedConnection(Lease lease, String principal, Predicate<String> inRole) {
    return lease != null && lease.isDeleted()
        && policies.resolve(principal, inRole).openConnections() == OpenConnections.CLOSE;
  }

  /** Returns the number of peers currently bound to a policy. */
  public long boundPeers() {
    bindings.cleanUp();
    return bindings.estimatedSize();
  }

  private int flush(FlushScope scope, OpenConnections open, String peer, Lease lease,
      DeletionCause cause) {
    return switch (scope) {
      case NONE -> 0;
      case CONNECTION -> lease == null ? 0 : registry.flush(lease.associationId(), cause, open);
      case PEER -> registry.flushPeer(peer, cause, open);
      case ALL -> registry.flushAll(cause, open);
    };
  }
}
