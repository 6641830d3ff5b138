package dev.tether;

import static java.util.Objects.requireNonNull;

import dev.tether.SaPolicy.OpenConnections;
import java.time.Duration;
import java.util.List;
import java.util.function.Consumer;

/**
 * Carries a registry's cluster-wide flushes and peer bindings to the registries of the other nodes
 * that serve the same site, and theirs to it. Core holds no transport: a module implements this
 * interface (Tether's {@code tether-cluster-redis} on a Redis stream) and the registry is given it
 * through {@link RegistryBuilder#cluster}.
 *
 * <p>What travels: a flush of every SA of a peer or of every SA ({@link AssociationRegistry#flushPeer},
 * {@link AssociationRegistry#flushAll}, whether a login, a logout or an operator asked for it), and
 * a peer binding or unbinding ({@link PolicyEngine#login}, {@link PolicyEngine#bind},
 * {@link PolicyEngine#logout}). What stays local: a flush of one SA (an SA lives on one node),
 * {@link AssociationRegistry#flushIf}, and the flush of {@link AssociationRegistry#close()}.
 *
 * <p>The registry calls {@link #start} once when it is built and {@link #close} when it closes: it
 * owns the cluster. It calls {@link #publish} after the local flush or binding, on the thread of the
 * login (or of the operator), and {@link Receipt#await} on the returned receipt before it returns, so
 * that the login's response waits until every live node applied the event or the implementation's
 * bound passed. The implementation applies remote events through the {@link Member} it was started
 * with, which flushes through the registry's own flush path: a remote flush has every effect of a
 * local one except that it is not published again.
 *
 * <p>Contract of an implementation: {@code publish} and {@code await} never throw and never wait
 * longer than the implementation's bound, whether or not the transport is reachable; an event it
 * receives is applied only if it comes from another node of the same cluster and is authentic; an
 * event that cannot have its full effect (e.g. a binding to a policy this node does not have) must
 * have none, so that a remote event never widens what a peer may negotiate. Thread-safe.
 *
 * <pre>{@code
 * AssociationRegistry registry = AssociationRegistry.builder()
 *     .cluster(RedisCluster.builder().uri("redis://10.0.0.5:6379").node("web-1")
 *         .secret(secretBytes).build())
 *     .build();
 * }</pre>
 */
public interface AssociationCluster extends AutoCloseable {

  /** Returns the cluster of one node: publishes nothing, receives nothing. */
  static AssociationCluster none() {
    return Alone.INSTANCE;
  }

  /**
   * Returns a cluster for the containers' settings, made by the {@link Provider} on the class path
   * that accepts {@link Config#uri()} (Tether's {@code tether-cluster-redis} for {@code redis://}
   * and {@code rediss://}), not yet started.
   *
   * @throws IllegalArgumentException naming the setting ({@code clusterUri} when no provider on the
   *     class path accepts the URI, else whatever the provider refuses)
   */
  static AssociationCluster create(Config config) {
    requireNonNull(config, "config");
    for (Provider p : java.util.ServiceLoader.load(Provider.class,
        AssociationCluster.class.getClassLoader())) {
      if (p.accepts(config.uri())) {
        return p.create(config);
      }
    }
    String scheme = config.uri().contains("://")
        ? config.uri().substring(0, config.uri().indexOf("://")) : config.uri();
    throw new IllegalArgumentException("clusterUri: no cluster module on the class path takes '"
        + scheme + "://' URIs; for redis:// and rediss:// add tether-cluster-redis and its "
        + "dependencies (Lettuce, Netty, Reactor) next to tether-core");
  }

  /**
   * Starts the cluster for {@code member}; called once, by the registry, when it is built. It may
   * return before the transport is reached (the node then serves alone until it is).
   *
   * @throws IllegalStateException if the implementation is set to refuse to start without its
   *     transport and cannot reach it; the message names the setting
   */
  void start(Member member);

  /** Publishes a local event to the other nodes; the receipt tells when they have applied it. */
  Receipt publish(Event event);

  /** Returns the cluster as this node sees it. */
  View view();

