package dev.tether;

import static org.assertj.core.api.Assertions.assertThat;

import com.github.benmanes.caffeine.cache.Scheduler;
import dev.tether.SecurityAssociation.State;
import dev.tether.testing.FakeTicker;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/**
 * The idle SAs' way to their end outside the cache ({@link IdleQueue}): resumed and idle again, past
 * their grace before the sweep, queued once, swept on paced wake-ups, chosen by their end under
 * pressure.
 */
class IdleQueueTest {
  private static final String PEER = "192.0.2.1";
  private static final Duration GRACE = Duration.ofSeconds(30);

  private final FakeTicker ticker = new FakeTicker();
  private final List<Long> wakeUpDelays = new CopyOnWriteArrayList<>();
  private final List<Runnable> wakeUps = new CopyOnWriteArrayList<>();
  /** Records the sweep's wake-ups instead of running them; a test runs them when it likes. */
  private final Scheduler recording = (executor, command, delay, unit) -> {
    wakeUpDelays.add(unit.toNanos(delay));
    wakeUps.add(command);
    return CompletableFuture.completedFuture(null);
  };
  private AssociationRegistry registry = builder().build();

  private RegistryBuilder builder() {
    return AssociationRegistry.builder().name("idle").ticker(ticker).grace(GRACE)
        .scheduler(Scheduler.disabledScheduler()).executor(Runnable::run);
  }

  @AfterEach
  void close() {
    registry.close();
  }

  @Test
  void resumedAndIdleAgain_isDeletedAtTheEndOfItsNewGrace_notOfTheFirst() throws Exception {
    FakeSession session = new FakeSession("TLSv1.2");
    registry.acquire(session, PEER).release();
    ticker.advance(Duration.ofSeconds(20));
    registry.acquire(session, PEER).release();

    ticker.advance(Duration.ofSeconds(15)); // 35 s after the first release, 15 s after the second
    registry.cleanUp();

    assertThat(registry.associations()).singleElement()
        .extracting(SecurityAssociation::state).isEqualTo(State.IDLE);
    assertThat(session.isValid()).isTrue();
    assertThat(registry.table().queuedIdle()).as("queued again in its new place").isOne();

    ticker.advance(Duration.ofSeconds(15));
    registry.cleanUp();

    assertThat(registry.associations()).isEmpty();
    assertThat(session.isValid()).isFalse();
    assertThat(registry.stats().deletedByCause()).containsEntry(DeletionCause.GRACE_EXPIRED, 1L);
    assertThat(registry.table().queuedIdle()).isZero();
  }

  @Test
  void resumedAndIdleAgain_isDeletedAtItsEnd_beforeSasThatWentIdleAfterIt() throws Exception {
    FakeSession early = new FakeSession("TLSv1.2");
    FakeSession later = new FakeSession("TLSv1.2");
    registry.acquire(early, PEER).release(); // queued for 30 s
    ticker.advance(Duration.ofSeconds(5));
    registry.acquire(early, PEER).release(); // its grace now ends at 35 s, still queued for 30 s
    ticker.advance(Duration.ofSeconds(5));
    registry.acquire(later, PEER).release(); // queued behind it, for 40 s

    ticker.advance(Duration.ofSeconds(20)); // 30 s: early moves to its new place
    registry.cleanUp();
    ticker.advance(Duration.ofSeconds(5)); // 35 s
    registry.cleanUp();

    assertThat(early.isValid()).as("deleted at 35 s, not behind the SA due at 40 s").isFalse();
    assertThat(later.isValid()).isTrue();
    ticker.advance(Duration.ofSeconds(5));
    registry.cleanUp();
    assertThat(later.isValid()).isFalse();
    assertThat(registry.table().queuedIdle()).isZero();
  }

  @Test
  void resumingAnIdleSaPastItsGrace_beforeTheSweep_getsANewSaAndTheOldOneIsDeleted()
      throws Exception {
    FakeSession session = new FakeSession("TLSv1.2");
    Lease first = registry.acquire(session, PEER);
    String firstId = first.associationId();
    first.release();
    ticker.advance(GRACE);

    Lease late = registry.acquire(session, PEER);

    assertThat(late.associationId()).isNotEqualTo(firstId);
    assertThat(late.isResumed()).isFalse();
    assertThat(registry.find(firstId)).isEmpty();
    AssociationStats stats = registry.stats();
    assertThat(stats.deletedByCause()).containsEntry(DeletionCause.GRACE_EXPIRED, 1L);
    assertThat(stats.revived()).isZero();
    assertThat(stats.staleResumptions()).isOne();
    assertThat(stats.active()).isOne();
    assertThat(stats.idle()).isZero();
  }

  @Test
  void anSaResumedAndReleasedManyTimes_isQueuedOnce() throws Exception {
    FakeSession session = new FakeSession("TLSv1.2");
    for (int i = 0; i < 1_000; i++) {
      registry.acquire(session, PEER).release();
      ticker.advance(Duration.ofMillis(10));
    }

    assertThat(registry.table().queuedIdle()).isOne();
    assertThat(registry.stats().revived()).isEqualTo(999);
    assertThat(registry.table().idleUnqueued()).isZero();
  }

  @Test
  void viewsLeaveOutAnSaPastItsGrace_beforeTheSweepDeletesIt() throws Exception {
    FakeSession session = new FakeSession("TLSv1.2");
    Lease lease = registry.acquire(session, PEER);
    String id = lease.associationId();
    lease.release();

    ticker.advance(GRACE);

    assertThat(registry.associations()).isEmpty();
    assertThat(registry.find(id)).isEmpty();
    assertThat(session.isValid()).as("deleted by the sweep, not the view").isTrue();
    registry.cleanUp();
    assertThat(session.isValid()).isFalse();
  }

