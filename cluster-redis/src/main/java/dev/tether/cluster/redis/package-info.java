/**
 * Tether's cluster on Redis Streams: {@link dev.tether.cluster.redis.RedisCluster} carries a
 * registry's flushes of peers and of all SAs, and its peer bindings, to the other nodes of a site,
 * signed with a shared secret, through Lettuce. Built with {@link dev.tether.cluster.redis.RedisCluster#builder()}
 * and given to {@code AssociationRegistry.builder().cluster(...)}.
 */
package dev.tether.cluster.redis;
