package dev.tether.benchmarks;

import com.github.benmanes.caffeine.cache.Scheduler;
import dev.tether.AssociationCluster;
import dev.tether.AssociationRegistry;
import dev.tether.PolicySet;
import dev.tether.cluster.redis.RedisCluster;
import dev.tether.testing.RedisServer;
import dev.tether.testing.StubSession;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicLong;
import java.util.function.Consumer;

/**
 * Propagation of cluster-wide flushes under a login storm: three nodes (three registries, each with
 * its own {@link RedisCluster} and connections) on one {@code redis-server} started here on the
 * loopback. Each of {@code --threads} threads logs users in on the nodes in turn, each login from a
 * new peer whose policy flushes the peer ({@code on-login = peer}), as fast as it can (a storm), or
 * at {@code --rate} logins per second in all. Each registry holds {@code --sas} SAs, so that a flush
 * scans a realistic table.
 *
 * <p>Measured, per login: <b>propagation</b>, from the origin's publication of the flush to its
 * application on the last of the two other nodes (one JVM, one clock: {@link System#nanoTime()}); and
 * the <b>added wait</b> of the login's response, the time the origin's
 * {@link AssociationCluster.Receipt#await()} held it. Reported: p50, p99, p99.9, max, and the logins
 * per second. The numbers include Redis, Lettuce's I/O threads and the receivers, all on the same
 * machine as the storm.
 *
 * <pre>
 * java -cp benchmarks/target/benchmarks.jar dev.tether.benchmarks.ClusterBenchmark \
 *     --threads=3 --logins=30000 --warmup=5000 --sas=1000        # add --rate=500 for a paced storm
 * </pre>
 */
public final class ClusterBenchmark {
  private static final String POLICIES = """
      [policy browse]
      applies-to = anonymous
      on-login = connection

      [policy customer]
      applies-to = role:customer
      on-login = peer
      """;
  private static final byte[] SECRET = "benchmark-cluster-secret-0123456789".getBytes(
      StandardCharsets.UTF_8);

  /** Publication times by peer, and application times by peer on the receiving nodes. */
  private final Map<String, Long> published = new ConcurrentHashMap<>();
  private final Map<String, long[]> applied = new ConcurrentHashMap<>();
  private volatile boolean measuring;
  /** The time between two logins of the whole storm, or 0: as fast as the threads go. */
  private long gapNanos;
  private final List<Long> propagation = java.util.Collections.synchronizedList(new ArrayList<>());
  private final List<Long> waits = java.util.Collections.synchronizedList(new ArrayList<>());

  private ClusterBenchmark() {
  }

  public static void main(String[] args) throws Exception {
    Map<String, String> o = options(args);
    int threads = Integer.parseInt(o.getOrDefault("threads", "3"));
    int logins = Integer.parseInt(o.getOrDefault("logins", "30000"));
    int warmup = Integer.parseInt(o.getOrDefault("warmup", "5000"));
    int sas = Integer.parseInt(o.getOrDefault("sas", "1000"));
    int rate = Integer.parseInt(o.getOrDefault("rate", "0"));
    new ClusterBenchmark().run(threads, logins, warmup, sas, rate);
  }

  private void run(int threads, int logins, int warmup, int sas, int rate) throws Exception {
    this.gapNanos = rate > 0 ? 1_000_000_000L / rate : 0;
    try (RedisServer redis = RedisServer.start()) {
      List<AssociationRegistry> nodes = new ArrayList<>();
      for (String name : new String[] {"a", "b", "c"}) {
        nodes.add(node(redis.uri(), name, nodes.size()));
      }
      while (nodes.stream().anyMatch(n -> n.cluster().view().liveNodes() < 3)) {
        Thread.onSpinWait();
      }
      for (AssociationRegistry n : nodes) {
        for (int i = 0; i < sas; i++) {
          n.acquire(new StubSession(), "192.0.2." + (i % 250));
        }
      }
      storm(nodes, threads, warmup, "w");
      propagation.clear();
      waits.clear();
      measuring = true;
      long start = System.nanoTime();
      storm(nodes, threads, logins, "m");
      double seconds = (System.nanoTime() - start) / 1e9;
      measuring = false;
      // The last flushes may still be landing on the receivers.
      long until = System.nanoTime() + Duration.ofSeconds(5).toNanos();
      while (propagation.size() < logins && System.nanoTime() < until) {
        Thread.onSpinWait();
      }
      long misses = nodes.stream().mapToLong(n -> n.cluster().view().ackMisses()).sum();
      System.out.printf(Locale.ROOT, "nodes 3, threads %d, logins %d (after %d warm-up), SAs per "
          + "node %d, rate %s: %.0f logins/s, %d ack misses%n", threads, logins, warmup, sas,
          rate > 0 ? rate + "/s" : "unpaced", logins / seconds, misses);
      report("propagation (publish -> applied on both other nodes)", propagation);
      report("added wait of the login response", waits);
      for (AssociationRegistry n : nodes) {
        n.close();
      }
    }
  }

