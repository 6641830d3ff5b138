package dev.tether;

import static java.util.Objects.requireNonNull;

import com.github.benmanes.caffeine.cache.Scheduler;
import com.github.benmanes.caffeine.cache.Ticker;
import java.time.Clock;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.Executor;
import java.util.concurrent.ForkJoinPool;
import java.util.function.Function;

/**
 * Builds an {@link AssociationRegistry}. Every setter checks its argument at once and names the setting
 * and the value when it is wrong, so a misconfiguration fails at start-up, never on a connection.
 *
 * <p>Time and threads are injected: tests pass a fake {@link Ticker} and
 * {@link Scheduler#disabledScheduler()} and call {@link AssociationRegistry#cleanUp()} instead of
 * waiting.
 */
public final class RegistryBuilder {
  /** The default maximum number of SAs. */
  public static final long DEFAULT_MAX_ASSOCIATIONS = 100_000;
  /** The default maximum number of SAs per peer. */
  public static final int DEFAULT_MAX_ASSOCIATIONS_PER_PEER = 1_000;

  /** How long a peer stays bound to the policy of the user who logged in from it, by default. */
  public static final Duration DEFAULT_BINDING_TTL = Duration.ofMinutes(30);
  /** The most peers bound to a policy at once, by default. */
  public static final long DEFAULT_MAX_BINDINGS = 100_000;

  /**
   * The default scheduler: the JDK's shared delay thread wakes the registry when a grace period ends,
   * and the sweep (possibly many deletions at once, with their listeners) runs on the common pool.
   * Caffeine's system scheduler would run it on the registry's executor, which is the calling thread
   * (here the shared delay thread), and a large sweep would hold up every other delayed task of the
   * JVM. The pool is woken only when SAs are due, at most about once a second.
   */
  static final Scheduler EXPIRY_SCHEDULER = (executor, command, delay, unit) ->
      CompletableFuture.runAsync(command,
          CompletableFuture.delayedExecutor(delay, unit, ForkJoinPool.commonPool()));

  private final Function<RegistryBuilder, AssociationRegistry> factory;
  String name = "default";
  SaPolicy policy = SaPolicy.defaults();
  Duration grace;
  long maxAssociations = DEFAULT_MAX_ASSOCIATIONS;
  int maxAssociationsPerPeer = DEFAULT_MAX_ASSOCIATIONS_PER_PEER;
  Ticker ticker = Ticker.systemTicker();
  Clock clock = Clock.systemUTC();
  Scheduler scheduler = EXPIRY_SCHEDULER;
  Executor executor = Runnable::run;
  AssociationDriver driver = AssociationDriver.jsse();
  Duration refusalLogInterval = Duration.ofSeconds(60);
  PolicySet policies;
  Duration bindingTtl = DEFAULT_BINDING_TTL;
  long maxBindings = DEFAULT_MAX_BINDINGS;
  AssociationCluster cluster = AssociationCluster.none();
  final List<AssociationListener> listeners = new ArrayList<>();

  RegistryBuilder(Function<RegistryBuilder, AssociationRegistry> factory) {
    this.factory = factory;
  }

  /** Sets the registry's name (letters, digits, '.', '_', '-'); it appears in logs and JMX. */
  public RegistryBuilder name(String name) {
    requireNonNull(name, "name");
    if (!name.matches("[A-Za-z0-9_.-]+")) {
      throw new IllegalArgumentException(
          "registry name '" + name + "' must be letters, digits, '.', '_' or '-'");
    }
    this.name = name;
    return this;
  }

  /**
   * Sets the grace period of the default policy: how long an SA stays resumable after its last
   * connection closed. Zero deletes it at once. Default 30 seconds.
   */
  public RegistryBuilder grace(Duration grace) {
    requireNonNull(grace, "grace");
    if (grace.isNegative()) {
      throw new IllegalArgumentException("grace " + grace + " is negative");
    }
    this.grace = grace;
    return this;
  }

  /** Sets the policy of SAs for which no other policy applies; {@link #grace} overrides its grace. */
  public RegistryBuilder defaultPolicy(SaPolicy policy) {
    this.policy = requireNonNull(policy, "defaultPolicy");
    return this;
  }

  /**
   * Sets the policies. Their anonymous policy becomes the default policy, and the policies' own grace
   * periods apply: {@link #grace} and {@link #defaultPolicy} are then ignored.
   */
  public RegistryBuilder policies(PolicySet policies) {
    this.policies = requireNonNull(policies, "policies");
    return this;
  }

