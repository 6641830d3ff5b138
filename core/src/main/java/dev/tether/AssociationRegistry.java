package dev.tether;

import static java.util.Objects.requireNonNull;

import dev.tether.SaPolicy.OpenConnections;
import java.lang.System.Logger.Level;
import java.util.List;
import java.util.Optional;
import java.util.function.Predicate;
import javax.net.ssl.SSLSession;

/**
 * The registry of security associations: the patent's network interceptor bookkeeping (FIG. 3 and 4),
 * independent of any container.
 *
 * <p>A container calls {@link #acquire} when a connection's TLS handshake completes (S1-S2): if the
 * session carries the id of a live SA the connection reuses it, otherwise a new SA is created; either
 * way the connection gets a {@link Lease} (S2e, reference count + 1). It calls {@link Lease#release()}
 * when the connection closes (S4). When the last lease of an SA is released (S5) the SA is deleted at
 * once (S7) if its policy's grace period is zero, otherwise it goes idle and is deleted when the grace
 * expires, unless a connection resumes it first. Deleting an SA invalidates every TLS session it has
 * seen through the {@link AssociationDriver}, so that it can no longer be resumed.
 *
 * <pre>{@code
 * AssociationRegistry registry = AssociationRegistry.builder()
 *     .name("shop")
 *     .grace(Duration.ofSeconds(30))
 *     .maxAssociations(100_000)
 *     .build();
 * }</pre>
 *
 * <p>This class is the registry's face: its policies, its cluster, and the operations a container,
 * an operator or an application calls. The SA table and everything that keeps it (correlation,
 * the end of SAs, pressure, deletion, counters, views) is its engine, {@link AssociationTable} with
 * its {@link IdleQueue}, as Caffeine's {@code Cache} is the face of its {@code BoundedLocalCache}.
 *
 * <p>Concurrency: thread-safe and lock-free on the fast path; see {@link AssociationTable}. Listeners
 * are told outside every lock, in order per SA.
 */
public final class AssociationRegistry implements AutoCloseable {
  private static final System.Logger LOG = System.getLogger(AssociationRegistry.class.getName());

  private final String name;
  private final SaPolicy defaultPolicy;
  private final PolicyEngine policies;
  private final AssociationCluster cluster;
  private final AssociationTable table;

  private AssociationRegistry(RegistryBuilder b) {
    this.name = b.name;
    PolicySet policySet = b.policySet();
    this.defaultPolicy = policySet.anonymous();
    this.policies = new PolicyEngine(this, policySet, b.bindingTtl, b.maxBindings, b.ticker);
    this.cluster = b.cluster;
    this.table = new AssociationTable(this, b);
    LOG.log(Level.INFO, "Tether registry ''{0}'' started: policies={1}, anonymous grace={2}, "
        + "maxAssociations={3}, maxAssociationsPerPeer={4}, driver={5}", name, policySet,
        defaultPolicy.grace(), b.maxAssociations, b.maxAssociationsPerPeer, b.driver);
  }

  /** Returns a builder with the defaults: grace 30 s, 100,000 SAs, 1,000 per peer, JSSE driver. */
  public static RegistryBuilder builder() {
    return new RegistryBuilder(b -> {
      AssociationRegistry registry = new AssociationRegistry(b);
      try {
        registry.cluster.start(new ClusterMember(registry));
      } catch (RuntimeException e) {
        registry.close();
        throw e;
      }
      return registry;
    });
  }
  /** Returns the registry's name, unique among the registries of one JVM by convention. */
  public String name() {
    return name;
  }
  /** Returns the policy of SAs for which the container did not name one. */
  public SaPolicy defaultPolicy() {
    return defaultPolicy;
  }
  /** Returns the policy a new connection from {@code peer} is negotiated under. */
  public SaPolicy policyFor(String peer) {
    return policies.policyFor(peer);
  }
  /** Returns the policy engine: logins, logouts, request checks. */
  public PolicyEngine policies() {
    return policies;
  }
  /** Returns the most SAs the registry holds. */
  public long maxAssociations() {
    return table.maxAssociations();
  }

  /** Returns the most SAs the registry holds for one peer. */
  public int maxAssociationsPerPeer() {
    return table.maxAssociationsPerPeer();
  }

  // ---------------------------------------------------------------------------------------------
  // S2: correlate a connection with its SA

  /** Same as {@link #acquire(SSLSession, String, SaPolicy)} under {@link #policyFor(String)}. */
  public Lease acquire(SSLSession session, String peer) throws AssociationRefusedException {
    return acquire(session, peer, policyFor(peer));
  }

