package dev.tether;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.github.benmanes.caffeine.cache.Scheduler;
import dev.tether.SecurityAssociation.State;
import dev.tether.testing.FakeTicker;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicReference;
import javax.net.ssl.SSLSession;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

class AssociationRegistryTest {
  private static final String PEER = "192.0.2.1";
  private static final Duration GRACE = Duration.ofSeconds(30);
  /**
   * The idle queue's pacing (2^30 ns, as Caffeine paces its expiry): with a scheduler, an SA's end is
   * applied within one; {@code cleanUp()} applies it at once.
   */
  static final Duration ONE_TICK = Duration.ofNanos(1L << 30);

  private final FakeTicker ticker = new FakeTicker();
  private final List<String> events = new CopyOnWriteArrayList<>();
  private AssociationRegistry registry = registry(GRACE);

  private AssociationRegistry registry(Duration grace) {
    return builder().grace(grace).build();
  }

  private RegistryBuilder builder() {
    return AssociationRegistry.builder()
        .name("test")
        .ticker(ticker)
        .scheduler(Scheduler.disabledScheduler()).executor(Runnable::run)
        .listener(new Recorder(events));
  }

  @AfterEach
  void close() {
    registry.close();
  }

  @Test
  void acquire_newSession_negotiatesActiveSaWithOneReference() throws Exception {
    FakeSession session = new FakeSession("TLSv1.2");

    Lease lease = registry.acquire(session, PEER);

    SecurityAssociation sa = lease.association();
    assertThat(lease.isResumed()).isFalse();
    assertThat(sa.state()).isEqualTo(State.ACTIVE);
    assertThat(sa.references()).isEqualTo(1);
    assertThat(sa.reuses()).isZero();
    assertThat(sa.peer()).isEqualTo(PEER);
    assertThat(sa.protocol()).isEqualTo("TLSv1.2");
    assertThat(sa.policy()).isEqualTo("default");
    assertThat(registry.stats().negotiated()).isEqualTo(1);
    assertThat(registry.stats().active()).isEqualTo(1);
    assertThat(events).containsExactly("negotiated " + sa.id());
  }

  @Test
  void acquire_sameSessionTwice_reusesSaAndCountsReuse() throws Exception {
    FakeSession session = new FakeSession("TLSv1.2");

    Lease first = registry.acquire(session, PEER);
    Lease second = registry.acquire(session, PEER);

    assertThat(second.associationId()).isEqualTo(first.associationId());
    assertThat(second.isResumed()).isTrue();
    assertThat(second.association().references()).isEqualTo(2);
    assertThat(second.association().reuses()).isEqualTo(1);
    assertThat(registry.associations()).hasSize(1);
    assertThat(registry.stats().reused()).isEqualTo(1);
    assertThat(registry.stats().revived()).as("it was never idle").isZero();
    assertThat(registry.stats().leases()).isEqualTo(2);
  }

  @Test
  void acquire_tls13ResumptionWithNewSessionObject_findsSaThroughSharedValues() throws Exception {
    FakeSession first = new FakeSession("TLSv1.3");
    FakeSession resumed = first.resumed();

    Lease a = registry.acquire(first, PEER);
    Lease b = registry.acquire(resumed, PEER);
    a.release();
    b.release();
    ticker.advance(GRACE).advance(ONE_TICK);
    registry.cleanUp();

    assertThat(b.associationId()).isEqualTo(a.associationId());
    assertThat(first.isValid()).as("first session of the lineage").isFalse();
    assertThat(resumed.isValid()).as("session of the resumed connection").isFalse();
  }

  @Test
  void release_firstOfTwo_keepsSaWithOneReference() throws Exception {
    FakeSession session = new FakeSession();
    Lease first = registry.acquire(session, PEER);
    Lease second = registry.acquire(session, PEER);

    first.release();

    assertThat(second.association().references()).isEqualTo(1);
    assertThat(second.association().state()).isEqualTo(State.ACTIVE);
    assertThat(session.isValid()).isTrue();
  }

