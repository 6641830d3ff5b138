package dev.tether.boot;

import dev.tether.AssociationCluster;
import dev.tether.AssociationRegistry;
import dev.tether.AssociationStats;
import org.springframework.boot.health.contributor.Health;
import org.springframework.boot.health.contributor.HealthIndicator;

/**
 * Tether's health ({@code /actuator/health/tether}): {@code UP} while the registry runs, with its
 * counts; {@code DOWN} once it is closed. With a cluster, its state too: a node that cannot
 * exchange events with the others is {@code degraded} (its logins' flushes stay local for now),
 * which is {@code DOWN} when {@code tether.cluster-required=true} and {@code UP} otherwise.
 */
final class TetherHealthIndicator implements HealthIndicator {
  private final AssociationRegistry registry;
  private final boolean clusterRequired;

  TetherHealthIndicator(AssociationRegistry registry, boolean clusterRequired) {
    this.registry = registry;
    this.clusterRequired = clusterRequired;
  }

  @Override
  public Health health() {
    if (registry.isClosed()) {
      return Health.down().withDetail("registry", registry.name())
          .withDetail("reason", "the registry is closed").build();
    }
    AssociationStats s = registry.stats();
    Health.Builder health = Health.up()
        .withDetail("registry", registry.name())
        .withDetail("associations", s.associations())
        .withDetail("active", s.active())
        .withDetail("idle", s.idle())
        .withDetail("leases", s.leases())
        .withDetail("maxAssociations", registry.maxAssociations())
        .withDetail("refused", s.refused())
        .withDetail("boundPeers", registry.policies().boundPeers());
    AssociationCluster cluster = registry.cluster();
    if (cluster != AssociationCluster.none()) {
      AssociationCluster.View view = cluster.view();
      health.withDetail("cluster", java.util.Map.of(
          "node", view.node(),
          "degraded", view.degraded(),
          "liveNodes", view.liveNodes(),
          "ackMisses", view.ackMisses(),
          "resyncs", view.resyncs()));
      if (view.degraded() && clusterRequired) {
        health.down();
      }
    }
    return health.build();
  }
}
