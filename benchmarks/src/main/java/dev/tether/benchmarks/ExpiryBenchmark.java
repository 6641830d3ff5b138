package dev.tether.benchmarks;

import com.github.benmanes.caffeine.cache.Scheduler;
import com.github.benmanes.caffeine.cache.Ticker;
import dev.tether.AssociationRefusedException;
import dev.tether.AssociationRegistry;
import dev.tether.testing.StubSession;
import java.time.Duration;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.BenchmarkMode;
import org.openjdk.jmh.annotations.Fork;
import org.openjdk.jmh.annotations.Level;
import org.openjdk.jmh.annotations.Measurement;
import org.openjdk.jmh.annotations.Mode;
import org.openjdk.jmh.annotations.OperationsPerInvocation;
import org.openjdk.jmh.annotations.OutputTimeUnit;
import org.openjdk.jmh.annotations.Param;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.annotations.State;
import org.openjdk.jmh.annotations.TearDown;
import org.openjdk.jmh.annotations.Threads;
import org.openjdk.jmh.annotations.Warmup;

/**
 * The cost per SA of deleting SAs whose grace period ran out: {@value #EXPIRED} idle SAs expire
 * together, next to {@code size} active SAs that stay. Time is a manual ticker moved past the grace;
 * the timed step is {@link AssociationRegistry#cleanUp()} (Caffeine's expiry, Tether's deletion: bounds,
 * counters, session invalidation) plus the removal notifications, all on the calling thread.
 *
 * <p>Expiry is the cache's maintenance, which runs under one lock: it is measured with one thread.
 *
 * <pre>
 * java -jar benchmarks/target/benchmarks.jar ExpiryBenchmark -t 1
 * </pre>
 */
@State(Scope.Benchmark)
@BenchmarkMode(Mode.SingleShotTime)
@OutputTimeUnit(TimeUnit.NANOSECONDS)
@Threads(1)
@Warmup(iterations = 30)
@Measurement(iterations = 60)
@Fork(value = 1, jvmArgs = {"-Xms4g", "-Xmx4g", "-XX:+UseParallelGC"})
public class ExpiryBenchmark {
  /** SAs that expire at once in one timed step. */
  public static final int EXPIRED = 10_000;
  private static final Duration GRACE = Duration.ofSeconds(30);

  @Param({"1000", "100000", "1000000"})
  int size;

  private final AtomicLong nanos = new AtomicLong();
  private final Ticker ticker = nanos::get;
  AssociationRegistry registry;
  String[] peers;

  @Setup(Level.Trial)
  public void setUp() throws AssociationRefusedException {
    registry = AssociationRegistry.builder().name("expiry").grace(GRACE).ticker(ticker)
        .scheduler(Scheduler.disabledScheduler())
        .maxAssociations(size + 2L * EXPIRED).maxAssociationsPerPeer(Integer.MAX_VALUE).build();
    for (int i = 0; i < size; i++) {
      registry.acquire(new StubSession(), RegistryBenchmark.peer(i)); // active: never expires
    }
    peers = new String[EXPIRED];
    for (int i = 0; i < EXPIRED; i++) {
      peers[i] = RegistryBenchmark.peer(size + i);
    }
  }

  @TearDown(Level.Trial)
  public void tearDown() {
    registry.close();
  }

  /** Makes {@value #EXPIRED} idle SAs and moves time past their grace; nothing has expired yet. */
  @Setup(Level.Invocation)
  public void idleSas() throws AssociationRefusedException {
    for (int i = 0; i < EXPIRED; i++) {
      registry.acquire(new StubSession(), peers[i]).release();
    }
    registry.cleanUp();
    nanos.addAndGet(GRACE.toNanos() + 1);
  }

  @Benchmark
  @OperationsPerInvocation(EXPIRED)
  public long expireIdle() {
    registry.cleanUp();
    return registry.stats().idle();
  }

  /** Fails the run if the timed step left any idle SA: it would have measured less than it claims. */
  @TearDown(Level.Invocation)
  public void checkExpired() {
    long idle = registry.stats().idle();
    if (idle != 0) {
      throw new IllegalStateException(idle + " idle SAs were not expired by cleanUp()");
    }
  }
}