  @Test
  void release_lastLeaseWithGraceZero_deletesAtOnceAndInvalidatesSession() throws Exception {
    registry = registry(Duration.ZERO);
    FakeSession session = new FakeSession();
    Lease lease = registry.acquire(session, PEER);

    lease.release();

    assertThat(registry.associations()).isEmpty();
    assertThat(session.isValid()).isFalse();
    assertThat(lease.association().state()).isEqualTo(State.DELETED);
    assertThat(registry.stats().deletedByCause()).containsEntry(DeletionCause.LAST_CLOSE, 1L);
    assertThat(registry.stats().active()).isZero();
    assertThat(registry.stats().idle()).isZero();
  }

  @Test
  void release_lastLeaseWithGrace_goesIdleThenIsDeletedWhenGraceExpires() throws Exception {
    FakeSession session = new FakeSession();
    Lease lease = registry.acquire(session, PEER);

    lease.release();
    SecurityAssociation idle = registry.associations().get(0);
    ticker.advance(GRACE.minusMillis(1));
    registry.cleanUp();

    assertThat(idle.state()).isEqualTo(State.IDLE);
    assertThat(idle.idleSince()).isNotNull();
    assertThat(registry.associations()).hasSize(1);
    assertThat(session.isValid()).isTrue();

    ticker.advance(Duration.ofMillis(1));
    assertThat(registry.associations()).as("logically gone at the end of the grace").isEmpty();
    ticker.advance(ONE_TICK);
    registry.cleanUp();

    assertThat(session.isValid()).as("deleted by the sweep").isFalse();
    assertThat(registry.stats().deletedByCause()).containsEntry(DeletionCause.GRACE_EXPIRED, 1L);
    assertThat(registry.stats().idle()).isZero();
    assertThat(events).last().asString().startsWith("deleted").endsWith("GRACE_EXPIRED");
  }

  @Test
  void acquire_withinGrace_revivesIdleSaAndCountsReuse() throws Exception {
    FakeSession session = new FakeSession();
    registry.acquire(session, PEER).release();
    ticker.advance(GRACE.minusSeconds(1));

    Lease again = registry.acquire(session, PEER);
    ticker.advance(GRACE);
    registry.cleanUp();

    assertThat(again.isResumed()).isTrue();
    assertThat(again.association().state()).isEqualTo(State.ACTIVE);
    assertThat(again.association().reuses()).isEqualTo(1);
    assertThat(registry.stats().revived()).as("a full handshake saved by the grace").isEqualTo(1);
    assertThat(registry.stats().idle()).isZero();
    assertThat(registry.stats().active()).isEqualTo(1);
  }

  @Test
  void revival_racingWithTheSasLastRelease_wasIdleForNoTime_neverForLess() throws Exception {
    // The resuming connection reads the time, then the SA's last connection closes a moment
    // later, before the resumption's atomic step finds the SA idle.
    AtomicReference<Runnable> beforeNextRead = new AtomicReference<>();
    long[] nanos = {0};
    List<Duration> revived = new CopyOnWriteArrayList<>();
    registry.close();
    registry = AssociationRegistry.builder().name("race")
        .ticker(() -> {
          long now = nanos[0];
          Runnable r = beforeNextRead.getAndSet(null);
          if (r != null) {
            nanos[0] += 1_000_000;
            r.run();
          }
          return now;
        })
        .scheduler(Scheduler.disabledScheduler()).executor(Runnable::run)
        .listener(new AssociationListener() {
          @Override
          public void onRevived(SecurityAssociation sa, Duration idleFor) {
            revived.add(idleFor);
            revived.add(sa.age());
          }
        })
        .build();
    FakeSession session = new FakeSession("TLSv1.2");
    Lease first = registry.acquire(session, PEER);
    beforeNextRead.set(first::release);

    Lease second = registry.acquire(session, PEER);

    assertThat(second.isResumed()).isTrue();
    assertThat(registry.stats().revived()).isEqualTo(1);
    assertThat(revived).as("idle for, age").containsExactly(Duration.ZERO, Duration.ZERO);
    second.release();
  }

