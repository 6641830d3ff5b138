package dev.tether;

import static org.assertj.core.api.Assertions.assertThat;

import com.github.benmanes.caffeine.cache.Scheduler;
import dev.tether.testing.FakeTicker;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import org.junit.jupiter.api.Test;

/**
 * A full registry under concurrent new handshakes: while idle SAs exist, each new SA must find room
 * by deleting one (cause PRESSURE), however many threads do so at once, and the table never grows
 * past its bound.
 */
class RegistryPressureTest {
  private static final int BOUND = 16;
  private static final int THREADS = 4;
  private static final int HANDSHAKES = 5_000;

  @Test
  void concurrentNewSas_atTheBound_idleOnesMakeRoom_noneRefused() throws Exception {
    AssociationRegistry registry = AssociationRegistry.builder()
        .ticker(new FakeTicker()).scheduler(Scheduler.disabledScheduler()).executor(Runnable::run)
        .grace(Duration.ofMinutes(1)).maxAssociations(BOUND).build();
    for (int i = 0; i < BOUND; i++) {
      registry.acquire(new FakeSession(), "10.0.0." + i).release();
    }
    AtomicLong refused = new AtomicLong();
    AtomicLong peak = new AtomicLong();
    AtomicLong peakStats = new AtomicLong();
    CountDownLatch start = new CountDownLatch(1);
    ExecutorService pool = Executors.newFixedThreadPool(THREADS);
    List<Future<?>> workers = new ArrayList<>();
    for (int t = 0; t < THREADS; t++) {
      String peer = "10.0.1." + t;
      workers.add(pool.submit(() -> {
        start.await();
        for (int i = 0; i < HANDSHAKES; i++) {
          try {
            // At most THREADS SAs are active at once: there is always an idle one to delete.
            Lease lease = registry.acquire(new FakeSession(), peer);
            peak.accumulateAndGet(registry.size(), Math::max);
            // One snapshot never counts an SA moving between active and idle twice.
            peakStats.accumulateAndGet(registry.stats().associations(), Math::max);
            lease.release();
          } catch (AssociationRefusedException e) {
            refused.incrementAndGet();
          }
        }
        return null;
      }));
    }
    start.countDown();
    for (Future<?> w : workers) {
      w.get(2, TimeUnit.MINUTES);
    }
    pool.shutdown();

    AssociationStats s = registry.stats();
    assertThat(refused.get()).as("refused while idle SAs could make room").isZero();
    assertThat(peak.get()).isLessThanOrEqualTo(BOUND);
    assertThat(peakStats.get()).isLessThanOrEqualTo(BOUND);
    assertThat(s.associations()).isEqualTo(BOUND);
    assertThat(registry.size()).isEqualTo(BOUND);
    assertThat(s.deletedByCause().get(DeletionCause.PRESSURE))
        .isEqualTo((long) THREADS * HANDSHAKES);
    registry.close();
  }
}
