package dev.tether.boot;

import dev.tether.AssociationCluster;
import dev.tether.AssociationRegistry;
import dev.tether.AssociationStats;
import dev.tether.DeletionCause;
import dev.tether.RefusalReason;
import dev.tether.SecurityAssociation;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.jspecify.annotations.Nullable;
import org.springframework.boot.actuate.endpoint.Access;
import org.springframework.boot.actuate.endpoint.InvalidEndpointRequestException;
import org.springframework.boot.actuate.endpoint.annotation.Endpoint;
import org.springframework.boot.actuate.endpoint.annotation.ReadOperation;
import org.springframework.boot.actuate.endpoint.annotation.Selector;
import org.springframework.boot.actuate.endpoint.annotation.WriteOperation;

/**
 * The actuator endpoint {@code tether}: the SA table and the registry's counters, and flushes.
 *
 * <ul>
 *   <li>{@code GET /actuator/tether}: the registry's name and bounds, its statistics, every SA, and
 *       the cluster as this node sees it (with a cluster only);
 *   <li>{@code GET /actuator/tether/{id}}: one SA, or 404;
 *   <li>{@code POST /actuator/tether} with a JSON body naming exactly one of {@code {"id": "..."}},
 *       {@code {"peer": "203.0.113.7"}} or {@code {"all": true}}: flushes (cause {@code MANUAL}) and
 *       answers {@code {"flushed": n}}; anything else is a 400.
 * </ul>
 *
 * <p>Read-only by default: flushing needs {@code management.endpoint.tether.access=unrestricted},
 * and the endpoint exposed ({@code management.endpoints.web.exposure.include=tether}) behind the
 * application's security. Thread-safe.
 */
@Endpoint(id = "tether", defaultAccess = Access.READ_ONLY)
public class TetherEndpoint {
  private final AssociationRegistry registry;

  /** An endpoint over {@code registry}. */
  public TetherEndpoint(AssociationRegistry registry) {
    this.registry = registry;
  }

  /** Returns the registry's name, bounds, statistics, SA table and cluster. */
  @ReadOperation
  public Report report() {
    AssociationCluster cluster = registry.cluster();
    return new Report(registry.name(), registry.maxAssociations(),
        registry.maxAssociationsPerPeer(), registry.policies().boundPeers(),
        Stats.of(registry.stats()),
        registry.associations().stream().map(Association::of).toList(),
        cluster == AssociationCluster.none() ? null : Cluster.of(cluster.view()));
  }

  /** Returns one SA, or {@code null} (404) if the registry holds none with this id. */
  @ReadOperation
  public @Nullable Association association(@Selector String id) {
    return registry.find(id).map(Association::of).orElse(null);
  }

  /**
   * Flushes one SA ({@code id}), every SA of a client address ({@code peer}) or every SA
   * ({@code all}); exactly one must be given.
   */
  @WriteOperation
  public Flushed flush(@Nullable String id, @Nullable String peer, @Nullable Boolean all) {
    int given = (id != null ? 1 : 0) + (peer != null ? 1 : 0) + (Boolean.TRUE.equals(all) ? 1 : 0);
    if (given != 1) {
      throw new InvalidEndpointRequestException("name exactly one of id, peer or all=true",
          "Name exactly one of \"id\", \"peer\" or \"all\": true");
    }
    if (id != null) {
      return new Flushed(registry.flush(id, DeletionCause.MANUAL));
    }
    if (peer != null) {
      return new Flushed(registry.flushPeer(peer, DeletionCause.MANUAL));
    }
    return new Flushed(registry.flushAll(DeletionCause.MANUAL));
  }

  /**
   * What {@code GET /actuator/tether} shows.
   *
   * @param registry the registry's name
   * @param maxAssociations the most SAs it holds
   * @param maxAssociationsPerPeer the most SAs one client address holds
   * @param boundPeers client addresses bound to a user's policy now
   * @param stats the registry's counters
   * @param associations every SA, active and idle
   * @param cluster the cluster as this node sees it, or {@code null} for a node alone
   */
  public record Report(String registry, long maxAssociations, int maxAssociationsPerPeer,
      long boundPeers, Stats stats, List<Association> associations, @Nullable Cluster cluster) {
  }

  /**
   * One SA. Instants are ISO-8601 in UTC ({@code idleSince} {@code null} while referenced),
   * durations whole milliseconds.
   */
  public record Association(String id, String peer, String protocol, String cipherSuite,
      String policy, List<String> principals, String state, int references, int reuses,
      String created, String lastUsed, @Nullable String idleSince, long ageMillis,
      long idleMillis) {
    static Association of(SecurityAssociation sa) {
      return new Association(sa.id(), sa.peer(), sa.protocol(), sa.cipherSuite(), sa.policy(),
          List.copyOf(sa.principals()), sa.state().name(), sa.references(), sa.reuses(),
          sa.created().toString(), sa.lastUsed().toString(),
          sa.idleSince() == null ? null : sa.idleSince().toString(), sa.age().toMillis(),
          sa.idleFor().toMillis());
    }
  }

  /**
   * The registry's counters (see {@link AssociationStats}); {@code saved} counts the resumptions of
   * idle SAs, the full handshakes the grace period avoided.
   */
  public record Stats(long associations, long active, long idle, long leases, long accepted,
      long negotiated, long reused, long saved, long released, long deleted, long flushed,
      long refused, long handshakeFailures, long closedBeforeHandshake, long staleResumptions,
      long endedConnections, Map<String, Long> deletedByCause, Map<String, Long> refusedByReason) {
    static Stats of(AssociationStats s) {
      // The enums' order, so that the output is stable.
      Map<String, Long> causes = new LinkedHashMap<>();
      for (DeletionCause c : DeletionCause.values()) {
        causes.put(c.name(), s.deletedByCause().getOrDefault(c, 0L));
      }
      Map<String, Long> reasons = new LinkedHashMap<>();
      for (RefusalReason r : RefusalReason.values()) {
        reasons.put(r.name(), s.refusedByReason().getOrDefault(r, 0L));
      }
      return new Stats(s.associations(), s.active(), s.idle(), s.leases(), s.accepted(),
          s.negotiated(), s.reused(), s.revived(), s.released(), s.deleted(), s.flushed(),
          s.refused(), s.handshakeFailures(), s.closedBeforeHandshake(), s.staleResumptions(),
          s.endedConnections(), causes, reasons);
    }
  }

  /** The cluster as this node sees it (see {@link AssociationCluster.View}). */
  public record Cluster(String node, boolean degraded, long liveNodes, long published,
      long applied, long rejected, long ackMisses, long dropped, long resyncs, List<Node> nodes) {
    static Cluster of(AssociationCluster.View v) {
      return new Cluster(v.node(), v.degraded(), v.liveNodes(), v.published(), v.applied(),
          v.rejected(), v.ackMisses(), v.dropped(), v.resyncs(),
          v.nodes().stream().map(n -> new Node(n.name(), n.address(), n.live(), n.associations(),
              n.lag().toNanos() / 1_000, n.sinceHeard().toMillis())).toList());
    }
  }

  /** One node of the cluster, as last announced. */
  public record Node(String name, String address, boolean live, long associations,
      long lagMicros, long sinceHeardMillis) {
  }

  /** The answer to a flush: how many SAs it deleted. */
  public record Flushed(int flushed) {
  }
}