  private AssociationRegistry node(String uri, String name, int index) {
    RedisCluster redis = RedisCluster.builder().uri(uri).node(name).secret(SECRET)
        .ackTimeout(Duration.ofMillis(50)).build();
    return AssociationRegistry.builder().name("bench")
        .policies(PolicySet.parse(POLICIES, "bench"))
        .scheduler(Scheduler.disabledScheduler())
        .maxAssociationsPerPeer(100_000)
        .cluster(new Timed(redis, index)).build();
  }

  private void storm(List<AssociationRegistry> nodes, int threads, int logins, String round)
      throws InterruptedException {
    AtomicLong next = new AtomicLong();
    List<Thread> workers = new ArrayList<>();
    long begin = System.nanoTime();
    for (int t = 0; t < threads; t++) {
      Thread w = new Thread(() -> {
        long i;
        while ((i = next.getAndIncrement()) < logins) {
          if (gapNanos > 0) {
            // Login i is due at begin + i * gap (a schedule, not a pause after each login).
            long due = begin + i * gapNanos;
            for (long wait; (wait = due - System.nanoTime()) > 0; ) {
              java.util.concurrent.locks.LockSupport.parkNanos(wait);
            }
          }
          String peer = "10." + round + "." + i;
          nodes.get((int) (i % 3)).policies().login(peer, null, "user" + i, "customer"::equals);
        }
      });
      workers.add(w);
      w.start();
    }
    for (Thread w : workers) {
      w.join();
    }
  }

  /** Wraps a node's cluster to time publications, waits, and applications on the other nodes. */
  private final class Timed implements AssociationCluster {
    private final AssociationCluster inner;
    private final int index;

    Timed(AssociationCluster inner, int index) {
      this.inner = inner;
      this.index = index;
    }

    @Override
    public void start(Member member) {
      inner.start(new Member() {
        @Override public String registryName() { return member.registryName(); }
        @Override public int flushMissed() { return member.flushMissed(); }
        @Override public dev.tether.AssociationStats stats() { return member.stats(); }

        @Override
        public boolean apply(Event event) {
          boolean ok = member.apply(event);
          if (event.kind() == Kind.FLUSH_PEER) {
            applied(event.peer(), System.nanoTime());
          }
          return ok;
        }
      });
    }

    private void applied(String peer, long now) {
      long[] times = applied.computeIfAbsent(peer, p -> new long[] {0, 0});
      synchronized (times) {
        times[0]++;
        times[1] = Math.max(times[1], now);
        if (times[0] == 2) {
          Long t0 = published.remove(peer);
          applied.remove(peer);
          if (t0 != null && measuring) {
            propagation.add(times[1] - t0);
          }
        }
      }
    }

    @Override
    public Receipt publish(Event event) {
      if (event.kind() == Kind.FLUSH_PEER) {
        published.put(event.peer(), System.nanoTime());
      }
      Receipt r = inner.publish(event);
      if (event.kind() != Kind.FLUSH_PEER) {
        return r;
      }
      return () -> {
        long t = System.nanoTime();
        r.await();
        if (measuring) {
          waits.add(System.nanoTime() - t);
        }
      };
    }

    @Override public View view() { return inner.view(); }
    @Override public void observeLag(Consumer<Duration> observer) { inner.observeLag(observer); }
    @Override public void close() { inner.close(); }

    @Override
    public String toString() {
      return "node " + index;
    }
  }

  private static void report(String what, List<Long> samples) {
    long[] s = samples.stream().mapToLong(Long::longValue).sorted().toArray();
    if (s.length == 0) {
      System.out.println(what + ": no samples");
      return;
    }
    System.out.printf(Locale.ROOT, "%-55s n=%d  p50 %s  p99 %s  p99.9 %s  max %s%n", what,
        s.length, ms(pct(s, 50)), ms(pct(s, 99)), ms(pct(s, 99.9)), ms(s[s.length - 1]));
  }

  private static long pct(long[] sorted, double p) {
    int i = (int) Math.ceil(p / 100 * sorted.length) - 1;
    return sorted[Math.max(0, Math.min(sorted.length - 1, i))];
  }

  private static String ms(long nanos) {
    return String.format(Locale.ROOT, "%.3f ms", nanos / 1e6);
  }

  private static Map<String, String> options(String[] args) {
    Map<String, String> o = new java.util.HashMap<>();
    for (String a : args) {
      if (!a.startsWith("--") || !a.contains("=")) {
        throw new IllegalArgumentException("option '" + a + "' must be --name=value; known: "
            + Arrays.asList("threads", "logins", "warmup", "sas", "rate"));
      }
      o.put(a.substring(2, a.indexOf('=')), a.substring(a.indexOf('=') + 1));
    }
    return o;
  }
}
