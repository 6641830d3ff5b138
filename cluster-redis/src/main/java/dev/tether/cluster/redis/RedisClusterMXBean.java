package dev.tether.cluster.redis;

/**
 * The JMX view of a {@link RedisCluster}, registered as
 * {@code dev.tether:type=Cluster,registry=REGISTRY,node=NODE} while the cluster runs. Every attribute
 * is read-only; counters only grow.
 */
public interface RedisClusterMXBean {
  /** Returns this node's name. */
  String getNode();

  /** Returns whether this node cannot exchange events now (its flushes stay local meanwhile). */
  boolean isDegraded();

  /** Returns the number of live nodes, this one included. */
  long getLiveNodes();

  /** Returns the events this node published. */
  long getEventsPublished();

  /** Returns the remote events this node applied. */
  long getEventsApplied();

  /** Returns the remote events (and acknowledgements) this node refused. */
  long getEventsRejected();

  /** Returns the flushes whose wait ended at the bound before every live node applied them. */
  long getAckMisses();

  /** Returns the events this node could not keep while Redis was away. */
  long getEventsDropped();

  /** Returns how often this node flushed its own SAs because it missed events. */
  long getResyncs();

  /** Returns the last propagation lag measured on this node, in microseconds. */
  long getLagMicros();

  /** Returns one line per node: {@code name address live|down SAs=n lag=µs heard=ms ago}. */
  String[] getNodes();
}
