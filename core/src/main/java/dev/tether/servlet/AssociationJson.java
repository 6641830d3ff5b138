package dev.tether.servlet;

import dev.tether.AssociationCluster;
import dev.tether.AssociationRegistry;
import dev.tether.AssociationStats;
import dev.tether.DeletionCause;
import dev.tether.RefusalReason;
import dev.tether.SecurityAssociation;
import java.util.List;

/**
 * The JSON shapes of {@link AssociationServlet}: SA views, statistics, flush results and errors.
 * Instants are ISO-8601 strings in UTC, durations whole milliseconds, enums their names.
 */
final class AssociationJson {
  private AssociationJson() {
  }

  /** Returns the array of SA views, in the order given. */
  static String associations(List<SecurityAssociation> associations) {
    JsonWriter w = new JsonWriter(new StringBuilder(128 + 400 * associations.size()));
    w.beginArray();
    for (SecurityAssociation sa : associations) {
      association(w, sa);
    }
    return w.endArray().toString();
  }

  /** Writes one SA view as an object. */
  static void association(JsonWriter w, SecurityAssociation sa) {
    w.beginObject()
        .name("id").value(sa.id())
        .name("peer").value(sa.peer())
        .name("protocol").value(sa.protocol())
        .name("cipherSuite").value(sa.cipherSuite())
        .name("policy").value(sa.policy())
        .name("principals").beginArray();
    for (String p : sa.principals()) {
      w.value(p);
    }
    w.endArray()
        .name("state").value(sa.state().name())
        .name("references").value(sa.references())
        .name("reuses").value(sa.reuses())
        .name("created").value(sa.created())
        .name("lastUsed").value(sa.lastUsed())
        .name("idleSince").value(sa.idleSince())
        .name("ageMillis").value(sa.age().toMillis())
        .name("idleMillis").value(sa.idleFor().toMillis())
        .endObject();
  }

  /** Returns the registry's identity and bounds followed by every field of {@code stats}. */
  static String stats(AssociationRegistry registry, AssociationStats s) {
    JsonWriter w = new JsonWriter();
    w.beginObject()
        .name("registry").value(registry.name())
        .name("maxAssociations").value(registry.maxAssociations())
        .name("maxAssociationsPerPeer").value(registry.maxAssociationsPerPeer())
        .name("associations").value(s.associations())
        .name("active").value(s.active())
        .name("idle").value(s.idle())
        .name("leases").value(s.leases())
        .name("accepted").value(s.accepted())
        .name("handshakes").value(s.handshakes())
        .name("negotiated").value(s.negotiated())
        .name("reused").value(s.reused())
        .name("released").value(s.released())
        .name("deleted").value(s.deleted())
        .name("flushed").value(s.flushed())
        .name("refused").value(s.refused())
        .name("handshakeFailures").value(s.handshakeFailures())
        .name("closedBeforeHandshake").value(s.closedBeforeHandshake())
        .name("staleResumptions").value(s.staleResumptions())
        .name("endedConnections").value(s.endedConnections())
        .name("deletedByCause").beginObject();
    // The enum's order, not the map's, so that the output is stable.
    for (DeletionCause c : DeletionCause.values()) {
      w.name(c.name()).value(s.deletedByCause().getOrDefault(c, 0L));
    }
    w.endObject().name("refusedByReason").beginObject();
    for (RefusalReason r : RefusalReason.values()) {
      w.name(r.name()).value(s.refusedByReason().getOrDefault(r, 0L));
    }
    w.endObject();
    if (registry.cluster() != AssociationCluster.none()) {
      cluster(w.name("cluster"), registry.cluster().view());
    }
    return w.endObject().toString();
  }

  /** Writes the cluster as this node sees it: its counters and every node heard from. */
  static void cluster(JsonWriter w, AssociationCluster.View v) {
    w.beginObject()
        .name("node").value(v.node())
        .name("degraded").value(v.degraded())
        .name("liveNodes").value(v.liveNodes())
        .name("published").value(v.published())
        .name("applied").value(v.applied())
        .name("rejected").value(v.rejected())
        .name("ackMisses").value(v.ackMisses())
        .name("dropped").value(v.dropped())
        .name("resyncs").value(v.resyncs())
        .name("nodes").beginArray();
    for (AssociationCluster.Node n : v.nodes()) {
      w.beginObject()
          .name("name").value(n.name())
          .name("address").value(n.address())
          .name("live").value(n.live())
          .name("associations").value(n.associations())
          .name("lagMicros").value(n.lag().toNanos() / 1_000)
          .name("sinceHeardMillis").value(n.sinceHeard().toMillis())
          .endObject();
    }
    w.endArray().endObject();
  }

  /** Returns {@code {"flushed":n}}. */
  static String flushed(int n) {
    return new JsonWriter().beginObject().name("flushed").value(n).endObject().toString();
  }

  /** Returns {@code {"error":message}}. */
  static String error(String message) {
    return new JsonWriter().beginObject().name("error").value(message).endObject().toString();
  }
}