  /**
   * Adds an observer of propagation lags: for each remote event this node applies, the time from its
   * publication on the origin to its application here (wall clocks of two machines, so only as good
   * as their synchronisation). Observers run on the cluster's receiving thread and must be quick.
   */
  void observeLag(Consumer<Duration> observer);

  /** Stops publishing and receiving; idempotent. */
  @Override
  void close();

  /** What an event asks the other nodes to do. */
  enum Kind {
    /** Flush every SA of {@link Event#peer()}. */
    FLUSH_PEER,
    /** Flush every SA. */
    FLUSH_ALL,
    /** Bind {@link Event#peer()} to {@link Event#policy()} for {@link Event#principal()}. */
    BIND,
    /** End the binding of {@link Event#peer()}. */
    UNBIND
  }

  /**
   * A flush or a binding that crosses nodes. Fields an event of its kind does not use are empty
   * strings, never {@code null}.
   *
   * @param kind what to do
   * @param peer the client's address ({@code FLUSH_PEER}, {@code BIND}, {@code UNBIND})
   * @param principal the user ({@code BIND})
   * @param policy the name of the policy ({@code BIND})
   * @param cause why SAs are flushed ({@code FLUSH_PEER}, {@code FLUSH_ALL}; else {@code MANUAL})
   * @param open what happens to the flushed SAs' open connections ({@code FLUSH_PEER},
   *     {@code FLUSH_ALL}: the login's policy decides; else {@code CLOSE})
   */
  record Event(Kind kind, String peer, String principal, String policy, DeletionCause cause,
      OpenConnections open) {
    public Event {
      requireNonNull(kind, "kind");
      requireNonNull(peer, "peer");
      requireNonNull(principal, "principal");
      requireNonNull(policy, "policy");
      requireNonNull(cause, "cause");
      requireNonNull(open, "open");
    }

    /** A flush of every SA of {@code peer}, whose open connections end. */
    public static Event flushPeer(String peer, DeletionCause cause) {
      return flushPeer(peer, cause, OpenConnections.CLOSE);
    }

    /** A flush of every SA of {@code peer}, with their open connections as {@code open} says. */
    public static Event flushPeer(String peer, DeletionCause cause, OpenConnections open) {
      return new Event(Kind.FLUSH_PEER, peer, "", "", cause, open);
    }

    /** A flush of every SA, whose open connections end. */
    public static Event flushAll(DeletionCause cause) {
      return flushAll(cause, OpenConnections.CLOSE);
    }

    /** A flush of every SA, with their open connections as {@code open} says. */
    public static Event flushAll(DeletionCause cause, OpenConnections open) {
      return new Event(Kind.FLUSH_ALL, "", "", "", cause, open);
    }

    /** A binding of {@code peer} to {@code policy} after {@code principal} logged in. */
    public static Event bind(String peer, String principal, String policy) {
      return new Event(Kind.BIND, peer, principal, policy, DeletionCause.MANUAL,
          OpenConnections.CLOSE);
    }

    /** The end of {@code peer}'s binding. */
    public static Event unbind(String peer) {
      return new Event(Kind.UNBIND, peer, "", "", DeletionCause.MANUAL, OpenConnections.CLOSE);
    }
  }

  /** The promise of an event's application on the other nodes. */
  @FunctionalInterface
  interface Receipt {
    /** A receipt with nothing to wait for. */
    Receipt DONE = () -> { };

    /**
     * Waits until every live node has applied the event, or until the implementation's bound has
     * passed (the event still lands later; the miss is counted and logged). Never throws.
     */
    void await();
  }

  /** The registry's side, through which the cluster applies remote events. Thread-safe. */
  interface Member {
    /** Returns the registry's name. */
    String registryName();

    /**
     * Applies a remote event through the registry's own flush and binding paths, without
     * publishing it again. Returns false, having done nothing, if the event cannot be applied in
     * full here: a binding to a policy this node does not have.
     */
    boolean apply(Event event);

    /**
     * Flushes every SA of this node, locally, because events addressed to it were lost (cause
     * {@link DeletionCause#MISSED_EVENTS}); returns how many. The caller logs why.
     */
    int flushMissed();

    /** Returns the registry's counters, for the node's announcements. */
    AssociationStats stats();
  }

