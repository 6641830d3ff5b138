package dev.tether.benchmarks;

import dev.tether.AssociationRefusedException;
import dev.tether.AssociationRegistry;
import dev.tether.testing.StubSession;
import java.lang.management.ManagementFactory;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;

/**
 * Measures the heap Tether itself spends per SA: the registry's entry, the cache node, its key (also
 * the tag left in the session, with the session's map node), the per-peer count and the peer's address
 * text. The sessions are made before the first reading, so
 * the JSSE session's own cost is not counted.
 *
 * <pre>
 * mvn -B -q -pl benchmarks -am -DskipTests package
 * java -Xmx4g -cp benchmarks/target/benchmarks.jar dev.tether.benchmarks.Footprint 1000000
 * </pre>
 */
public final class Footprint {
  private Footprint() {}

  public static void main(String[] args) throws AssociationRefusedException {
    int n = args.length > 0 ? Integer.parseInt(args[0]) : 1_000_000;
    System.out.println(measure(n, true));
    System.out.println(measure(n, false));
  }

  /** Returns a line with the bytes per SA, all SAs from distinct peers or from one. */
  static String measure(int n, boolean distinctPeers) throws AssociationRefusedException {
    List<StubSession> sessions = new ArrayList<>(n);
    for (int i = 0; i < n; i++) {
      sessions.add(new StubSession());
      sessions.get(i).putValue("warm", Boolean.TRUE); // size the value map before measuring
      sessions.get(i).removeValue("warm");
    }
    AssociationRegistry registry = AssociationRegistry.builder().name("footprint")
        .grace(Duration.ofHours(1)).maxAssociations(n).maxAssociationsPerPeer(n).build();
    long before = usedHeap();
    for (int i = 0; i < n; i++) {
      // The peer's address text is made per connection, as the adapters do, and counted.
      String peer = distinctPeers ? RegistryBenchmark.peer(i) : new String("10.0.0.1");
      registry.acquire(sessions.get(i), peer).release();
    }
    registry.cleanUp();
    long after = usedHeap();
    long perSa = (after - before) / n;
    String line = String.format("%,d idle SAs from %s: %d bytes of Tether bookkeeping per SA",
        n, distinctPeers ? "distinct peers" : "one peer", perSa);
    registry.close();
    sessions.clear();
    return line;
  }

  static long usedHeap() {
    for (int i = 0; i < 4; i++) {
      System.gc();
    }
    var heap = ManagementFactory.getMemoryMXBean().getHeapMemoryUsage();
    return heap.getUsed();
  }
}
