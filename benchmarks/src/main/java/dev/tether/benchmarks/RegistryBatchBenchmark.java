package dev.tether.benchmarks;

import dev.tether.AssociationRefusedException;
import dev.tether.AssociationRegistry;
import dev.tether.Lease;
import dev.tether.testing.StubSession;
import java.time.Duration;
import java.util.concurrent.ThreadLocalRandom;
import java.util.concurrent.TimeUnit;
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
import org.openjdk.jmh.annotations.Warmup;
import org.openjdk.jmh.infra.ThreadParams;

/**
 * The registry's steps one at a time, as the average cost per SA of a batch of {@value #BATCH}, with
 * {@code size} SAs already held; the batch's set-up (sessions, leases to release) is not timed:
 *
 * <ul>
 *   <li>{@code acquireNew}: full handshakes' SAs are created (S2b-S2e);
 *   <li>{@code acquireReuse}: connections resume held idle SAs (S2a, S2e);
 *   <li>{@code releaseToIdle}: the last connection of an SA closes, grace 1 h: it goes idle (S4-S6);
 *   <li>{@code releaseAndDelete}: the last connection closes, grace 0: the SA is deleted and its
 *       session invalidated (S4-S7).
 * </ul>
 *
 * <p>The registry runs its cache's maintenance (and its removal notifications) on the thread that
 * triggers it, so a batch's time includes that work. The median latency of one acquire + release
 * is {@link RegistryBenchmark}'s.
 *
 * <pre>
 * java -jar benchmarks/target/benchmarks.jar RegistryBatchBenchmark -t 1
 * java -jar benchmarks/target/benchmarks.jar RegistryBatchBenchmark -t 2
 * </pre>
 */
@State(Scope.Benchmark)
@BenchmarkMode(Mode.SingleShotTime)
@OutputTimeUnit(TimeUnit.NANOSECONDS)
@Warmup(iterations = 200)
@Measurement(iterations = 400)
@Fork(value = 1, jvmArgs = {"-Xms4g", "-Xmx4g", "-XX:+UseParallelGC"})
public class RegistryBatchBenchmark {
  /** SAs per batch: every thread of two takes distinct SAs from its half of the smallest size. */
  public static final int BATCH = 500;

  @Param({"1000", "100000", "1000000"})
  int size;

  AssociationRegistry held;
  StubSession[] heldSessions;
  String[] heldPeers;
  AssociationRegistry immediate;

  @Setup(Level.Trial)
  public void setUp() throws AssociationRefusedException {
    held = AssociationRegistry.builder().name("held").grace(Duration.ofHours(1))
        .maxAssociations(size * 2L).maxAssociationsPerPeer(Integer.MAX_VALUE).build();
    heldSessions = new StubSession[size];
    heldPeers = new String[size];
    for (int i = 0; i < size; i++) {
      heldSessions[i] = new StubSession();
      heldPeers[i] = RegistryBenchmark.peer(i);
      held.acquire(heldSessions[i], heldPeers[i]).release();
    }
    immediate = AssociationRegistry.builder().name("immediate").grace(Duration.ZERO)
        .maxAssociations(size * 2L).maxAssociationsPerPeer(Integer.MAX_VALUE).build();
    for (int i = 0; i < size; i++) {
      immediate.acquire(new StubSession(), RegistryBenchmark.peer(i)); // active, never released
    }
  }

  @TearDown(Level.Trial)
  public void tearDown() {
    held.close();
    immediate.close();
  }

  /** A thread's batch: fresh sessions, or distinct held SAs from the thread's share, and its leases. */
  @State(Scope.Thread)
  public static class Batch {
    final StubSession[] sessions = new StubSession[BATCH];
    final String[] newPeers = new String[BATCH];
    final int[] picks = new int[BATCH];
    final Lease[] leases = new Lease[BATCH];

    /** New SAs come from peers of their own, as full handshakes of distinct clients do. */
    @Setup(Level.Trial)
    public void peers(RegistryBatchBenchmark b, ThreadParams thread) {
      for (int i = 0; i < BATCH; i++) {
        newPeers[i] = RegistryBenchmark.peer(b.size + thread.getThreadIndex() * BATCH + i);
      }
    }