  @Test
  void acquire_resumingDeletedSa_isRefusedAndItsSessionDeleted() throws Exception {
    FakeSession session = new FakeSession();
    Lease first = registry.acquire(session, PEER);
    String old = first.associationId();
    registry.flush(old, DeletionCause.MANUAL);
    first.release();

    // The client resumed a ticket the TLS stack issued before the deletion could reach it.
    FakeSession late = session.resumed();
    assertThatThrownBy(() -> registry.acquire(late, PEER))
        .isInstanceOfSatisfying(AssociationRefusedException.class,
            e -> assertThat(e.reason()).isEqualTo(RefusalReason.STALE))
        .hasMessageContaining(old);

    assertThat(late.isValid()).as("the stale ticket is deleted too").isFalse();
    AssociationStats s = registry.stats();
    assertThat(s.staleResumptions()).isEqualTo(1);
    assertThat(s.refusedByReason()).containsEntry(RefusalReason.STALE, 1L);
    assertThat(s.leases()).isZero();
    assertThat(registry.associations()).isEmpty();
    assertThat(s.deleted()).isEqualTo(s.negotiated());
  }

  @Test
  void acquire_resumingFlushedSaWhoseDeleteFailed_isServedAsANewSaNotRefused() throws Exception {
    AssociationRegistry failing = AssociationRegistry.builder().ticker(ticker)
        .scheduler(Scheduler.disabledScheduler()).grace(Duration.ofSeconds(30))
        .driver(new AssociationDriver() {
          @Override
          public Object tag(SSLSession session, String key) {
            return session.getValue(key);
          }

          @Override
          public void bind(SSLSession session, String key, Object tag) {
            session.putValue(key, tag);
          }

          @Override
          public void delete(SSLSession session) {
            throw new IllegalStateException("cannot delete");
          }
        }).build();
    try {
      FakeSession session = new FakeSession();
      Lease first = failing.acquire(session, PEER);
      failing.flush(first.associationId(), DeletionCause.LOGIN);
      first.release();

      // The session was never deleted: the client that resumes it did nothing wrong.
      Lease late = failing.acquire(session.resumed(), PEER);
      assertThat(late.isResumed()).isFalse();
      assertThat(late.associationId()).isNotEqualTo(first.associationId());
      late.release();
      assertThat(failing.stats().staleResumptions()).isEqualTo(1);
      assertThat(failing.stats().refused()).isZero();
    } finally {
      failing.close();
    }
  }

  @Test
  void inspectHandshake_newLineage_reservesTheIdThatAcquireCreates() throws Exception {
    FakeSession session = new FakeSession();
    assertThat(registry.inspectHandshake(session, PEER)).as("a full handshake").isTrue();
    assertThat(session.getValue(registry.tagKey())).isInstanceOfSatisfying(SessionTag.class,
        t -> assertThat(t.created()).isFalse());

    // A resumption of the lineage may complete before the first connection's own handshake is reported.
    FakeSession resumed = session.resumed();
    assertThat(registry.inspectHandshake(resumed, PEER)).as("a resumption").isFalse();
    Lease second = registry.acquire(resumed, PEER);
    Lease first = registry.acquire(session, PEER);

    assertThat(first.associationId()).isEqualTo(second.associationId());
    assertThat(registry.associations()).singleElement()
        .satisfies(sa -> assertThat(sa.references()).isEqualTo(2));
    assertThat(registry.stats().negotiated()).isEqualTo(1);
    assertThat(registry.stats().reused()).isEqualTo(1);
    first.release();
    second.release();
  }

