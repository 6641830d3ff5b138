package dev.tether.shop.launcher;

import dev.tether.AssociationCluster;
import dev.tether.AssociationRegistry;
import dev.tether.AssociationStats;
import dev.tether.DeletionCause;
import dev.tether.RefusalReason;
import dev.tether.SecurityAssociation;
import java.lang.System.Logger.Level;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;

/**
 * Every node's SA table and counters, for the dashboard: each node writes its own to Redis once a
 * second
 * ({@value NodeRedis#PREFIX}{@code table:NODE}, kept five seconds), and any node answers with all of
 * them ({@link #json()}: its own table as it is, the others' as last written, with each node's
 * liveness and lag from the cluster's view). An SA lives on one node, so a flush of one SA on
 * another node is asked of that node on its channel ({@value NodeRedis#PREFIX}{@code flush:NODE});
 * flushes of a peer or of every SA already cross the cluster through the registry.
 *
 * <p>Tables and flush requests are signed with the cluster's secret ({@link NodeRedis#sign}); a node
 * ignores what is unsigned or signed for another node.
 *
 * <p>Thread-safe. Started once the node's registry exists, closed with the node.
 */
final class ClusterTable implements AutoCloseable {
  private static final System.Logger LOG = System.getLogger(ClusterTable.class.getName());
  private static final Duration PERIOD = Duration.ofSeconds(1);
  private static final Duration KEEP = Duration.ofSeconds(5);
  /** The most SAs of a node the table holds: the newest. */
  static final int MAX_ROWS = 500;

  private final NodeRedis redis;
  private final String node;
  private final ScheduledExecutorService timer;
  private volatile AssociationRegistry registry;

  ClusterTable(NodeRedis redis, String node) {
    this.redis = redis;
    this.node = node;
    this.timer = Executors.newSingleThreadScheduledExecutor(r -> {
      Thread t = new Thread(r, "tether-shop-table-" + node);
      t.setDaemon(true);
      return t;
    });
  }

  /** Returns this node's name. */
  String node() {
    return node;
  }

  /** Starts writing this node's table and taking flush requests for {@code registry}. */
  void start(AssociationRegistry r) {
    this.registry = r;
    timer.scheduleWithFixedDelay(this::tick, 0, PERIOD.toMillis(), TimeUnit.MILLISECONDS);
  }

  private void tick() {
    try {
      AssociationRegistry r = registry;
      if (r == null || r.isClosed()) {
        return;
      }
      redis.subscribe(channel(node), this::onFlushRequest);
      byte[] table = (System.currentTimeMillis() + "\n" + stats(r.stats()) + "\n"
          + associations(newest(r.associations()))).getBytes(StandardCharsets.UTF_8);
      redis.set(key(node), redis.sign(key(node), table), KEEP);
    } catch (RuntimeException e) {
      LOG.log(Level.WARNING, "The SA table of node " + node + " was not written", e);
    }
  }

  /**
   * Returns every node's table: {@code {"node":"THIS","nodes":[{"name":..,"self":..,"live":..,
   * "address":..,"lagMicros":..,"sinceHeardMillis":..,"tableAgeMillis":..,"stats":{..},
   * "associations":[..]}]}}, this node first; a node whose table is missing (not written for five
   * seconds) has {@code "stats":null,"associations":null}. {@code stats} holds the node's counters
   * under the names of {@code /tether/stats}; {@code associations} the node's newest
   * {@value #MAX_ROWS} SAs.
   */
  String json() {
    AssociationRegistry r = registry;
    if (r == null) {
      return "{\"node\":" + Json.string(new StringBuilder(), node) + ",\"nodes\":[]}";
    }
    AssociationCluster.View view = r.cluster().view();
    List<AssociationCluster.Node> others = new ArrayList<>();
    AssociationCluster.Node self = null;
    for (AssociationCluster.Node n : view.nodes()) {
      if (n.name().equals(node)) {
        self = n;
      } else {
        others.add(n);
      }
    }
    List<byte[]> tables = redis.getAll(others.stream().map(n -> key(n.name())).toList());
    StringBuilder out = new StringBuilder(4096);
    Json.name(out.append('{'), "node", true);
    Json.string(out, node);
    Json.name(out, "nodes", false).append('[');
    describe(out, node, true, self, 0, stats(r.stats()), associations(newest(r.associations())));
    long now = System.currentTimeMillis();
    for (int i = 0; i < others.size(); i++) {
      AssociationCluster.Node n = others.get(i);
      byte[] payload = redis.verify(key(n.name()), tables.get(i));
      String[] lines = payload == null ? new String[0]
          : new String(payload, StandardCharsets.UTF_8).split("\n", 3);
      out.append(',');
      if (lines.length < 3) {
        describe(out, n.name(), false, n, -1, null, null);
      } else {
        long written = Long.parseLong(lines[0]);
        describe(out, n.name(), false, n, Math.max(0, now - written), lines[1], lines[2]);
      }
    }
    return out.append("]}").toString();
  }