    /** Picks {@value #BATCH} distinct held SAs at random from this thread's share of them. */
    void pick(RegistryBatchBenchmark b, ThreadParams thread) {
      int share = b.size / thread.getThreadCount();
      int base = share * thread.getThreadIndex();
      int offset = ThreadLocalRandom.current().nextInt(share);
      for (int i = 0; i < BATCH; i++) {
        picks[i] = base + (offset + i) % share;
      }
    }

    void freshSessions() {
      for (int i = 0; i < BATCH; i++) {
        sessions[i] = new StubSession();
      }
    }

    void releaseAll() {
      for (int i = 0; i < BATCH; i++) {
        if (leases[i] != null) {
          leases[i].release();
          leases[i] = null;
        }
      }
    }
  }

  /** A batch for {@code acquireNew}: fresh sessions; the SAs are deleted after the batch. */
  @State(Scope.Thread)
  public static class NewBatch extends Batch {
    @Setup(Level.Invocation)
    public void prepare() {
      freshSessions();
    }

    @TearDown(Level.Invocation)
    public void clear() {
      releaseAll();
    }
  }

  /** A batch for {@code acquireReuse}: distinct idle SAs to resume; released after the batch. */
  @State(Scope.Thread)
  public static class ReuseBatch extends Batch {
    @Setup(Level.Invocation)
    public void prepare(RegistryBatchBenchmark b, ThreadParams thread) {
      pick(b, thread);
    }

    @TearDown(Level.Invocation)
    public void clear() {
      releaseAll();
    }
  }

  /** A batch for {@code releaseToIdle}: each lease the only one of its held SA. */
  @State(Scope.Thread)
  public static class HeldLeases extends Batch {
    @Setup(Level.Invocation)
    public void prepare(RegistryBatchBenchmark b, ThreadParams thread)
        throws AssociationRefusedException {
      pick(b, thread);
      for (int i = 0; i < BATCH; i++) {
        int sa = picks[i];
        leases[i] = b.held.acquire(b.heldSessions[sa], b.heldPeers[sa]);
      }
    }
  }

  /** A batch for {@code releaseAndDelete}: each lease the only one of a new SA, grace 0. */
  @State(Scope.Thread)
  public static class NewLeases extends Batch {
    @Setup(Level.Invocation)
    public void prepare(RegistryBatchBenchmark b) throws AssociationRefusedException {
      freshSessions();
      for (int i = 0; i < BATCH; i++) {
        leases[i] = b.immediate.acquire(sessions[i], newPeers[i]);
      }
    }
  }

  @Benchmark
  @OperationsPerInvocation(BATCH)
  public Lease[] acquireNew(NewBatch batch) throws AssociationRefusedException {
    for (int i = 0; i < BATCH; i++) {
      batch.leases[i] = immediate.acquire(batch.sessions[i], batch.newPeers[i]);
    }
    return batch.leases;
  }

  @Benchmark
  @OperationsPerInvocation(BATCH)
  public Lease[] acquireReuse(ReuseBatch batch) throws AssociationRefusedException {
    for (int i = 0; i < BATCH; i++) {
      int sa = batch.picks[i];
      batch.leases[i] = held.acquire(heldSessions[sa], heldPeers[sa]);
    }
    return batch.leases;
  }

  @Benchmark
  @OperationsPerInvocation(BATCH)
  public int releaseToIdle(HeldLeases batch) {
    return releaseBatch(batch);
  }

  @Benchmark
  @OperationsPerInvocation(BATCH)
  public int releaseAndDelete(NewLeases batch) {
    return releaseBatch(batch);
  }

  private static int releaseBatch(Batch batch) {
    int released = 0;
    for (int i = 0; i < BATCH; i++) {
      released += batch.leases[i].release() ? 1 : 0;
      batch.leases[i] = null;
    }
    return released;
  }
}
