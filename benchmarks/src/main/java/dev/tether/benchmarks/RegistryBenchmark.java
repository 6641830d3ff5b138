package dev.tether.benchmarks;

import dev.tether.AssociationRefusedException;
import dev.tether.AssociationRegistry;
import dev.tether.DeletionCause;
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
import org.openjdk.jmh.annotations.OutputTimeUnit;
import org.openjdk.jmh.annotations.Param;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.annotations.State;
import org.openjdk.jmh.annotations.TearDown;
import org.openjdk.jmh.annotations.Warmup;

/**
 * The registry's work per connection, with {@code size} SAs already held (idle, within their grace):
 *
 * <ul>
 *   <li>{@code acquireNewRelease}: a full handshake's SA is created, then its only connection closes
 *       and, with grace 0, the SA is deleted (S2b-S2e, S4-S7);
 *   <li>{@code acquireReuseRelease}: a connection resumes one of the held SAs and closes (S2a, S2e, S4):
 *       the SA goes from idle to active and back;
 *   <li>{@code acquireActiveRelease}: a connection resumes an SA another connection holds open, and
 *       closes (a browser's parallel connections): the SA stays active;
 *   <li>{@code flushOne}: an SA is created and flushed by id.
 * </ul>
 *
 * <p>Run, for 1 and 2 threads:
 * <pre>
 * mvn -B -q -pl benchmarks -am -DskipTests package
 * java -jar benchmarks/target/benchmarks.jar RegistryBenchmark -t 1 -rf json -rff registry-t1.json
 * java -jar benchmarks/target/benchmarks.jar RegistryBenchmark -t 2 -rf json -rff registry-t2.json
 * </pre>
 */
@State(Scope.Benchmark)
@BenchmarkMode(Mode.SampleTime)
@OutputTimeUnit(TimeUnit.NANOSECONDS)
@Warmup(iterations = 3, time = 2)
@Measurement(iterations = 5, time = 2)
@Fork(value = 1, jvmArgs = {"-Xms4g", "-Xmx4g", "-XX:+UseParallelGC"})
public class RegistryBenchmark {

  @Param({"1000", "100000", "1000000"})
  int size;

  AssociationRegistry held;
  AssociationRegistry busy;
  AssociationRegistry immediate;
  StubSession[] sessions;
  String[] peers;

  @Setup(Level.Trial)
  public void setUp() throws AssociationRefusedException {
    // SAs are held idle for an hour: none expires while the benchmark runs.
    held = AssociationRegistry.builder().name("held").grace(Duration.ofHours(1))
        .maxAssociations(size * 2L).maxAssociationsPerPeer(Integer.MAX_VALUE).build();
    sessions = new StubSession[size];
    peers = new String[size];
    for (int i = 0; i < size; i++) {
      sessions[i] = new StubSession();
      peers[i] = peer(i);
      held.acquire(sessions[i], peers[i]).release();
    }
    busy = AssociationRegistry.builder().name("busy").grace(Duration.ofHours(1))
        .maxAssociations(size * 2L).maxAssociationsPerPeer(Integer.MAX_VALUE).build();
    for (int i = 0; i < size; i++) {
      busy.acquire(sessions[i], peers[i]); // one connection each, held open
    }
    immediate = AssociationRegistry.builder().name("immediate").grace(Duration.ZERO)
        .maxAssociations(size * 2L).maxAssociationsPerPeer(Integer.MAX_VALUE).build();
    for (int i = 0; i < size; i++) {
      immediate.acquire(new StubSession(), peer(i)); // held active, never released
    }
  }

  @TearDown(Level.Trial)
  public void tearDown() {
    held.close();
    busy.close();
    immediate.close();
  }

  @Benchmark
  public boolean acquireNewRelease() throws AssociationRefusedException {
    Lease lease = immediate.acquire(new StubSession(), "198.51.100.7");
    return lease.release();
  }

  @Benchmark
  public boolean acquireReuseRelease() throws AssociationRefusedException {
    int i = ThreadLocalRandom.current().nextInt(size);
    Lease lease = held.acquire(sessions[i], peers[i]);
    return lease.release();
  }

  @Benchmark
  public boolean acquireActiveRelease() throws AssociationRefusedException {
    int i = ThreadLocalRandom.current().nextInt(size);
    Lease lease = busy.acquire(sessions[i], peers[i]);
    return lease.release();
  }

  @Benchmark
  public int flushOne() throws AssociationRefusedException {
    Lease lease = immediate.acquire(new StubSession(), "198.51.100.8");
    int n = immediate.flush(lease.associationId(), DeletionCause.LOGIN);
    lease.release();
    return n;
  }

  static String peer(int i) {
    return "10." + ((i >> 16) & 0xff) + "." + ((i >> 8) & 0xff) + "." + (i & 0xff);
  }
}
