package dev.tether.benchmarks;

import com.sun.management.OperatingSystemMXBean;
import dev.tether.AssociationRefusedException;
import dev.tether.AssociationRegistry;
import dev.tether.testing.StubSession;
import java.lang.management.ManagementFactory;
import java.time.Duration;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import java.util.concurrent.locks.LockSupport;

/**
 * The CPU one resumption costs the registry at a server's pace, counted on every thread of the
 * process: an idle SA is acquired and released, then the thread waits, as a connection's thread does
 * between TLS events. JMH times the calling thread only, so it cannot see work handed to another
 * thread; this program reads the process's CPU time instead, and subtracts the same loop without the
 * registry.
 *
 * <p>The registry does no work on another thread for a resumption: the SA moves between idle and
 * active by compare-and-set, and the idle queue's sweep wakes at most about once a second. Earlier
 * versions ran the SA cache's maintenance, which a pool thread would have had to be woken for.
 *
 * <pre>
 * java -cp benchmarks/target/benchmarks.jar dev.tether.benchmarks.PacedCost --gap-us=500 --ops=20000
 * </pre>
 */
public final class PacedCost {
  private static final int SESSIONS = 64;

  private PacedCost() {}

  public static void main(String[] args) throws AssociationRefusedException {
    Map<String, String> o = Args.parse(List.of("gap-us", "ops", "rounds"), args);
    long gapNanos = Args.number(o, "gap-us", 500, 1) * 1_000;
    int ops = (int) Args.number(o, "ops", 20_000, 1);
    int rounds = (int) Args.number(o, "rounds", 5, 1);
    System.out.println("| registry | CPU us per acquire + release, per round | median |");
    System.out.println("|---|---|--:|");
    double[] costs = new double[rounds];
    try (Paced paced = new Paced()) {
      paced.run(ops, gapNanos, true); // warm-up
      for (int r = 0; r < rounds; r++) {
        double idle = paced.run(ops, gapNanos, false);
        costs[r] = paced.run(ops, gapNanos, true) - idle;
      }
    }
    StringBuilder line = new StringBuilder("| defaults | ");
    for (int r = 0; r < rounds; r++) {
      line.append(r == 0 ? "" : ", ").append(String.format("%.1f", costs[r]));
    }
    Arrays.sort(costs);
    System.out.println(line.append(String.format(" | %.1f |", costs[rounds / 2])));
  }

  /** A registry holding {@value #SESSIONS} idle SAs, resumed in turn. */
  private static final class Paced implements AutoCloseable {
    private final OperatingSystemMXBean os =
        (OperatingSystemMXBean) ManagementFactory.getOperatingSystemMXBean();
    private final AssociationRegistry registry;
    private final StubSession[] sessions = new StubSession[SESSIONS];

    Paced() throws AssociationRefusedException {
      registry = AssociationRegistry.builder().name("paced")
          .grace(Duration.ofHours(1))
          .maxAssociationsPerPeer(Integer.MAX_VALUE).build();
      for (int i = 0; i < SESSIONS; i++) {
        sessions[i] = new StubSession();
        registry.acquire(sessions[i], RegistryBenchmark.peer(i)).release();
      }
    }

    /** Returns the process's CPU time per iteration, in microseconds. */
    double run(int ops, long gapNanos, boolean withRegistry) throws AssociationRefusedException {
      long start = os.getProcessCpuTime();
      for (int i = 0; i < ops; i++) {
        if (withRegistry) {
          int s = i % SESSIONS;
          registry.acquire(sessions[s], RegistryBenchmark.peer(s)).release();
        }
        LockSupport.parkNanos(gapNanos);
      }
      return (os.getProcessCpuTime() - start) / 1_000.0 / ops;
    }

    @Override
    public void close() {
      registry.close();
    }
  }
}