  @Test
  void inspectHandshake_resumingDeletedSa_refusesBeforeTheHandshakeCompletes() throws Exception {
    FakeSession session = new FakeSession();
    registry.inspectHandshake(session, PEER);
    Lease lease = registry.acquire(session, PEER);
    registry.flush(lease.associationId(), DeletionCause.LOGIN);

    FakeSession late = session.resumed();
    assertThatThrownBy(() -> registry.inspectHandshake(late, PEER))
        .isInstanceOfSatisfying(AssociationRefusedException.class,
            e -> assertThat(e.reason()).isEqualTo(RefusalReason.STALE));
    assertThat(late.isValid()).isFalse();
    assertThat(registry.stats().staleResumptions()).isEqualTo(1);
    lease.release();
    assertThat(registry.stats().leases()).isZero();
  }

  @Test
  void onDeleted_flushWhileLeaseHeld_runsOnce_keepDoesNot() throws Exception {
    AtomicInteger told = new AtomicInteger();
    Lease a = registry.acquire(new FakeSession(), PEER);
    Lease b = registry.acquire(new FakeSession(), PEER);
    Lease c = registry.acquire(new FakeSession(), "192.0.2.99");
    a.onDeleted(told::incrementAndGet);
    b.onDeleted(told::incrementAndGet);
    c.onDeleted(told::incrementAndGet);

    registry.flush(a.associationId(), DeletionCause.LOGIN);
    assertThat(told).as("a's connection is told").hasValue(1);
    registry.flushPeer(PEER, DeletionCause.LOGIN, SaPolicy.OpenConnections.KEEP);
    assertThat(told).as("kept: b's connection is not told").hasValue(1);
    registry.flushAll(DeletionCause.MANUAL);
    assertThat(told).as("c's connection is told").hasValue(2);
    registry.flushAll(DeletionCause.MANUAL);
    assertThat(told).as("at most once").hasValue(2);
    assertThat(registry.stats().endedConnections()).isEqualTo(2);

    Lease late = registry.acquire(new FakeSession(), PEER);
    late.release();
    late.onDeleted(told::incrementAndGet);
    assertThat(told).as("a released lease is not told").hasValue(2);
    a.release();
    b.release();
    c.release();
    assertThat(registry.stats().leases()).isZero();
  }

  @Test
  void onDeleted_afterTheFlush_runsAtOnce() throws Exception {
    AtomicInteger told = new AtomicInteger();
    Lease a = registry.acquire(new FakeSession(), PEER);
    registry.flush(a.associationId(), DeletionCause.LOGIN);
    a.onDeleted(told::incrementAndGet);
    assertThat(told).hasValue(1);
    a.release();
  }

  @Test
  void release_calledTwice_countsOnce() throws Exception {
    FakeSession session = new FakeSession();
    Lease first = registry.acquire(session, PEER);
    Lease second = registry.acquire(session, PEER);

    assertThat(first.release()).isTrue();
    assertThat(first.release()).isFalse();

    assertThat(second.association().references()).isEqualTo(1);
    assertThat(registry.stats().released()).isEqualTo(1);
    assertThat(registry.stats().leases()).isEqualTo(1);
  }

  @Test
  void flush_saWithLiveLeases_deletesItAndTheirReleaseCannotReviveIt() throws Exception {
    FakeSession session = new FakeSession();
    Lease a = registry.acquire(session, PEER);
    Lease b = registry.acquire(session, PEER);

    assertThat(registry.flush(a.associationId(), DeletionCause.LOGIN)).isEqualTo(1);
    assertThat(a.isDeleted()).isTrue();
    a.release();
    b.release();

    assertThat(registry.associations()).isEmpty();
    assertThat(session.isValid()).isFalse();
    AssociationStats stats = registry.stats();
    assertThat(stats.leases()).isZero();
    assertThat(stats.active()).isZero();
    assertThat(stats.idle()).isZero();
    assertThat(stats.flushed()).isEqualTo(1);
    assertThat(stats.deletedByCause()).containsEntry(DeletionCause.LOGIN, 1L);
  }