  /**
   * Looks at a handshake while it runs, with the session it is negotiating ({@code
   * SSLEngine.getHandshakeSession()}), before the server's last flight: the TLS stack has issued no
   * session ticket of it yet. A new lineage gets its SA id now, so that every ticket carries it: a
   * tag put on a TLS 1.3 session after its handshake makes the JDK send one more ticket on the
   * connection's next write, made from the session as it is then, deleted or not, and a flush in the
   * first request would let the client resume the deleted lineage with it. A resumption of a lineage
   * whose SA was deleted is refused here, before the client can send a byte over it.
   *
   * <p>Optional: {@link #acquire} works without it (tagging after the handshake), as it must for TLS
   * stacks that offer no such moment. {@code dev.tether.tls.TlsConnection} calls it for the JDK's
   * engines.
   *
   * @return whether the session starts a new lineage (a full handshake), rather than resuming one
   * @throws AssociationRefusedException if the session resumes a flushed SA; counted as a stale
   *     resumption and a refusal, and the session deleted
   */

  public boolean inspectHandshake(SSLSession handshakeSession, String peer)
      throws AssociationRefusedException {
    return table.inspectHandshake(handshakeSession, peer);
  }

  /**
   * Correlates a connection whose handshake just completed with its SA and returns the connection's
   * lease: the SA named by the session's tag if it is still live (S2a yes), else a new SA negotiated
   * under {@code policy} (S2b-S2d). A connection that resumed the session of an SA deleted meanwhile
   * (a stale resumption) is refused if the SA was flushed; if the SA merely ended its life at that
   * moment (a client racing its own last close), it gets a new SA that cannot be resumed. Either way
   * the session is deleted.
   *
   * @throws AssociationRefusedException if a new SA would exceed a bound, the connection resumed a
   *     flushed SA, or the registry is closed; the refusal is already counted and logged, and the
   *     session deleted so that the TLS stack does not keep state nobody owns
   */

  public Lease acquire(SSLSession session, String peer, SaPolicy policy)
      throws AssociationRefusedException {
    requireNonNull(session, "session");
    requireNonNull(peer, "peer");
    requireNonNull(policy, "policy");
    return table.acquire(session, peer, policy);
  }

  // ---------------------------------------------------------------------------------------------
  // Flushes

  /**
   * Deletes the SA with this id; returns 1 if it existed, else 0. Its open connections end after the
   * response they are writing (see {@link Lease#onDeleted}).
   */
  public int flush(String id, DeletionCause cause) {
    return flush(id, cause, OpenConnections.CLOSE);
  }
  /** Deletes the SA with this id, with its open connections as {@code open} says; returns 1 or 0. */

  public int flush(String id, DeletionCause cause, OpenConnections open) {
    requireNonNull(cause, "cause");
    requireNonNull(open, "open");
    return table.flush(id, cause, open);
  }

  /**
   * Deletes every SA of the peer, here and on every node of the {@linkplain #cluster() cluster};
   * returns how many it deleted here. Like every bulk flush, it is weakly consistent: an SA created
   * while it runs may or may not be included; every SA that existed when it started and still exists
   * when it returns is flushed. In a cluster it returns when every live node has applied the flush,
   * or at the cluster's bound. Open connections of the SAs end after their response.
   */
  public int flushPeer(String peer, DeletionCause cause) {
    return flushPeer(peer, cause, OpenConnections.CLOSE);
  }
  /**
   * Deletes every SA of the peer, here and on every node, with the open connections as {@code open}
   * says; returns how many it deleted here.
   */
  public int flushPeer(String peer, DeletionCause cause, OpenConnections open) {
    requireNonNull(peer, "peer");
    requireNonNull(cause, "cause");
    requireNonNull(open, "open");
    int n = flushPeerHere(peer, cause, open);
    cluster.publish(AssociationCluster.Event.flushPeer(peer, cause, open)).await();
    return n;
  }
  /**
   * Deletes every SA, here and on every node of the {@linkplain #cluster() cluster}; returns how
   * many it deleted here. In a cluster it returns when every live node has applied the flush, or at
   * the cluster's bound. Open connections end after their response.
   */
  public int flushAll(DeletionCause cause) {
    return flushAll(cause, OpenConnections.CLOSE);
  }
  /** Deletes every SA, here and on every node, with open connections as {@code open} says. */
  public int flushAll(DeletionCause cause, OpenConnections open) {
    requireNonNull(cause, "cause");
    requireNonNull(open, "open");
    int n = flushAllHere(cause, open);
    cluster.publish(AssociationCluster.Event.flushAll(cause, open)).await();
    return n;
  }
  /** The flush of a peer on this node: a local request's and a remote node's. */
  int flushPeerHere(String peer, DeletionCause cause, OpenConnections open) {
    return table.flushPeerHere(peer, cause, open);
  }

