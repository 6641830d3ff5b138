package dev.tether.cluster.redis;

import dev.tether.AssociationCluster;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.function.LongSupplier;

/**
 * The other nodes as heard through the stream: any authentic entry of a node shows it alive, its
 * announcements tell its address, SAs and lag, and its farewell ends it at once. A node is live, and
 * waited for, while it was heard within the node timeout.
 *
 * <p>Concurrency: written by the receiving thread, read by any; one immutable record per node.
 */
final class Membership {
  private record Heard(String address, long associations, long lagMicros, long heardNanos,
      boolean left) {}

  private final ConcurrentHashMap<String, Heard> nodes = new ConcurrentHashMap<>();
  private final LongSupplier nanoTime;
  private final long timeoutNanos;

  Membership(LongSupplier nanoTime, Duration timeout) {
    this.nanoTime = nanoTime;
    this.timeoutNanos = timeout.toNanos();
  }

  void heard(EventCodec.Wire w) {
    long now = nanoTime.getAsLong();
    nodes.compute(w.origin(), (name, old) -> switch (w.kind()) {
      case HEARTBEAT -> new Heard(w.address(), w.associations(), w.lagMicros(), now, false);
      case BYE -> new Heard(w.address(), 0, w.lagMicros(), now, true);
      default -> old == null ? new Heard("", 0, 0, now, false)
          : new Heard(old.address(), old.associations(), old.lagMicros(), now, false);
    });
  }

  /** Returns the names of the nodes to wait for now. */
  Set<String> live() {
    long now = nanoTime.getAsLong();
    Set<String> live = new LinkedHashSet<>();
    nodes.forEach((name, h) -> {
      if (isLive(h, now)) {
        live.add(name);
      }
    });
    return live;
  }

  boolean isLive(String name) {
    Heard h = nodes.get(name);
    return h != null && isLive(h, nanoTime.getAsLong());
  }

  private boolean isLive(Heard h, long now) {
    return !h.left() && now - h.heardNanos() <= timeoutNanos;
  }

  /** Returns every node heard from, and this one first. */
  List<AssociationCluster.Node> view(AssociationCluster.Node self) {
    long now = nanoTime.getAsLong();
    List<AssociationCluster.Node> view = new ArrayList<>();
    nodes.forEach((name, h) -> view.add(new AssociationCluster.Node(name, h.address(),
        isLive(h, now), h.associations(), Duration.ofNanos(h.lagMicros() * 1_000),
        Duration.ofNanos(now - h.heardNanos()))));
    view.sort(Comparator.comparing(AssociationCluster.Node::name));
    view.add(0, self);
    return view;
  }
}