  @Test
  void flushPeer_deletesOnlyThatPeersSas() throws Exception {
    registry.acquire(new FakeSession(), PEER);
    registry.acquire(new FakeSession(), PEER).release();
    Lease other = registry.acquire(new FakeSession(), "198.51.100.7");

    assertThat(registry.flushPeer(PEER, DeletionCause.LOGOUT)).isEqualTo(2);

    assertThat(registry.associations()).extracting(SecurityAssociation::id)
        .containsExactly(other.associationId());
  }

  @Test
  void flushIf_andFlushAll_deleteWhatTheyMatch() throws Exception {
    Lease keep = registry.acquire(new FakeSession("TLSv1.3"), PEER);
    registry.acquire(new FakeSession("TLSv1.2"), PEER);

    assertThat(registry.flushIf(sa -> sa.protocol().equals("TLSv1.2"), DeletionCause.MANUAL))
        .isEqualTo(1);
    assertThat(registry.associations()).extracting(SecurityAssociation::id)
        .containsExactly(keep.associationId());
    assertThat(registry.flushAll(DeletionCause.MANUAL)).isEqualTo(1);
    assertThat(registry.associations()).isEmpty();
  }

  @Test
  void flush_unknownOrMalformedId_deletesNothing() {
    assertThat(registry.flush("ffffff", DeletionCause.MANUAL)).isZero();
    assertThat(registry.flush("not-an-id", DeletionCause.MANUAL)).isZero();
    assertThat(registry.flush("", DeletionCause.MANUAL)).isZero();
  }

  @Test
  void acquire_pastMaxAssociationsWithAnIdleSa_deletesTheIdleSaToMakeRoom() throws Exception {
    registry = builder().maxAssociations(2).build();
    FakeSession idle = new FakeSession();
    registry.acquire(idle, PEER).release();
    registry.acquire(new FakeSession(), PEER);

    Lease third = registry.acquire(new FakeSession(), PEER);

    assertThat(third.association().state()).isEqualTo(State.ACTIVE);
    assertThat(idle.isValid()).isFalse();
    assertThat(registry.associations()).hasSize(2);
    assertThat(registry.stats().deletedByCause()).containsEntry(DeletionCause.PRESSURE, 1L);
  }

  @Test
  void acquire_pastMaxAssociationsAllActive_isRefusedAndCounted() throws Exception {
    registry = builder().maxAssociations(2).build();
    registry.acquire(new FakeSession(), PEER);
    registry.acquire(new FakeSession(), PEER);

    assertThatThrownBy(() -> registry.acquire(new FakeSession(), PEER))
        .isInstanceOf(AssociationRefusedException.class)
        .hasMessageContaining("maximum of 2 SAs")
        .extracting(e -> ((AssociationRefusedException) e).reason())
        .isEqualTo(RefusalReason.MAX_ASSOCIATIONS);
    assertThat(registry.stats().refusedByReason()).containsEntry(RefusalReason.MAX_ASSOCIATIONS, 1L);
    assertThat(registry.associations()).hasSize(2);
    assertThat(events).contains("refused " + PEER + " MAX_ASSOCIATIONS");
  }

  @Test
  void acquire_pastMaxPerPeer_refusesThatPeerOnly() throws Exception {
    registry = builder().maxAssociationsPerPeer(1).build();
    registry.acquire(new FakeSession(), PEER);

    assertThatThrownBy(() -> registry.acquire(new FakeSession(), PEER))
        .isInstanceOf(AssociationRefusedException.class)
        .hasMessageContaining(PEER);
    Lease other = registry.acquire(new FakeSession(), "198.51.100.7");

    assertThat(other.association().state()).isEqualTo(State.ACTIVE);
    assertThat(registry.stats().refusedByReason()).containsEntry(RefusalReason.MAX_PER_PEER, 1L);
  }

