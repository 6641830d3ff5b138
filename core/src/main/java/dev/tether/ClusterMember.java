package dev.tether;

/**
 * The registry's side of its {@link AssociationCluster}: applies remote events through the same flush
 * and binding paths as local ones, minus the publication.
 */
final class ClusterMember implements AssociationCluster.Member {
  private final AssociationRegistry registry;

  ClusterMember(AssociationRegistry registry) {
    this.registry = registry;
  }

  @Override
  public String registryName() {
    return registry.name();
  }

  @Override
  public boolean apply(AssociationCluster.Event event) {
    return switch (event.kind()) {
      case FLUSH_PEER -> {
        registry.flushPeerHere(event.peer(), event.cause(), event.open());
        yield true;
      }
      case FLUSH_ALL -> {
        registry.flushAllHere(event.cause(), event.open());
        yield true;
      }
      case BIND -> registry.policies().bindHere(event.peer(), event.principal(), event.policy());
      case UNBIND -> {
        registry.policies().unbindHere(event.peer());
        yield true;
      }
    };
  }

  @Override
  public int flushMissed() {
    return registry.flushAllHere(DeletionCause.MISSED_EVENTS, SaPolicy.OpenConnections.CLOSE);
  }

  @Override
  public AssociationStats stats() {
    return registry.stats();
  }

  @Override
  public String toString() {
    return "ClusterMember[" + registry.name() + "]";
  }
}
