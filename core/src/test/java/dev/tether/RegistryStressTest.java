package dev.tether;

import static org.assertj.core.api.Assertions.assertThat;

import com.github.benmanes.caffeine.cache.Scheduler;
import dev.tether.testing.FakeTicker;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.ThreadLocalRandom;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.atomic.AtomicReferenceArray;
import org.junit.jupiter.api.Test;

/**
 * Many threads opening, resuming and closing connections on shared sessions while others flush and
 * time runs, so that releases race with expiry, reuses with deletion and flushes with new leases. At
 * quiescence every count must add up and nothing may be left.
 */
class RegistryStressTest {
  private static final int THREADS = 4;
  private static final int OPERATIONS = 40_000;
  private static final int CLIENTS = 64;
  private static final Duration GRACE = Duration.ofMillis(50);

  @Test
  void concurrentChurn_leavesNothingAndCountsAddUp() throws Exception {
    FakeTicker ticker = new FakeTicker();
    AssociationRegistry registry = AssociationRegistry.builder()
        .ticker(ticker).scheduler(Scheduler.disabledScheduler()).executor(Runnable::run).grace(GRACE)
        .maxAssociations(CLIENTS * 2).maxAssociationsPerPeer(CLIENTS).build();
    AtomicReferenceArray<FakeSession> sessions = new AtomicReferenceArray<>(CLIENTS);
    ConcurrentLinkedQueue<FakeSession> everySession = new ConcurrentLinkedQueue<>();
    AtomicLong acquired = new AtomicLong();
    AtomicLong refused = new AtomicLong();
    AtomicBoolean negativeSeen = new AtomicBoolean();
    CountDownLatch start = new CountDownLatch(1);
    ExecutorService pool = Executors.newFixedThreadPool(THREADS + 2);
    List<Future<List<Lease>>> workers = new ArrayList<>();
    AtomicBoolean done = new AtomicBoolean();

    for (int t = 0; t < THREADS; t++) {
      workers.add(pool.submit(() -> {
        start.await();
        ThreadLocalRandom random = ThreadLocalRandom.current();
        List<Lease> mine = new ArrayList<>();
        for (int i = 0; i < OPERATIONS; i++) {
          if (mine.isEmpty() || random.nextInt(100) < 55) {
            int client = random.nextInt(CLIENTS);
            FakeSession current = sessions.get(client);
            boolean full = current == null || !current.isResumable();
            FakeSession used = full ? new FakeSession(random.nextBoolean() ? "TLSv1.3" : "TLSv1.2")
                : current.getProtocol().equals("TLSv1.3") ? current.resumed() : current;
            everySession.add(used);
            try {
              mine.add(registry.acquire(used, "10.1.0." + (client % 8)));
              acquired.incrementAndGet();
              if (full) {
                // Like a TLS client, others can resume the session once its handshake completed.
                sessions.set(client, used);
              }
            } catch (AssociationRefusedException e) {
              refused.incrementAndGet();
            }
          } else {
            Lease lease = mine.remove(random.nextInt(mine.size()));
            lease.release();
            if (random.nextInt(10) == 0) {
              lease.release(); // a duplicate close must change nothing
            }
          }
        }
        return mine;
      }));
    }
    Future<?> chaos = pool.submit(() -> {
      start.await();
      ThreadLocalRandom random = ThreadLocalRandom.current();
      while (!done.get()) {
        ticker.advance(Duration.ofMillis(random.nextInt(20)));
        switch (random.nextInt(20)) {
          case 0 -> registry.flushPeer("10.1.0." + random.nextInt(8), DeletionCause.LOGIN);
          case 1 -> registry.flushAll(DeletionCause.MANUAL);
          default -> registry.cleanUp();
        }
      }
      return null;
    });
    Future<?> watcher = pool.submit(() -> {
      start.await();
      while (!done.get()) {
        AssociationStats s = registry.stats();
        if (s.active() < 0 || s.idle() < 0 || s.leases() < 0) {
          negativeSeen.set(true);
        }
      }
      return null;
    });

    start.countDown();
    List<Lease> remaining = new ArrayList<>();
    for (Future<List<Lease>> w : workers) {
      remaining.addAll(w.get(2, TimeUnit.MINUTES));
    }
    done.set(true);
    chaos.get(1, TimeUnit.MINUTES);
    watcher.get(1, TimeUnit.MINUTES);
    pool.shutdown();

    remaining.forEach(Lease::release);
    ticker.advance(GRACE.plus(AssociationRegistryTest.ONE_TICK));
    registry.cleanUp();

    AssociationStats stats = registry.stats();
    assertThat(negativeSeen).as("a gauge read negative").isFalse();
    assertThat(registry.associations()).isEmpty();
    assertThat(stats.leases()).isZero();
    assertThat(stats.active()).isZero();
    assertThat(stats.idle()).isZero();
    assertThat(stats.handshakes()).isEqualTo(acquired.get());
    assertThat(stats.refused()).isEqualTo(refused.get());
    assertThat(stats.released()).isEqualTo(acquired.get());
    assertThat(stats.deleted()).isEqualTo(stats.negotiated());
    assertThat(stats.reused()).as("sessions were shared, so some connections resumed").isPositive();
    assertThat(everySession).as("no session can be resumed").noneMatch(FakeSession::isResumable);
  }
}