  @Test
  void acquire_afterPeerSasDeleted_peerMayCreateAgain() throws Exception {
    registry = builder().grace(Duration.ZERO).maxAssociationsPerPeer(1).build();
    for (int i = 0; i < 5; i++) {
      registry.acquire(new FakeSession(), PEER).release();
    }
    assertThat(registry.stats().negotiated()).isEqualTo(5);
    assertThat(registry.stats().refused()).isZero();
  }

  @Test
  void delete_whenDriverThrows_registryStaysConsistent() throws Exception {
    AssociationDriver broken = new AssociationDriver() {
      @Override public Object tag(SSLSession s, String key) { return s.getValue(key); }
      @Override public void bind(SSLSession s, String key, Object tag) { s.putValue(key, tag); }
      @Override public void delete(SSLSession s) { throw new IllegalStateException("boom"); }
    };
    registry = builder().grace(Duration.ZERO).driver(broken).build();

    registry.acquire(new FakeSession(), PEER).release();
    Lease next = registry.acquire(new FakeSession(), PEER);

    assertThat(registry.associations()).extracting(SecurityAssociation::id)
        .containsExactly(next.associationId());
    assertThat(registry.stats().deleted()).isEqualTo(1);
    assertThat(registry.stats().active()).isEqualTo(1);
  }

  @Test
  void events_whenListenerThrows_otherListenersAndRegistryCarryOn() throws Exception {
    AssociationListener throwing = new AssociationListener() {
      @Override public void onNegotiated(SecurityAssociation sa) { throw new RuntimeException("x"); }
      @Override public void onDeleted(SecurityAssociation sa, DeletionCause c) { throw new Error("y"); }
    };
    registry = AssociationRegistry.builder().ticker(ticker).scheduler(Scheduler.disabledScheduler()).executor(Runnable::run)
        .grace(Duration.ZERO).listener(throwing).listener(new Recorder(events)).build();

    registry.acquire(new FakeSession(), PEER).release();

    assertThat(registry.associations()).isEmpty();
    assertThat(registry.stats().deleted()).isEqualTo(1);
    assertThat(events).hasSize(3);
  }

  @Test
  void release_pastMaxAge_deletesAtLastCloseDespiteGrace() throws Exception {
    SaPolicy aged = SaPolicy.builder("aged").maxAge(Duration.ofMinutes(5)).build();
    registry = builder().defaultPolicy(aged).build();
    FakeSession session = new FakeSession();
    Lease lease = registry.acquire(session, PEER);

    ticker.advance(Duration.ofMinutes(6));
    assertThat(lease.association().state()).as("not at once").isEqualTo(State.ACTIVE);
    lease.release();

    assertThat(registry.associations()).isEmpty();
    assertThat(registry.stats().deletedByCause()).containsEntry(DeletionCause.MAX_AGE, 1L);
  }

  @Test
  void maxAgeAtOnce_deletesReferencedSaWhenItComesOfAge() throws Exception {
    SaPolicy aged = SaPolicy.builder("aged").maxAge(Duration.ofMinutes(5)).maxAgeAtOnce(true)
        .build();
    registry = builder().defaultPolicy(aged).build();
    FakeSession session = new FakeSession();
    Lease lease = registry.acquire(session, PEER);

    ticker.advance(Duration.ofMinutes(5)).advance(ONE_TICK);
    registry.cleanUp();
    lease.release();

    assertThat(registry.associations()).isEmpty();
    assertThat(session.isValid()).isFalse();
    AssociationStats stats = registry.stats();
    assertThat(stats.deletedByCause()).containsEntry(DeletionCause.MAX_AGE, 1L);
    assertThat(stats.active()).isZero();
    assertThat(stats.leases()).isZero();
  }

