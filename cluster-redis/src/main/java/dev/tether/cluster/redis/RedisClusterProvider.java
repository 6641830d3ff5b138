package dev.tether.cluster.redis;

import dev.tether.AssociationCluster;

/**
 * Makes a {@link RedisCluster} from the containers' cluster settings, for {@code redis://} and
 * {@code rediss://} URIs; found by {@link AssociationCluster#create} through the service loader, so
 * that the Jetty and Tomcat adapters need no compile-time dependency on this module.
 */
public final class RedisClusterProvider implements AssociationCluster.Provider {

  @Override
  public boolean accepts(String uri) {
    return uri.startsWith("redis://") || uri.startsWith("rediss://");
  }

  @Override
  public AssociationCluster create(AssociationCluster.Config c) {
    RedisClusterBuilder b = RedisCluster.builder().uri(c.uri());
    if (!c.node().isEmpty()) {
      b.node(c.node());
    }
    if (c.secretFile() != null) {
      b.secretFile(c.secretFile());
    }
    b.ackTimeout(c.ackTimeout()).heartbeat(c.heartbeat()).stream(c.stream())
        .maxPending(Math.toIntExact(Math.min(c.maxPending(), Integer.MAX_VALUE)))
        .maxLength(c.maxLength()).required(c.required()).address(c.address());
    try {
      return b.build();
    } catch (IllegalStateException e) {
      throw new IllegalArgumentException(e.getMessage(), e);
    }
  }
}