  /**
   * Bounds peer bindings: after a login, new connections from the peer negotiate under the user's
   * policy for {@code ttl} (or until logout), and at most {@code maxPeers} peers are bound at once.
   * Defaults: 30 minutes, 100,000 peers.
   */
  public RegistryBuilder peerBinding(Duration ttl, long maxPeers) {
    requireNonNull(ttl, "peerBindingTtl");
    if (ttl.isNegative() || ttl.isZero()) {
      throw new IllegalArgumentException("peerBindingTtl " + ttl + " must be positive");
    }
    if (maxPeers < 1) {
      throw new IllegalArgumentException("maxBoundPeers " + maxPeers + " must be at least 1");
    }
    this.bindingTtl = ttl;
    this.maxBindings = maxPeers;
    return this;
  }

  /** Sets the most SAs the registry holds; past it an idle SA makes room or the connection is refused. */
  public RegistryBuilder maxAssociations(long max) {
    if (max < 1 || max > Integer.MAX_VALUE) {
      throw new IllegalArgumentException("maxAssociations " + max
          + " must be from 1 to " + Integer.MAX_VALUE);
    }
    this.maxAssociations = max;
    return this;
  }

  /** Sets the most SAs one peer (IP address) holds; past it the connection is refused. */
  public RegistryBuilder maxAssociationsPerPeer(int max) {
    if (max < 1) {
      throw new IllegalArgumentException("maxAssociationsPerPeer " + max + " must be at least 1");
    }
    this.maxAssociationsPerPeer = max;
    return this;
  }

  /** Sets the time source of grace periods and ages (nanoseconds). Default: the system ticker. */
  public RegistryBuilder ticker(Ticker ticker) {
    this.ticker = requireNonNull(ticker, "ticker");
    return this;
  }

  /** Sets the wall clock that SA views report times in. Default: the system clock (UTC). */
  public RegistryBuilder clock(Clock clock) {
    this.clock = requireNonNull(clock, "clock");
    return this;
  }

  /**
   * Sets what wakes the registry to delete SAs whose grace (or maximum age) ended. Default: the JDK's
   * delay thread, which hands the sweep to the common fork-join pool. With
   * {@link Scheduler#disabledScheduler()} those SAs are deleted by
   * {@link AssociationRegistry#cleanUp()}, or when a connection resumes one; the views leave them
   * out from the instant their end comes.
   */
  public RegistryBuilder scheduler(Scheduler scheduler) {
    this.scheduler = requireNonNull(scheduler, "scheduler");
    return this;
  }

  /**
   * Sets the executor that a {@link #scheduler}'s wake-up hands the sweep of ended SAs to, for
   * schedulers that use it (Caffeine's {@code Scheduler.systemScheduler()} and
   * {@code Scheduler.forScheduledExecutorService}); the default scheduler runs the sweep on the
   * common pool whatever this is. Default: the waking thread ({@code Runnable::run}). Listeners'
   * events do not depend on it: the thread whose operation caused them delivers them, one thread at
   * a time and in order, once it has left every lock.
   */
  public RegistryBuilder executor(Executor executor) {
    this.executor = requireNonNull(executor, "executor");
    return this;
  }

  /** Sets what deleting an SA means. Default: {@link AssociationDriver#jsse()}. */
  public RegistryBuilder driver(AssociationDriver driver) {
    this.driver = requireNonNull(driver, "driver");
    return this;
  }

  /**
   * Sets the cluster that carries flushes of peers and of all SAs, and peer bindings, to the other
   * nodes serving the same site (for example {@code RedisCluster} of the module
   * {@code tether-cluster-redis}). The registry starts it when built and closes it when closed.
   * Default: {@link AssociationCluster#none()}, a node alone.
   */
  public RegistryBuilder cluster(AssociationCluster cluster) {
    this.cluster = requireNonNull(cluster, "cluster");
    return this;
  }

  /** Adds a listener of the registry's events. */
  public RegistryBuilder listener(AssociationListener listener) {
    listeners.add(requireNonNull(listener, "listener"));
    return this;
  }

  /**
   * Sets how often refusals, and flushes that follow logins and logouts, are summarized in the log
   * while they go on. Default: 60 seconds.
   */
  public RegistryBuilder refusalLogInterval(Duration interval) {
    requireNonNull(interval, "refusalLogInterval");
    if (interval.isNegative() || interval.isZero()) {
      throw new IllegalArgumentException("refusalLogInterval " + interval + " must be positive");
    }
    this.refusalLogInterval = interval;
    return this;
  }

  /** Returns the new registry. */
  public AssociationRegistry build() {
    return factory.apply(this);
  }

  PolicySet policySet() {
    if (policies != null) {
      return policies;
    }
    SaPolicy anonymous = grace == null ? policy : policy.toBuilder().grace(grace).build();
    if (!anonymous.appliesTo().contains("anonymous")) {
      anonymous = anonymous.toBuilder().appliesTo("anonymous").build();
    }
    return PolicySet.of(anonymous);
  }
}
