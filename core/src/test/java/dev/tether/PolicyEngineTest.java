package dev.tether;

import static org.assertj.core.api.Assertions.assertThat;

import com.github.benmanes.caffeine.cache.Scheduler;
import dev.tether.testing.FakeTicker;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.Set;
import java.util.function.Predicate;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

class PolicyEngineTest {
  private static final String PEER = "192.0.2.9";
  private static final Predicate<String> CUSTOMER = Set.of("customer")::contains;
  private static final Predicate<String> ADMIN = Set.of("admin")::contains;

  private final FakeTicker ticker = new FakeTicker();
  private final List<SecurityAssociation> deleted = new CopyOnWriteArrayList<>();
  private final AssociationRegistry registry = AssociationRegistry.builder()
      .ticker(ticker).scheduler(Scheduler.disabledScheduler()).executor(Runnable::run)
      .listener(new AssociationListener() {
        @Override public void onDeleted(SecurityAssociation sa, DeletionCause cause) {
          deleted.add(sa);
        }
      })
      .policies(PolicySet.parse(PolicySetTest.EXAMPLE, "example"))
      .peerBinding(Duration.ofMinutes(10), 2)
      .build();
  private final PolicyEngine engine = registry.policies();

  @AfterEach
  void close() {
    registry.close();
  }

  @Test
  void policyFor_unboundPeer_isAnonymous() {
    assertThat(registry.policyFor(PEER).name()).isEqualTo("browse");
  }

  @Test
  void login_connectionScope_flushesOnlyTheConnectionsSaAndRecordsPrincipal() throws Exception {
    Lease login = registry.acquire(new FakeSession(), PEER);
    Lease other = registry.acquire(new FakeSession(), PEER);

    // "nobody" has no policy of their own: the anonymous policy flushes the connection's SA.
    int flushed = engine.login(PEER, login, "nobody", r -> false);

    assertThat(flushed).isEqualTo(1);
    assertThat(login.isDeleted()).isTrue();
    assertThat(deleted).singleElement().satisfies(sa -> {
      assertThat(sa.id()).isEqualTo(login.associationId());
      assertThat(sa.principals()).containsExactly("nobody");
    });
    assertThat(other.isDeleted()).isFalse();
    assertThat(registry.stats().deletedByCause()).containsEntry(DeletionCause.LOGIN, 1L);
  }

  @Test
  void endsConnection_flushedSaOrRefusedPrincipal_endsIt_aLiveAcceptedSaDoesNot() throws Exception {
    Lease live = registry.acquire(new FakeSession(), "198.51.100.2");
    assertThat(engine.endsConnection(null, "alice", CUSTOMER)).as("no lease").isFalse();
    assertThat(engine.endsConnection(live, "alice", CUSTOMER)).as("a live SA customers accept")
        .isFalse();
    assertThat(engine.endsConnection(live, "root", ADMIN)).as("admins need their own SA").isTrue();
    assertThat(engine.flushedConnection(live, "root", ADMIN)).isFalse();

    Lease login = registry.acquire(new FakeSession(), PEER);
    engine.login(PEER, login, "alice", CUSTOMER);

    assertThat(login.isDeleted()).isTrue();
    assertThat(engine.flushedConnection(login, "alice", CUSTOMER)).isTrue();
    assertThat(engine.endsConnection(login, "alice", CUSTOMER)).isTrue();
  }

  @Test
  void flushedConnection_underOpenConnectionsKeep_isFalse() throws Exception {
    try (AssociationRegistry keeping = AssociationRegistry.builder().name("keep")
        .ticker(ticker).scheduler(Scheduler.disabledScheduler()).executor(Runnable::run)
        .policies(PolicySet.parse("""
            [policy partner]
            applies-to = role:customer
            on-login = peer
            open-connections = keep
            """, "keep"))
        .build()) {
      Lease login = keeping.acquire(new FakeSession(), PEER);
      keeping.policies().login(PEER, login, "alice", CUSTOMER);

      assertThat(login.isDeleted()).isTrue();
      assertThat(keeping.policies().flushedConnection(login, "alice", CUSTOMER)).isFalse();
      assertThat(keeping.policies().endsConnection(login, "alice", CUSTOMER)).isFalse();
    }
  }