  @Test
  void idleSa_graceLongerThanRemainingAge_expiresAtMaxAge() throws Exception {
    SaPolicy aged = SaPolicy.builder("aged").grace(Duration.ofMinutes(10))
        .maxAge(Duration.ofMinutes(5)).build();
    registry = builder().defaultPolicy(aged).build();
    registry.acquire(new FakeSession(), PEER).release();

    ticker.advance(Duration.ofMinutes(5)).advance(ONE_TICK);
    registry.cleanUp();

    assertThat(registry.associations()).isEmpty();
    assertThat(registry.stats().deletedByCause()).containsEntry(DeletionCause.MAX_AGE, 1L);
  }

  @Test
  void recordPrincipal_addsEachNameOnce() throws Exception {
    Lease lease = registry.acquire(new FakeSession(), PEER);

    lease.recordPrincipal("alice");
    lease.recordPrincipal("alice");
    lease.recordPrincipal("bob");

    assertThat(lease.association().principals()).containsExactly("alice", "bob");
    assertThat(events).containsSubsequence("principal alice", "principal bob");
    assertThat(events).filteredOn(e -> e.startsWith("principal")).hasSize(2);
  }

  @Test
  void close_flushesEverythingAndRefusesNewSas() throws Exception {
    FakeSession session = new FakeSession();
    Lease lease = registry.acquire(session, PEER);

    registry.close();

    assertThat(session.isValid()).isFalse();
    assertThat(registry.stats().deletedByCause()).containsEntry(DeletionCause.SHUTDOWN, 1L);
    assertThatThrownBy(() -> registry.acquire(new FakeSession(), PEER))
        .isInstanceOf(AssociationRefusedException.class)
        .extracting(e -> ((AssociationRefusedException) e).reason())
        .isEqualTo(RefusalReason.CLOSED);
    assertThat(lease.release()).isTrue();
    assertThat(registry.stats().leases()).isZero();
  }

  @Test
  void close_duringACreation_flushesTheNewSaToo() throws Exception {
    AtomicReference<AssociationRegistry> self = new AtomicReference<>();
    AssociationDriver closingMidway = new AssociationDriver() {
      @Override public Object tag(SSLSession s, String key) { return s.getValue(key); }
      @Override public void bind(SSLSession s, String key, Object tag) { s.putValue(key, tag); }
      @Override public void delete(SSLSession s) { s.invalidate(); }
      @Override public boolean canResume(SSLSession s) {
        self.get().close(); // the container stops after acquire's closed check, before the SA is in
        return true;
      }
    };
    registry = builder().driver(closingMidway).build();
    self.set(registry);
    FakeSession session = new FakeSession();

    Lease lease = registry.acquire(session, PEER);

    assertThat(lease.isDeleted()).isTrue();
    assertThat(session.isValid()).isFalse();
    assertThat(registry.stats().deletedByCause()).containsEntry(DeletionCause.SHUTDOWN, 1L);
    assertThat(registry.stats().active()).isZero();
    lease.release();
    assertThat(registry.stats().leases()).isZero();
    assertThat(registry.stats().deleted()).isEqualTo(registry.stats().negotiated());
  }

  @Test
  void close_justAfterAGraceEnded_deletesThatSaToo() throws Exception {
    FakeSession session = new FakeSession();
    registry.acquire(session, PEER).release();
    ticker.advance(GRACE.minusMillis(100));
    registry.cleanUp();
    // Past the grace, and not swept yet.
    ticker.advance(Duration.ofMillis(150));

    registry.close();

    assertThat(session.isValid()).isFalse();
    AssociationStats stats = registry.stats();
    assertThat(stats.idle()).isZero();
    assertThat(stats.deleted()).isEqualTo(1);
  }

  @Test
  void sessionsOfOtherRegistry_areNotMistakenForOwnSas() throws Exception {
    FakeSession session = new FakeSession();
    AssociationRegistry other = builder().name("test").build();
    other.acquire(session, PEER);

    Lease lease = registry.acquire(session, PEER);

    assertThat(lease.isResumed()).isFalse();
    other.close();
  }