  /**
   * The cluster as one node sees it.
   *
   * @param node this node's name
   * @param degraded whether this node cannot currently exchange events (transport unreachable, or
   *     started without it), so that its flushes stay local for now
   * @param nodes every node heard from, this one included, by name
   * @param published events this node published
   * @param applied remote events this node applied
   * @param rejected remote events this node refused (unsigned, badly signed, malformed, unknown
   *     version or policy, replayed)
   * @param ackMisses events whose wait ended at the bound before every live node applied them
   * @param dropped events this node could not keep while the transport was away (past its bound)
   * @param resyncs times this node flushed its own SAs because it missed events
   */
  record View(String node, boolean degraded, List<Node> nodes, long published, long applied,
      long rejected, long ackMisses, long dropped, long resyncs) {
    public View {
      requireNonNull(node, "node");
      nodes = List.copyOf(nodes);
    }

    /** Returns the number of live nodes, this one included. */
    public long liveNodes() {
      return nodes.stream().filter(Node::live).count();
    }
  }

  /**
   * One node as last announced.
   *
   * @param name the node's name
   * @param address what the node announced as its address
   * @param live whether it was heard from recently enough to be waited for
   * @param associations the SAs it held
   * @param lag its last propagation lag (from an event's publication to its application there)
   * @param sinceHeard how long ago it was last heard from
   */
  record Node(String name, String address, boolean live, long associations, Duration lag,
      Duration sinceHeard) {
    public Node {
      requireNonNull(name, "name");
      requireNonNull(address, "address");
      requireNonNull(lag, "lag");
      requireNonNull(sinceHeard, "sinceHeard");
    }
  }

  /**
   * The cluster settings of the containers' adapters, each named as in Jetty's
   * {@code jetty.tether.*} properties and Tomcat's connector attributes.
   *
   * @param uri {@code clusterUri}: where the cluster's transport is, e.g. {@code redis://HOST:PORT}
   * @param node {@code clusterNode}: this node's name, unique in the cluster
   * @param secretFile {@code clusterSecretFile}: the file holding the shared secret
   * @param ackTimeout {@code clusterAckTimeout}: how long a flush waits for the other nodes at most
   * @param heartbeat {@code clusterHeartbeat}: how often the node announces itself
   * @param stream {@code clusterStream}: the name (key prefix) shared by the nodes of one cluster
   * @param maxPending {@code clusterMaxPending}: events kept while the transport is away
   * @param maxLength {@code clusterMaxLength}: entries the transport keeps for nodes that were away
   * @param required {@code clusterRequired}: refuse to start without the transport
   * @param address {@code clusterAddress}: what the node announces as its address
   */
  record Config(String uri, String node, java.nio.file.Path secretFile, Duration ackTimeout,
      Duration heartbeat, String stream, long maxPending, long maxLength, boolean required,
      String address) {
    public Config {
      requireNonNull(uri, "clusterUri");
      requireNonNull(node, "clusterNode");
      requireNonNull(ackTimeout, "clusterAckTimeout");
      requireNonNull(heartbeat, "clusterHeartbeat");
      requireNonNull(stream, "clusterStream");
      requireNonNull(address, "clusterAddress");
    }
  }

  /**
   * Makes clusters from {@link Config}: a cluster module registers one in
   * {@code META-INF/services/dev.tether.AssociationCluster$Provider}.
   */
  interface Provider {
    /** Returns whether this provider makes clusters for {@code uri} (by its scheme). */
    boolean accepts(String uri);

    /**
     * Returns a cluster, not yet started.
     *
     * @throws IllegalArgumentException whose message starts with the name of the setting refused
     */
    AssociationCluster create(Config config);
  }

  /** The cluster of one node. */
  enum Alone implements AssociationCluster {
    INSTANCE;

    @Override
    public void start(Member member) {
    }

    @Override
    public Receipt publish(Event event) {
      return Receipt.DONE;
    }

    @Override
    public View view() {
      return new View("", false, List.of(), 0, 0, 0, 0, 0, 0);
    }

    @Override
    public void observeLag(Consumer<Duration> observer) {
    }

    @Override
    public void close() {
    }

    @Override
    public String toString() {
      return "none";
    }
  }
}
