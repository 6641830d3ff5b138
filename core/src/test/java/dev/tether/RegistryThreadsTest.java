package dev.tether;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import java.lang.ref.WeakReference;
import java.time.Duration;
import java.util.concurrent.atomic.AtomicReference;
import org.junit.jupiter.api.Test;

/** Which threads the registry's defaults put its work on: real time, real scheduler. */
class RegistryThreadsTest {
  private static final String PEER = "192.0.2.1";

  @Test
  void defaults_releaseToDeletion_runsOnTheReleasingThread() throws Exception {
    AtomicReference<Thread> deletedOn = new AtomicReference<>();
    try (AssociationRegistry registry = AssociationRegistry.builder().name("threads")
        .grace(Duration.ZERO).listener(deletionThread(deletedOn)).build()) {
      registry.acquire(new FakeSession("TLSv1.2"), PEER).release();

      assertThat(deletedOn.get()).isSameAs(Thread.currentThread());
    }
  }

  @Test
  void defaults_graceExpiry_deletesOnAPoolThreadWithoutAnyCall() throws Exception {
    AtomicReference<Thread> deletedOn = new AtomicReference<>();
    try (AssociationRegistry registry = AssociationRegistry.builder().name("threads")
        .grace(Duration.ofMillis(50)).listener(deletionThread(deletedOn)).build()) {
      FakeSession session = new FakeSession("TLSv1.2");
      registry.acquire(session, PEER).release();

      // Nothing calls the registry from here on: the scheduler alone must end the grace.
      await().atMost(Duration.ofSeconds(10)).until(() -> deletedOn.get() != null);
      assertThat(deletedOn.get().getName()).contains("ForkJoinPool");
      assertThat(session.isValid()).isFalse();
      assertThat(registry.stats().idle()).isZero();
    }
  }

  @Test
  void defaults_aClosedRegistryIsNotHeldByItsPendingWakeUp() throws Exception {
    WeakReference<AssociationRegistry> closed = closedWithAWakeUpPending();

    // The wake-up for the hour's grace is still due on the JDK's delay thread; once its owner let
    // go of the closed registry, nothing else may keep it (a redeployed application's classes).
    await().atMost(Duration.ofSeconds(10)).until(() -> {
      System.gc();
      return closed.get() == null;
    });
  }

  private static WeakReference<AssociationRegistry> closedWithAWakeUpPending() throws Exception {
    AssociationRegistry registry = AssociationRegistry.builder().name("threads")
        .grace(Duration.ofHours(1)).build();
    registry.acquire(new FakeSession("TLSv1.2"), PEER).release();
    assertThat(registry.stats().idle()).isOne();
    registry.close();
    return new WeakReference<>(registry);
  }

  private static AssociationListener deletionThread(AtomicReference<Thread> deletedOn) {
    return new AssociationListener() {
      @Override
      public void onDeleted(SecurityAssociation sa, DeletionCause cause) {
        deletedOn.set(Thread.currentThread());
      }
    };
  }
}