  @Test
  void views_reportAgeAndIdleTimeFromTheTicker() throws Exception {
    Lease lease = registry.acquire(new FakeSession(), PEER);
    ticker.advance(Duration.ofSeconds(4));
    lease.release();
    ticker.advance(Duration.ofSeconds(3));

    SecurityAssociation sa = registry.find(lease.associationId()).orElseThrow();

    assertThat(sa.age()).isEqualTo(Duration.ofSeconds(7));
    assertThat(sa.idleFor()).isEqualTo(Duration.ofSeconds(3));
    assertThat(Duration.between(sa.created(), sa.idleSince())).isEqualTo(Duration.ofSeconds(4));
  }

  @Test
  void builder_rejectsBadSettingsNamingThem() {
    assertThatThrownBy(() -> AssociationRegistry.builder().grace(Duration.ofSeconds(-1)))
        .hasMessageContaining("grace").hasMessageContaining("-1");
    assertThatThrownBy(() -> AssociationRegistry.builder().maxAssociations(0))
        .hasMessageContaining("maxAssociations 0");
    assertThatThrownBy(() -> AssociationRegistry.builder().maxAssociationsPerPeer(-3))
        .hasMessageContaining("maxAssociationsPerPeer -3");
    assertThatThrownBy(() -> AssociationRegistry.builder().name("a b"))
        .hasMessageContaining("'a b'");
    assertThatThrownBy(() -> SaPolicy.builder("p").protocols("SSLv3"))
        .hasMessageContaining("'SSLv3'");
  }

  @Test
  void entry_keepsFirstSessionWhenTls13LineageOutgrowsItsSessionList() throws Exception {
    FakeSession first = new FakeSession();
    List<FakeSession> all = new ArrayList<>(List.of(first));
    registry = registry(Duration.ZERO);
    List<Lease> leases = new ArrayList<>();
    leases.add(registry.acquire(first, PEER));
    for (int i = 0; i < SessionTag.MAX_SESSIONS * 2; i++) {
      FakeSession next = first.resumed();
      all.add(next);
      leases.add(registry.acquire(next, PEER));
    }
    leases.forEach(Lease::release);

    assertThat(first.isValid()).isFalse();
    assertThat(all.get(all.size() - 1).isValid()).isFalse();
    assertThat(all).filteredOn(s -> !s.isValid()).hasSize(SessionTag.MAX_SESSIONS);
  }

  @Test
  void addListener_afterBuild_receivesLaterEventsUntilRemoved() throws Exception {
    List<String> late = new CopyOnWriteArrayList<>();
    Recorder recorder = new Recorder(late);
    registry.addListener(recorder);
    Lease lease = registry.acquire(new FakeSession(), PEER);
    assertThat(registry.removeListener(recorder)).isTrue();
    lease.release();

    assertThat(late).containsExactly("negotiated " + lease.associationId());
  }

  /** Records events as short strings. */
  record Recorder(List<String> events) implements AssociationListener {
    @Override public void onNegotiated(SecurityAssociation sa) { events.add("negotiated " + sa.id()); }
    @Override public void onReused(SecurityAssociation sa) { events.add("reused " + sa.id()); }
    @Override public void onReleased(SecurityAssociation sa) { events.add("released " + sa.id()); }
    @Override public void onIdle(SecurityAssociation sa) { events.add("idle " + sa.id()); }
    @Override public void onDeleted(SecurityAssociation sa, DeletionCause cause) {
      events.add("deleted " + sa.id() + " " + cause);
    }
    @Override public void onRefused(String peer, RefusalReason reason) {
      events.add("refused " + peer + " " + reason);
    }
    @Override public void onPrincipal(SecurityAssociation sa, String principal) {
      events.add("principal " + principal);
    }
  }
}