  private static void describe(StringBuilder out, String name, boolean self,
      AssociationCluster.Node n, long tableAge, String stats, String associations) {
    Json.name(out.append('{'), "name", true);
    Json.string(out, name);
    Json.name(out, "self", false).append(self);
    Json.name(out, "live", false).append(n == null || n.live());
    Json.name(out, "address", false);
    Json.string(out, n == null ? "" : n.address());
    Json.name(out, "lagMicros", false).append(n == null ? 0 : n.lag().toNanos() / 1_000);
    Json.name(out, "sinceHeardMillis", false).append(n == null ? 0 : n.sinceHeard().toMillis());
    Json.name(out, "tableAgeMillis", false).append(tableAge);
    Json.name(out, "stats", false).append(stats == null ? "null" : stats);
    Json.name(out, "associations", false).append(associations == null ? "null" : associations);
    out.append('}');
  }

  /** Returns the node's counters as the dashboard reads them (names of {@code /tether/stats}). */
  static String stats(AssociationStats s) {
    StringBuilder out = new StringBuilder(512).append('{');
    long[] values = {s.associations(), s.active(), s.idle(), s.leases(), s.accepted(),
        s.handshakes(), s.negotiated(), s.reused(), s.released(), s.deleted(), s.flushed(),
        s.refused(), s.handshakeFailures(), s.closedBeforeHandshake(), s.staleResumptions(),
        s.endedConnections()};
    String[] names = {"associations", "active", "idle", "leases", "accepted", "handshakes",
        "negotiated", "reused", "released", "deleted", "flushed", "refused", "handshakeFailures",
        "closedBeforeHandshake", "staleResumptions", "endedConnections"};
    for (int i = 0; i < names.length; i++) {
      Json.name(out, names[i], i == 0).append(values[i]);
    }
    Json.name(out, "deletedByCause", false).append('{');
    DeletionCause[] causes = DeletionCause.values();
    for (int i = 0; i < causes.length; i++) {
      Json.name(out, causes[i].name(), i == 0)
          .append(s.deletedByCause().getOrDefault(causes[i], 0L));
    }
    Json.name(out.append('}'), "refusedByReason", false).append('{');
    RefusalReason[] reasons = RefusalReason.values();
    for (int i = 0; i < reasons.length; i++) {
      Json.name(out, reasons[i].name(), i == 0)
          .append(s.refusedByReason().getOrDefault(reasons[i], 0L));
    }
    return out.append("}}").toString();
  }

  /**
   * Flushes SA {@code id} on node {@code target}: here at once, elsewhere by a request the node
   * takes within a second.
   *
   * @return the SAs deleted here, or for another node 1 if the request reached it, 0 if no node
   *     listens under that name, -1 if Redis did not answer
   */
  long flush(String target, String id) {
    AssociationRegistry r = registry;
    if (target.equals(node)) {
      return r == null ? 0 : r.flush(id, DeletionCause.MANUAL);
    }
    byte[] request = id.getBytes(StandardCharsets.UTF_8);
    return redis.publish(channel(target), redis.sign(channel(target), request));
  }

  private void onFlushRequest(String from, byte[] message) {
    byte[] id = redis.verify(channel(node), message);
    AssociationRegistry r = registry;
    if (id == null) {
      LOG.log(Level.WARNING, "Node " + node + " ignored an unsigned flush request on " + from);
      return;
    }
    if (r != null && !r.isClosed()) {
      r.flush(new String(id, StandardCharsets.UTF_8), DeletionCause.MANUAL);
    }
  }

  /** Returns the newest {@link #MAX_ROWS} SAs of {@code list} (oldest first, as it is). */
  static <T> List<T> newest(List<T> list) {
    return list.size() <= MAX_ROWS ? list : list.subList(list.size() - MAX_ROWS, list.size());
  }

  /** Returns the SA views as the dashboard reads them. */
  static String associations(List<SecurityAssociation> list) {
    StringBuilder out = new StringBuilder(64 + 300 * list.size()).append('[');
    for (int i = 0; i < list.size(); i++) {
      SecurityAssociation sa = list.get(i);
      if (i > 0) {
        out.append(',');
      }
      Json.name(out.append('{'), "id", true);
      Json.string(out, sa.id());
      Json.string(Json.name(out, "peer", false), sa.peer());
      Json.string(Json.name(out, "protocol", false), sa.protocol());
      Json.string(Json.name(out, "cipherSuite", false), sa.cipherSuite());
      Json.string(Json.name(out, "policy", false), sa.policy());
      Json.name(out, "principals", false).append('[');
      boolean first = true;
      for (String p : sa.principals()) {
        if (!first) {
          out.append(',');
        }
        first = false;
        Json.string(out, p);
      }
      out.append(']');
      Json.string(Json.name(out, "state", false), sa.state().name());
      Json.name(out, "references", false).append(sa.references());
      Json.name(out, "reuses", false).append(sa.reuses());
      Json.name(out, "ageMillis", false).append(sa.age().toMillis());
      Json.name(out, "idleMillis", false).append(sa.idleFor().toMillis());
      out.append('}');
    }
    return out.append(']').toString();
  }

  private static String key(String name) {
    return NodeRedis.PREFIX + "table:" + name;
  }

  private static String channel(String name) {
    return NodeRedis.PREFIX + "flush:" + name;
  }

  /** Stops writing, and removes this node's table so that the others show it gone at once. */
  @Override
  public void close() {
    timer.shutdownNow();
    try {
      timer.awaitTermination(2, TimeUnit.SECONDS);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    }
    redis.delete(key(node));
  }
}