  /** The flush of every SA on this node: a local request's and a remote node's. */
  int flushAllHere(DeletionCause cause, OpenConnections open) {
    return table.flushAllHere(cause, open);
  }

  /**
   * Deletes every SA on this node (only) whose view matches; returns how many. Open connections end
   * after their response.
   */

  public int flushIf(Predicate<SecurityAssociation> filter, DeletionCause cause) {
    requireNonNull(filter, "filter");
    requireNonNull(cause, "cause");
    return table.flushIf(filter, cause);
  }

  // ---------------------------------------------------------------------------------------------
  // Container events

  /** Counts a TLS connection the container accepted (S1). */
  public void recordAccepted() {
    table.recordAccepted();
  }

  /**
   * Counts a refusal the container made itself, such as a request refused because its principal's
   * policy does not accept the connection's SA ({@link RefusalReason#POLICY}). It is counted and
   * announced to listeners like the registry's own refusals; policy refusals follow users, not
   * load, so they are logged at DEBUG rather than as a refusal episode.
   */

  public void recordRefusal(String peer, RefusalReason reason) {
    requireNonNull(peer, "peer");
    requireNonNull(reason, "reason");
    table.recordRefusal(peer, reason);
  }

  /** Counts a handshake that failed; such a connection holds no SA. */
  public void recordHandshakeFailure() {
    table.recordHandshakeFailure();
  }

  /** Counts a connection that closed before its handshake completed; it holds no SA. */
  public void recordClosedBeforeHandshake() {
    table.recordClosedBeforeHandshake();
  }

  // ---------------------------------------------------------------------------------------------
  // Views

  /** Returns the live SA with this id. */
  public Optional<SecurityAssociation> find(String id) {
    return table.find(id);
  }

  /** Returns a snapshot of every live SA, oldest first. */
  public List<SecurityAssociation> associations() {
    return table.associations();
  }

  /** Adds a listener of the registry's events; it receives the events after this call. */
  public void addListener(AssociationListener listener) {
    table.addListener(requireNonNull(listener, "listener"));
  }

  /** Removes a listener; returns whether it was registered. */
  public boolean removeListener(AssociationListener listener) {
    return table.removeListener(listener);
  }

  /** Returns a snapshot of the counters and gauges. */
  public AssociationStats stats() {
    return table.stats();
  }

  /**
   * Deletes now the SAs whose grace or maximum age ended (the scheduler's wake-ups do it on their
   * own, within about a second of the end, when one is set).
   */
  public void cleanUp() {
    table.cleanUp();
  }

  /** Returns the cluster the registry's flushes and bindings travel through. */
  public AssociationCluster cluster() {
    return cluster;
  }
  /** The engine, for tests of its invariants. */
  AssociationTable table() {
    return table;
  }

  /** Returns the SAs the bound counts; see {@link AssociationTable#size()}. */
  long size() {
    return table.size();
  }

  /** Returns the name under which SAs leave their id in TLS sessions. */
  String tagKey() {
    return table.tagKey();
  }

  // ---------------------------------------------------------------------------------------------

  /**
   * Closes the registry: every SA of this node is flushed (cause {@code SHUTDOWN}; the other nodes
   * of its cluster keep theirs), new handshakes are refused and the cluster is closed. Leases still
   * open may be released afterwards; they find nothing to count down.
   */

  @Override
  public void close() {
    int n = table.close();
    if (n < 0) {
      return;
    }
    try {
      cluster.close();
    } catch (RuntimeException e) {
      LOG.log(Level.WARNING, "Tether registry ''" + name + "'': closing its cluster failed", e);
    }
    LOG.log(Level.INFO, "Tether registry ''{0}'' closed; {1} SA(s) deleted", name, n);
  }

  /** Returns whether the registry was closed. */
  public boolean isClosed() {
    return table.isClosed();
  }

  static String formatId(long id) {
    String hex = Long.toHexString(id);
    return hex.length() >= 8 ? hex : "00000000".substring(hex.length()) + hex;
  }
  static long parseId(String id) {
    if (id == null || id.isEmpty() || id.length() > 16) {
      return -1;
    }
    try {
      return Long.parseUnsignedLong(id, 16);
    } catch (NumberFormatException e) {
      return -1;
    }
  }
  @Override
  public String toString() {
    return "AssociationRegistry[" + name + "]";
  }
}
