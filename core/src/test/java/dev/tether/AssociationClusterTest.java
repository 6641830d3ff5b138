package dev.tether;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.github.benmanes.caffeine.cache.Scheduler;
import dev.tether.AssociationCluster.Event;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.Consumer;
import org.junit.jupiter.api.Test;

/**
 * The registry's side of a cluster: which flushes and bindings it publishes and awaits, which stay
 * local, and how a remote event is applied (through the registry's own paths, never published again).
 */
class AssociationClusterTest {
  private static final String POLICIES = """
      [policy browse]
      applies-to = anonymous
      on-login = connection

      [policy customer]
      applies-to = role:customer
      on-login = peer
      on-logout = all
      """;

  /** Records what the registry publishes and how often it awaits. */
  static final class Recording implements AssociationCluster {
    final List<Event> published = new ArrayList<>();
    final AtomicInteger awaited = new AtomicInteger();
    Member member;
    boolean closed;
    RuntimeException failOnStart;

    @Override public void start(Member member) {
      this.member = member;
      if (failOnStart != null) {
        throw failOnStart;
      }
    }
    @Override public synchronized Receipt publish(Event event) {
      published.add(event);
      return awaited::incrementAndGet;
    }
    @Override public View view() { return new View("x", false, List.of(), 0, 0, 0, 0, 0, 0); }
    @Override public void observeLag(Consumer<Duration> observer) { }
    @Override public void close() { closed = true; }
  }

  private final Recording cluster = new Recording();
  private final AssociationRegistry registry = AssociationRegistry.builder()
      .policies(PolicySet.parse(POLICIES, "test")).scheduler(Scheduler.disabledScheduler())
      .cluster(cluster).build();

  @Test
  void build_startsTheClusterWithTheRegistryAsMember_andCloseClosesIt() {
    assertThat(cluster.member.registryName()).isEqualTo("default");
    registry.close();
    assertThat(cluster.closed).isTrue();
    assertThat(cluster.published).as("the shutdown flush stays local").isEmpty();
  }

  @Test
  void clusterThatRefusesToStart_failsTheBuild_andTheRegistryIsClosed() {
    Recording failing = new Recording();
    failing.failOnStart = new IllegalStateException("clusterRequired: unreachable");

    assertThatThrownBy(() -> AssociationRegistry.builder().cluster(failing).build())
        .hasMessageContaining("clusterRequired");
    assertThat(failing.closed).isTrue();
  }

  @Test
  void flushesOfPeersAndAll_arePublishedAndAwaited_singleSaAndFilteredFlushesAreNot() {
    registry.flushPeer("10.0.0.1", DeletionCause.MANUAL);
    registry.flushAll(DeletionCause.MANUAL);
    registry.flush("0000000a", DeletionCause.MANUAL);
    registry.flushIf(sa -> true, DeletionCause.MANUAL);

    assertThat(cluster.published).containsExactly(
        Event.flushPeer("10.0.0.1", DeletionCause.MANUAL), Event.flushAll(DeletionCause.MANUAL));
    assertThat(cluster.awaited).hasValue(2);
    registry.close();
  }

  @Test
  void loginAndLogout_publishTheBindingAndTheFlush_andAwaitOnce() {
    registry.policies().login("10.0.0.1", null, "carol", "customer"::equals);

    assertThat(cluster.published).containsExactly(Event.bind("10.0.0.1", "carol", "customer"),
        Event.flushPeer("10.0.0.1", DeletionCause.LOGIN));
    // The flush's wait covers the binding: a node applies events in order.
    assertThat(cluster.awaited).hasValue(1);

    cluster.published.clear();
    registry.policies().logout("10.0.0.1", null, "carol", "customer"::equals);
    assertThat(cluster.published).containsExactly(Event.unbind("10.0.0.1"),
        Event.flushAll(DeletionCause.LOGOUT));
    assertThat(cluster.awaited).hasValue(2);
    registry.close();
  }

  @Test
  void loginWithALocalFlush_awaitsItsBinding() {
    registry.policies().login("10.0.0.1", null, "guest", r -> false);
    registry.policies().bind("10.0.0.2", "carol", "customer"::equals);

    assertThat(cluster.published).containsExactly(Event.bind("10.0.0.1", "guest", "browse"),
        Event.bind("10.0.0.2", "carol", "customer"));
    assertThat(cluster.awaited).hasValue(2);
    registry.close();
  }

  @Test
  void remoteEvents_applyHereWithoutBeingPublishedAgain() throws Exception {
    Lease lease = registry.acquire(new FakeSession(), "10.0.0.1");

    assertThat(cluster.member.apply(Event.bind("10.0.0.1", "carol", "customer"))).isTrue();
    assertThat(registry.policyFor("10.0.0.1").name()).isEqualTo("customer");
    assertThat(cluster.member.apply(Event.flushPeer("10.0.0.1", DeletionCause.LOGIN))).isTrue();
    assertThat(registry.find(lease.associationId())).isEmpty();
    assertThat(cluster.member.apply(Event.unbind("10.0.0.1"))).isTrue();
    assertThat(registry.policyFor("10.0.0.1").name()).isEqualTo("browse");

    assertThat(cluster.published).isEmpty();
    lease.release();
    assertThat(registry.stats().leases()).isZero();
    registry.close();
  }

  @Test
  void remoteBindingToAnUnknownPolicy_bindsNothing() {
    registry.policies().bind("10.0.0.1", "carol", "customer"::equals);

    assertThat(cluster.member.apply(Event.bind("10.0.0.1", "mallory", "no-such-policy"))).isFalse();
    assertThat(registry.policyFor("10.0.0.1").name()).isEqualTo("customer");
    assertThat(registry.policies().boundPrincipal("10.0.0.1")).isEqualTo("carol");
    registry.close();
  }

  @Test
  void flushMissed_flushesEverySaHereWithItsOwnCause() throws Exception {
    Lease a = registry.acquire(new FakeSession(), "10.0.0.1");
    Lease b = registry.acquire(new FakeSession(), "10.0.0.2");

    assertThat(cluster.member.flushMissed()).isEqualTo(2);
    assertThat(registry.stats().deletedByCause()).containsEntry(DeletionCause.MISSED_EVENTS, 2L);
    assertThat(cluster.published).isEmpty();
    a.release();
    b.release();
    registry.close();
  }
}