  @Test
  void login_peerScope_flushesEverySaOfThePeerAndBindsIt() throws Exception {
    Lease login = registry.acquire(new FakeSession(), PEER);
    registry.acquire(new FakeSession(), PEER).release();
    Lease elsewhere = registry.acquire(new FakeSession(), "198.51.100.1");

    int flushed = engine.login(PEER, login, "alice", CUSTOMER);

    assertThat(flushed).isEqualTo(2);
    assertThat(registry.associations()).extracting(SecurityAssociation::id)
        .containsExactly(elsewhere.associationId());
    assertThat(registry.policyFor(PEER).name()).as("next connections negotiate as customer")
        .isEqualTo("customer");
    assertThat(registry.policyFor("198.51.100.1").name()).isEqualTo("browse");
    assertThat(engine.boundPrincipal(PEER)).isEqualTo("alice");
    assertThat(engine.boundPrincipal("198.51.100.1")).isNull();
  }

  @Test
  void newSaAfterLogin_isNegotiatedUnderTheBoundPolicy() throws Exception {
    engine.login(PEER, null, "root", r -> false);

    Lease next = registry.acquire(new FakeSession(), PEER);

    assertThat(next.policy().name()).isEqualTo("admin");
    assertThat(next.association().policy()).isEqualTo("admin");
  }

  @Test
  void logout_allScope_flushesEverythingAndUnbindsPeer() throws Exception {
    engine.login(PEER, null, "root", ADMIN);
    Lease admin = registry.acquire(new FakeSession(), PEER);
    registry.acquire(new FakeSession(), "198.51.100.1");

    int flushed = engine.logout(PEER, admin, "root", ADMIN);

    assertThat(flushed).isEqualTo(2);
    assertThat(registry.associations()).isEmpty();
    assertThat(registry.policyFor(PEER).name()).isEqualTo("browse");
    assertThat(engine.boundPrincipal(PEER)).isNull();
    assertThat(registry.stats().deletedByCause()).containsEntry(DeletionCause.LOGOUT, 2L);
  }

  @Test
  void permits_requireOwnAssociation_refusesAnSaOfAnotherPolicy() throws Exception {
    Lease anonymous = registry.acquire(new FakeSession(), PEER);
    engine.login(PEER, anonymous, "root", ADMIN);
    Lease own = registry.acquire(new FakeSession(), PEER);

    assertThat(engine.permits(anonymous, "root", ADMIN)).isFalse();
    assertThat(engine.permits(own, "root", ADMIN)).isTrue();
    assertThat(engine.permits(anonymous, "alice", CUSTOMER)).as("customer accepts any SA").isTrue();
    assertThat(engine.permits(anonymous, null, r -> false)).isTrue();
  }

  @Test
  void peerBindings_expireAndAreBoundedInNumber() {
    engine.login("10.0.0.1", null, "root", ADMIN);
    engine.login("10.0.0.2", null, "root", ADMIN);
    engine.login("10.0.0.3", null, "root", ADMIN);

    assertThat(engine.boundPeers()).isLessThanOrEqualTo(2);
    ticker.advance(Duration.ofMinutes(10));
    assertThat(registry.policyFor("10.0.0.3").name()).isEqualTo("browse");
  }

  @Test
  void bind_bindsThePeerWithoutFlushing() throws Exception {
    Lease anonymous = registry.acquire(new FakeSession(), PEER);

    SaPolicy policy = engine.bind(PEER, "root", ADMIN);

    assertThat(policy.name()).isEqualTo("admin");
    assertThat(anonymous.isDeleted()).isFalse();
    assertThat(registry.stats().flushed()).isZero();
    assertThat(engine.boundPrincipal(PEER)).isEqualTo("root");
    assertThat(registry.policyFor(PEER).name()).isEqualTo("admin");
  }

  @Test
  void recordRefusal_policy_isCountedAndAnnounced() {
    List<String> refused = new CopyOnWriteArrayList<>();
    registry.addListener(new AssociationListener() {
      @Override public void onRefused(String peer, RefusalReason reason) {
        refused.add(peer + " " + reason);
      }
    });

    registry.recordRefusal(PEER, RefusalReason.POLICY);

    assertThat(registry.stats().refused()).isEqualTo(1);
    assertThat(registry.stats().refusedByReason()).containsEntry(RefusalReason.POLICY, 1L);
    assertThat(refused).containsExactly(PEER + " POLICY");
  }
}
