package dev.tether.cluster.redis;

import dev.tether.AssociationCluster;
import java.lang.System.Logger.Level;
import java.lang.management.ManagementFactory;
import javax.management.JMException;
import javax.management.MBeanServer;
import javax.management.ObjectName;

/** Registers a cluster's {@link RedisClusterMXBean} in the platform MBean server. */
final class ClusterJmx implements RedisClusterMXBean {
  private static final System.Logger LOG = System.getLogger(RedisCluster.class.getName());

  private final RedisCluster cluster;
  private ObjectName name;

  private ClusterJmx(RedisCluster cluster) {
    this.cluster = cluster;
  }

  static ClusterJmx register(RedisCluster cluster, String registry) {
    ClusterJmx jmx = new ClusterJmx(cluster);
    try {
      ObjectName name = new ObjectName("dev.tether:type=Cluster,registry="
          + ObjectName.quote(registry) + ",node=" + ObjectName.quote(cluster.node()));
      MBeanServer server = ManagementFactory.getPlatformMBeanServer();
      if (server.isRegistered(name)) {
        server.unregisterMBean(name);
      }
      server.registerMBean(jmx, name);
      jmx.name = name;
    } catch (JMException e) {
      LOG.log(Level.WARNING, "Tether cluster: no JMX view of node '" + cluster.node() + "'", e);
    }
    return jmx;
  }

  void unregister() {
    if (name != null) {
      try {
        ManagementFactory.getPlatformMBeanServer().unregisterMBean(name);
      } catch (JMException e) {
        LOG.log(Level.DEBUG, () -> "Tether cluster: " + name + " was already gone");
      }
    }
  }

  ObjectName objectName() {
    return name;
  }

  @Override
  public String getNode() {
    return cluster.node();
  }

  @Override
  public boolean isDegraded() {
    return cluster.degraded();
  }

  @Override
  public long getLiveNodes() {
    return cluster.view().liveNodes();
  }

  @Override
  public long getEventsPublished() {
    return cluster.published.sum();
  }

  @Override
  public long getEventsApplied() {
    return cluster.applied.sum();
  }

  @Override
  public long getEventsRejected() {
    return cluster.rejected.sum();
  }

  @Override
  public long getAckMisses() {
    return cluster.view().ackMisses();
  }

  @Override
  public long getEventsDropped() {
    return cluster.dropped.sum();
  }

  @Override
  public long getResyncs() {
    return cluster.resyncs.sum();
  }

  @Override
  public long getLagMicros() {
    return cluster.view().nodes().get(0).lag().toNanos() / 1_000;
  }

  @Override
  public String[] getNodes() {
    return cluster.view().nodes().stream().map(ClusterJmx::line).toArray(String[]::new);
  }

  private static String line(AssociationCluster.Node n) {
    return n.name() + " " + (n.address().isEmpty() ? "-" : n.address()) + " "
        + (n.live() ? "live" : "down") + " SAs=" + n.associations() + " lag="
        + n.lag().toNanos() / 1_000 + "us heard=" + n.sinceHeard().toMillis() + "ms ago";
  }
}
