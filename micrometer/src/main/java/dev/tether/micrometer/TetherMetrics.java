package dev.tether.micrometer;

import static java.util.Objects.requireNonNull;

import dev.tether.AssociationCluster;
import dev.tether.AssociationListener;
import dev.tether.AssociationRegistry;
import dev.tether.AssociationStats;
import dev.tether.DeletionCause;
import dev.tether.RefusalReason;
import dev.tether.SecurityAssociation;
import io.micrometer.core.instrument.FunctionCounter;
import io.micrometer.core.instrument.Gauge;
import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.Tag;
import io.micrometer.core.instrument.Tags;
import io.micrometer.core.instrument.Timer;
import io.micrometer.core.instrument.binder.MeterBinder;
import java.time.Duration;
import java.util.Locale;
import java.util.function.ToDoubleFunction;

/**
 * Binds a Tether {@link AssociationRegistry} to a Micrometer {@link MeterRegistry}.
 *
 * <p>Meters (dotted lowercase; Prometheus shows them with underscores):
 * <ul>
 *   <li>gauges {@code tether.associations.active}, {@code tether.associations.idle},
 *       {@code tether.leases.open};
 *   <li>counters {@code tether.connections.accepted}, {@code tether.associations.negotiated},
 *       {@code tether.associations.reused}, {@code tether.leases.released},
 *       {@code tether.associations.deleted} (tag {@code cause}: last_close, grace_expired, max_age,
 *       pressure, login, logout, manual, shutdown, missed_events),
 *       {@code tether.associations.flushed} (tag
 *       {@code cause}: the flush causes), {@code tether.associations.refused} (tag {@code reason}),
 *       {@code tether.handshakes.failed}, {@code tether.connections.unhandshaken} (closed before their
 *       handshake), {@code tether.connections.ended} (open connections a flush ended because it
 *       deleted their SA), {@code tether.handshakes.saved} (resumptions of idle SAs: full handshakes the
 *       grace period avoided);
 *   <li>timers {@code tether.association.lifetime} (age of each deleted SA) and
 *       {@code tether.association.idle} (how long each SA was idle before a resumption revived it or
 *       it was deleted: the revivals show how long clients take to come back, which is what the grace
 *       period should cover);
 *   <li>in a cluster ({@link AssociationRegistry#cluster()}): counters
 *       {@code tether.cluster.events.published}, {@code tether.cluster.events.applied},
 *       {@code tether.cluster.events.rejected}, {@code tether.cluster.events.dropped},
 *       {@code tether.cluster.ack.misses} (flushes whose wait ended at the bound),
 *       {@code tether.cluster.resyncs} (own SAs flushed after missed events); gauges
 *       {@code tether.cluster.nodes.live} and {@code tether.cluster.degraded} (1 when the node cannot
 *       exchange events); and the timer {@code tether.cluster.propagation.lag} with a percentile
 *       histogram (from an event's publication on its origin to its application here).
 * </ul>
 * Every meter carries the registry's name as tag {@code registry} plus the tags given (e.g.
 * {@code container}, {@code connector}).
 *
 * <pre>{@code
 * new TetherMetrics(registry, Tags.of("container", "jetty")).bindTo(meterRegistry);
 * }</pre>
 *
 * <p>Counters and gauges read the registry's {@link AssociationStats} when scraped; the timers are fed
 * by a listener added to the registry by {@link #bindTo}. Thread-safe.
 */
public final class TetherMetrics implements MeterBinder {
  private final AssociationRegistry registry;
  private final Tags tags;

  public TetherMetrics(AssociationRegistry registry, Iterable<Tag> tags) {
    this.registry = requireNonNull(registry, "registry");
    this.tags = Tags.of(tags).and("registry", registry.name());
  }

  /** Binds a registry with the given tags (key/value pairs) to {@code meters}; returns the binder. */
  public static TetherMetrics monitor(MeterRegistry meters, AssociationRegistry registry,
      String... tags) {
    TetherMetrics metrics = new TetherMetrics(registry, Tags.of(tags));
    metrics.bindTo(meters);
    return metrics;
  }

