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
import java.util.concurrent.atomic.LongAdder;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/**
 * A listener or a connection's deletion callback that blocks holds up its own thread only: while it
 * blocks, other threads acquire, resume, release and expire SAs as if nothing happened. Each test
 * blocks a callback on one thread until the other threads have finished all their work; if any of
 * them needed the blocked thread (a lock it holds, maintenance it owes), they would never finish.
 */
class RegistryListenerIsolationTest {
  private static final Duration GRACE = Duration.ofSeconds(30);
  private static final int WORKERS = 3;
  private static final int CYCLES = 400;
  /** Far beyond any acquire or release, even on a loaded machine; a blocked one never returns. */
  private static final long MAX_LATENCY_NANOS = TimeUnit.SECONDS.toNanos(5);

  private final FakeTicker ticker = new FakeTicker();
  private final ExecutorService pool = Executors.newFixedThreadPool(WORKERS + 1);
  private final CountDownLatch blocked = new CountDownLatch(1);
  private final CountDownLatch unblock = new CountDownLatch(1);
  private final Counting counting = new Counting();

  @AfterEach
  void stop() {
    unblock.countDown();
    pool.shutdownNow();
  }

  @Test
  void blockingListener_onNegotiated_othersAcquireAndReleaseUnhindered() throws Exception {
    AssociationRegistry registry = registry(new AssociationListener() {
      @Override
      public void onNegotiated(SecurityAssociation sa) {
        block(sa.peer().equals("192.0.2.1"));
      }
    });
    Future<Lease> blocker = pool.submit(() -> registry.acquire(new FakeSession(), "192.0.2.1"));

    assertOthersUnhindered(registry);

    unblock.countDown();
    blocker.get(30, TimeUnit.SECONDS).release();
    assertEveryEventHeard(registry);
  }

  @Test
  void blockingListener_onDeletedOfAnExpiry_othersAcquireReleaseAndExpireUnhindered()
      throws Exception {
    AssociationRegistry registry = registry(new AssociationListener() {
      @Override
      public void onDeleted(SecurityAssociation sa, DeletionCause cause) {
        block(cause == DeletionCause.GRACE_EXPIRED);
      }
    });
    registry.acquire(new FakeSession(), "192.0.2.1").release();
    ticker.advance(GRACE.plus(AssociationRegistryTest.ONE_TICK));
    Future<?> blocker = pool.submit(registry::cleanUp);

    assertOthersUnhindered(registry);

    unblock.countDown();
    blocker.get(30, TimeUnit.SECONDS);
    assertEveryEventHeard(registry);
  }

  @Test
  void blockingDeletionCallback_ofAnSaAtItsMaximumAge_othersUnhindered() throws Exception {
    SaPolicy aged = SaPolicy.builder("aged").appliesTo("anonymous").grace(GRACE)
        .maxAge(Duration.ofMinutes(1)).maxAgeAtOnce(true).build();
    AssociationRegistry registry = AssociationRegistry.builder().name("isolated").ticker(ticker)
        .scheduler(Scheduler.disabledScheduler()).executor(Runnable::run)
        .policies(PolicySet.of(aged)).maxAssociationsPerPeer(Integer.MAX_VALUE)
        .listener(counting).build();
    Lease old = registry.acquire(new FakeSession(), "192.0.2.1");
    old.onDeleted(() -> block(true));
    ticker.advance(Duration.ofMinutes(1).plus(AssociationRegistryTest.ONE_TICK));
    Future<?> blocker = pool.submit(registry::cleanUp);

    assertOthersUnhindered(registry);

    unblock.countDown();
    blocker.get(30, TimeUnit.SECONDS);
    assertThat(old.isDeleted()).isTrue();
    old.release();
    assertEveryEventHeard(registry);
  }

  private AssociationRegistry registry(AssociationListener blocking) {
    return AssociationRegistry.builder().name("isolated").ticker(ticker)
        .scheduler(Scheduler.disabledScheduler()).executor(Runnable::run).grace(GRACE)
        .maxAssociationsPerPeer(Integer.MAX_VALUE).listener(counting).listener(blocking).build();
  }

  /** Blocks the calling thread until the test is done with the others, if {@code applies}. */
  private void block(boolean applies) {
    if (!applies || blocked.getCount() == 0) {
      return;
    }
    blocked.countDown();
    try {
      unblock.await();
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    }
  }

  /**
   * While the callback blocks, each worker negotiates, resumes and releases SAs of its own peer,
   * and one also expires SAs: all of it must finish, each operation within the bound.
   */
  private void assertOthersUnhindered(AssociationRegistry registry) throws Exception {
    assertThat(blocked.await(30, TimeUnit.SECONDS)).as("the callback blocks").isTrue();
    List<Future<Long>> workers = new ArrayList<>();
    for (int w = 0; w < WORKERS; w++) {
      String peer = "198.51.100." + w;
      boolean expires = w == 0;
      workers.add(pool.submit(() -> {
        long slowest = 0;
        FakeSession resumed = new FakeSession("TLSv1.2");
        for (int i = 0; i < CYCLES; i++) {
          long start = System.nanoTime();
          registry.acquire(new FakeSession(), peer).release();
          registry.acquire(resumed, peer).release();
          if (expires && i % 50 == 0) {
            registry.cleanUp();
          }
          slowest = Math.max(slowest, System.nanoTime() - start);
        }
        return slowest;
      }));
    }
    for (Future<Long> w : workers) {
      assertThat(w.get(60, TimeUnit.SECONDS)).as("slowest cycle, ns").isLessThan(MAX_LATENCY_NANOS);
    }
    assertThat(unblock.getCount()).as("the callback was still blocked").isEqualTo(1);
  }

  /** Once the callback returns, every change was announced, in full. */
  private void assertEveryEventHeard(AssociationRegistry registry) {
    registry.close();
    AssociationStats s = registry.stats();
    assertThat(counting.negotiated.sum()).isEqualTo(s.negotiated());
    assertThat(counting.released.sum()).isEqualTo(s.released());
    assertThat(counting.deleted.sum()).isEqualTo(s.deleted()).isEqualTo(s.negotiated());
    assertThat(s.leases()).isZero();
  }

  private static final class Counting implements AssociationListener {
    final LongAdder negotiated = new LongAdder();
    final LongAdder released = new LongAdder();
    final LongAdder deleted = new LongAdder();

    @Override
    public void onNegotiated(SecurityAssociation sa) {
      negotiated.increment();
    }

    @Override
    public void onReleased(SecurityAssociation sa) {
      released.increment();
    }

    @Override
    public void onDeleted(SecurityAssociation sa, DeletionCause cause) {
      deleted.increment();
    }
  }
}