  @Test
  void wakeUps_comeAtTheEndOfTheFirstGrace_onceForSasThatGoIdleTogether() throws Exception {
    registry.close();
    registry = builder().scheduler(recording).build();
    List<FakeSession> sessions = new CopyOnWriteArrayList<>();
    for (int i = 0; i < 100; i++) {
      FakeSession session = new FakeSession("TLSv1.2");
      sessions.add(session);
      registry.acquire(session, PEER).release();
      ticker.advance(Duration.ofMillis(5)); // 100 SAs idle within half a second
    }

    assertThat(wakeUpDelays).as("one wake-up, at the first SA's end").singleElement()
        .satisfies(d -> assertThat(d).isEqualTo(GRACE.toNanos()));

    ticker.advance(GRACE);
    wakeUps.remove(0).run();

    assertThat(registry.associations()).isEmpty();
    assertThat(sessions).noneMatch(FakeSession::isValid);
    assertThat(registry.stats().deletedByCause()).containsEntry(DeletionCause.GRACE_EXPIRED, 100L);
    assertThat(wakeUps).as("nothing left to wake up for").isEmpty();
  }

  @Test
  void wakeUps_areAtLeastTheCachesToleranceApart() throws Exception {
    registry.close();
    registry = builder().grace(Duration.ofMillis(10)).scheduler(recording).build();

    registry.acquire(new FakeSession("TLSv1.2"), PEER).release();

    assertThat(wakeUpDelays).singleElement()
        .satisfies(d -> assertThat(d).isEqualTo(IdleQueue.TOLERANCE));
  }

  @Test
  void aSweepThatLeavesSasForLater_wakesUpAgainForTheNextEnd() throws Exception {
    registry.close();
    registry = builder().scheduler(recording).build();
    FakeSession early = new FakeSession("TLSv1.2");
    FakeSession later = new FakeSession("TLSv1.2");
    registry.acquire(early, PEER).release();
    ticker.advance(Duration.ofSeconds(10));
    registry.acquire(later, PEER).release();
    ticker.advance(Duration.ofSeconds(20));

    wakeUps.remove(0).run();

    assertThat(early.isValid()).isFalse();
    assertThat(later.isValid()).isTrue();
    assertThat(wakeUpDelays).hasSize(2);
    assertThat(TimeUnit.NANOSECONDS.toSeconds(wakeUpDelays.get(1))).isEqualTo(10);
  }

  @Test
  void aWakeUpThatFindsASweepRunning_makesItSweepAgain() throws Exception {
    registry.close();
    FakeSession first = new FakeSession("TLSv1.2");
    FakeSession second = new FakeSession("TLSv1.2");
    Lease[] held = new Lease[1];
    registry = builder().scheduler(recording).listener(new AssociationListener() {
      @Override
      public void onDeleted(SecurityAssociation sa, DeletionCause cause) {
        if (held[0] != null) {
          // While the sweep deletes the first SA: the second goes idle, its grace passes, and its
          // wake-up comes, finding the sweep still running.
          Lease lease = held[0];
          held[0] = null;
          lease.release();
          ticker.advance(GRACE);
          wakeUps.remove(wakeUps.size() - 1).run();
        }
      }
    }).build();
    registry.acquire(first, PEER).release();
    held[0] = registry.acquire(second, PEER);
    ticker.advance(GRACE);

    wakeUps.remove(0).run();

    assertThat(first.isValid()).isFalse();
    assertThat(second.isValid()).as("swept by the sweep that was running").isFalse();
    assertThat(registry.associations()).isEmpty();
  }

  @Test
  void pressure_deletesTheIdleSaWhoseGraceEndsFirst_notTheOneQueuedFirst() throws Exception {
    registry.close();
    registry = builder().maxAssociations(2).build();
    FakeSession a = new FakeSession("TLSv1.2");
    FakeSession b = new FakeSession("TLSv1.2");
    registry.acquire(a, PEER).release();
    ticker.advance(Duration.ofSeconds(5));
    registry.acquire(b, PEER).release();
    ticker.advance(Duration.ofSeconds(5));
    registry.acquire(a, PEER).release(); // a's grace now ends after b's

    registry.acquire(new FakeSession("TLSv1.2"), PEER);

    assertThat(a.isValid()).isTrue();
    assertThat(b.isValid()).isFalse();
    assertThat(registry.stats().deletedByCause()).containsEntry(DeletionCause.PRESSURE, 1L);
  }

  @Test
  void anIdleSaReachingItsMaxAgeBeforeItsGraceEnds_waitsForItsMaxAge() throws Exception {
    registry.close();
    SaPolicy aged = SaPolicy.builder("aged").grace(Duration.ofMinutes(10))
        .maxAge(Duration.ofMinutes(5)).build();
    registry = AssociationRegistry.builder().name("aged").ticker(ticker).defaultPolicy(aged)
        .scheduler(recording).executor(Runnable::run).build();
    FakeSession session = new FakeSession("TLSv1.2");
    registry.acquire(session, PEER).release();

    assertThat(wakeUpDelays).singleElement()
        .satisfies(d -> assertThat(d).isEqualTo(Duration.ofMinutes(5).toNanos()));
    ticker.advance(Duration.ofMinutes(5));
    wakeUps.remove(0).run();

    assertThat(session.isValid()).isFalse();
    assertThat(registry.stats().deletedByCause()).containsEntry(DeletionCause.MAX_AGE, 1L);
  }
}