  @Override
  public void bindTo(MeterRegistry meters) {
    gauge(meters, "tether.associations.active", "SAs referenced by at least one connection",
        AssociationStats::active);
    gauge(meters, "tether.associations.idle", "SAs waiting out their grace period",
        AssociationStats::idle);
    gauge(meters, "tether.leases.open", "live connections holding an SA", AssociationStats::leases);

    counter(meters, "tether.connections.accepted", "TLS connections accepted", Tags.empty(),
        AssociationStats::accepted);
    counter(meters, "tether.associations.negotiated", "SAs created by a full handshake",
        Tags.empty(), AssociationStats::negotiated);
    counter(meters, "tether.associations.reused", "connections that resumed an existing SA",
        Tags.empty(), AssociationStats::reused);
    counter(meters, "tether.handshakes.saved",
        "resumptions of idle SAs: full handshakes the grace period avoided", Tags.empty(),
        AssociationStats::revived);
    counter(meters, "tether.leases.released", "leases released", Tags.empty(),
        AssociationStats::released);
    counter(meters, "tether.handshakes.failed", "handshakes that failed", Tags.empty(),
        AssociationStats::handshakeFailures);
    counter(meters, "tether.connections.unhandshaken",
        "connections closed before their handshake completed", Tags.empty(),
        AssociationStats::closedBeforeHandshake);
    counter(meters, "tether.connections.ended",
        "open connections ended because a flush deleted their SA", Tags.empty(),
        AssociationStats::endedConnections);
    for (DeletionCause cause : DeletionCause.values()) {
      Tags t = Tags.of("cause", cause.name().toLowerCase(Locale.ROOT));
      counter(meters, "tether.associations.deleted", "SAs deleted, by cause", t,
          s -> s.deletedByCause().getOrDefault(cause, 0L));
      if (cause.isFlush()) {
        counter(meters, "tether.associations.flushed", "SAs flushed on demand, by cause", t,
            s -> s.deletedByCause().getOrDefault(cause, 0L));
      }
    }
    for (RefusalReason reason : RefusalReason.values()) {
      counter(meters, "tether.associations.refused", "connections refused an SA, by reason",
          Tags.of("reason", reason.name().toLowerCase(Locale.ROOT)),
          s -> s.refusedByReason().getOrDefault(reason, 0L));
    }

    if (registry.cluster() != AssociationCluster.none()) {
      bindCluster(meters, registry.cluster());
    }

    Timer lifetime = Timer.builder("tether.association.lifetime")
        .description("age of SAs when they were deleted").tags(tags).register(meters);
    Timer idle = Timer.builder("tether.association.idle")
        .description("how long SAs stayed idle before a resumption or their deletion")
        .tags(tags).register(meters);
    registry.addListener(new AssociationListener() {
      @Override
      public void onDeleted(SecurityAssociation sa, DeletionCause cause) {
        lifetime.record(sa.age());
        if (sa.references() == 0 && sa.idleSince() != null) {
          idle.record(sa.idleFor());
        }
      }

      @Override
      public void onRevived(SecurityAssociation sa, Duration idleFor) {
        idle.record(idleFor);
      }
    });
  }

  private void bindCluster(MeterRegistry meters, AssociationCluster cluster) {
    clusterCounter(meters, cluster, "tether.cluster.events.published",
        "flushes and bindings this node published", AssociationCluster.View::published);
    clusterCounter(meters, cluster, "tether.cluster.events.applied",
        "other nodes' flushes and bindings applied here", AssociationCluster.View::applied);
    clusterCounter(meters, cluster, "tether.cluster.events.rejected",
        "events refused: unsigned, badly signed, malformed, unknown version or policy",
        AssociationCluster.View::rejected);
    clusterCounter(meters, cluster, "tether.cluster.events.dropped",
        "events this node could not keep while the cluster was unreachable",
        AssociationCluster.View::dropped);
    clusterCounter(meters, cluster, "tether.cluster.ack.misses",
        "flushes whose wait for every live node ended at the bound",
        AssociationCluster.View::ackMisses);
    clusterCounter(meters, cluster, "tether.cluster.resyncs",
        "times this node flushed its own SAs because it missed events",
        AssociationCluster.View::resyncs);
    Gauge.builder("tether.cluster.nodes.live", cluster, c -> c.view().liveNodes())
        .description("live nodes, this one included").tags(tags).register(meters);
    Gauge.builder("tether.cluster.degraded", cluster, c -> c.view().degraded() ? 1 : 0)
        .description("1 while this node cannot exchange events with the cluster")
        .tags(tags).register(meters);
    Timer lag = Timer.builder("tether.cluster.propagation.lag")
        .description("from an event's publication on its origin to its application here")
        .publishPercentileHistogram().tags(tags).register(meters);
    cluster.observeLag(lag::record);
  }

  private void clusterCounter(MeterRegistry meters, AssociationCluster cluster, String name,
      String description, ToDoubleFunction<AssociationCluster.View> value) {
    FunctionCounter.builder(name, cluster, c -> value.applyAsDouble(c.view()))
        .description(description).tags(tags).register(meters);
  }

  private void gauge(MeterRegistry meters, String name, String description,
      ToDoubleFunction<AssociationStats> value) {
    Gauge.builder(name, registry, r -> value.applyAsDouble(r.stats()))
        .description(description).tags(tags).register(meters);
  }

  private void counter(MeterRegistry meters, String name, String description, Tags extra,
      ToDoubleFunction<AssociationStats> value) {
    FunctionCounter.builder(name, registry, r -> value.applyAsDouble(r.stats()))
        .description(description).tags(tags.and(extra)).register(meters);
  }
}
