package dev.tether;

import static org.assertj.core.api.Assertions.assertThat;

import com.github.benmanes.caffeine.cache.Scheduler;
import dev.tether.testing.FakeTicker;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.stream.Collectors;
import net.jqwik.api.Arbitraries;
import net.jqwik.api.Arbitrary;
import net.jqwik.api.Combinators;
import net.jqwik.api.ForAll;
import net.jqwik.api.Property;
import net.jqwik.api.Provide;
import net.jqwik.api.constraints.IntRange;

/**
 * Random sequences of opens (full or resumed handshakes), closes, double closes, flushes and time
 * passing, checked step by step against a simple model of what the registry must hold.
 */
class RegistryPropertiesTest {
  private static final int CLIENTS = 4;
  private static final Duration GRACE = Duration.ofSeconds(10);

  enum Kind { OPEN, CLOSE, CLOSE_AGAIN, FLUSH_ONE, FLUSH_PEER, FLUSH_ALL, WAIT, WAIT_LONG }

  record Op(Kind kind, int arg) {}

  @Provide
  Arbitrary<List<Op>> operations() {
    Arbitrary<Kind> kinds = Arbitraries.frequencyOf(
        net.jqwik.api.Tuple.of(10, Arbitraries.just(Kind.OPEN)),
        net.jqwik.api.Tuple.of(8, Arbitraries.just(Kind.CLOSE)),
        net.jqwik.api.Tuple.of(2, Arbitraries.just(Kind.CLOSE_AGAIN)),
        net.jqwik.api.Tuple.of(1, Arbitraries.just(Kind.FLUSH_ONE)),
        net.jqwik.api.Tuple.of(1, Arbitraries.just(Kind.FLUSH_PEER)),
        net.jqwik.api.Tuple.of(1, Arbitraries.just(Kind.FLUSH_ALL)),
        net.jqwik.api.Tuple.of(3, Arbitraries.just(Kind.WAIT)),
        net.jqwik.api.Tuple.of(1, Arbitraries.just(Kind.WAIT_LONG)));
    Arbitrary<Op> op = Combinators.combine(kinds, Arbitraries.integers().between(0, 1000))
        .as(Op::new);
    return op.list().ofMinSize(1).ofMaxSize(80);
  }

  @Property(tries = 300)
  void registryMatchesModel(@ForAll("operations") List<Op> ops,
      @ForAll boolean tls13, @ForAll @IntRange(min = 1, max = 6) int maxPerPeer) throws Exception {
    FakeTicker ticker = new FakeTicker();
    AssociationRegistry registry = AssociationRegistry.builder()
        .ticker(ticker).scheduler(Scheduler.disabledScheduler()).executor(Runnable::run).grace(GRACE)
        .maxAssociationsPerPeer(maxPerPeer).build();
    FakeSession[] sessions = new FakeSession[CLIENTS];
    List<Lease> open = new ArrayList<>();
    List<Lease> closed = new ArrayList<>();
    long acquired = 0;
    long refused = 0;

    for (Op op : ops) {
      int client = op.arg() % CLIENTS;
      String peer = "10.0.0." + (client % 2); // two clients per peer
      switch (op.kind()) {
        case OPEN -> {
          FakeSession current = sessions[client];
          // A client resumes only a session the server has not invalidated, as JSSE does.
          boolean resumes = current != null && current.isResumable();
          FakeSession used = !resumes ? new FakeSession(tls13 ? "TLSv1.3" : "TLSv1.2")
              : tls13 ? current.resumed() : current;
          String expectedSa = resumes ? liveSaOf(registry, current) : null;
          try {
            Lease lease = registry.acquire(used, peer);
            acquired++;
            open.add(lease);
            if (expectedSa != null) {
              assertThat(lease.associationId()).as("resumption of a live SA reuses it")
                  .isEqualTo(expectedSa);
              assertThat(lease.isResumed()).isTrue();
            } else {
              assertThat(lease.isResumed()).isFalse();
            }
            if (!resumes || tls13) {
              sessions[client] = resumes ? current : used;
            }
          } catch (AssociationRefusedException e) {
            refused++;
            assertThat(e.reason()).isEqualTo(RefusalReason.MAX_PER_PEER);
          }
        }
        case CLOSE -> {
          if (!open.isEmpty()) {
            Lease lease = open.remove(op.arg() % open.size());
            assertThat(lease.release()).isTrue();
            closed.add(lease);
          }
        }
        case CLOSE_AGAIN -> {
          if (!closed.isEmpty()) {
            assertThat(closed.get(op.arg() % closed.size()).release()).isFalse();
          }
        }
        case FLUSH_ONE -> {
          List<SecurityAssociation> all = registry.associations();
          if (!all.isEmpty()) {
            String id = all.get(op.arg() % all.size()).id();
            assertThat(registry.flush(id, DeletionCause.MANUAL)).isEqualTo(1);
            assertThat(registry.find(id)).isEmpty();
          }
        }
        case FLUSH_PEER -> registry.flushPeer(peer, DeletionCause.LOGIN);
        case FLUSH_ALL -> registry.flushAll(DeletionCause.LOGOUT);
        case WAIT -> ticker.advance(Duration.ofSeconds(op.arg() % 12));
        case WAIT_LONG -> ticker.advance(GRACE.plus(AssociationRegistryTest.ONE_TICK));
      }
      // An SA leaves the table the instant its grace ends, and the gauges within one tick of the
      // expiry wheel: let that tick pass before comparing them.
      ticker.advance(AssociationRegistryTest.ONE_TICK);
      registry.cleanUp();
      checkInvariants(registry, open, maxPerPeer);
    }

    open.forEach(Lease::release);
    ticker.advance(GRACE.plus(AssociationRegistryTest.ONE_TICK));
    registry.cleanUp();

    AssociationStats stats = registry.stats();
    assertThat(registry.associations()).isEmpty();
    assertThat(stats.leases()).isZero();
    assertThat(stats.active()).isZero();
    assertThat(stats.idle()).isZero();
    assertThat(stats.handshakes()).isEqualTo(acquired);
    assertThat(stats.refused()).isEqualTo(refused);
    assertThat(stats.deleted()).isEqualTo(stats.negotiated());
    for (FakeSession s : sessions) {
      assertThat(s == null || !s.isResumable()).as("no session of a deleted SA resumes").isTrue();
    }
  }

  private static String liveSaOf(AssociationRegistry registry, FakeSession session) {
    if (!(session.getValue(registry.tagKey()) instanceof SessionTag tag)) {
      return null;
    }
    String id = AssociationRegistry.formatId(tag.id);
    return registry.find(id).isPresent() ? id : null;
  }

  private static void checkInvariants(AssociationRegistry registry, List<Lease> open,
      int maxPerPeer) {
    AssociationStats stats = registry.stats();
    List<SecurityAssociation> all = registry.associations();
    Map<String, Long> leasesPerSa = open.stream()
        .collect(Collectors.groupingBy(Lease::associationId, Collectors.counting()));
    assertThat(stats.leases()).isEqualTo(open.size());
    assertThat(stats.active()).isEqualTo(all.stream().filter(sa -> sa.references() > 0).count());
    assertThat(stats.idle()).isEqualTo(all.stream().filter(sa -> sa.references() == 0).count());
    Map<String, Integer> perPeer = new HashMap<>();
    for (SecurityAssociation sa : all) {
      assertThat(sa.references()).as("references of %s", sa.id())
          .isEqualTo(leasesPerSa.getOrDefault(sa.id(), 0L).intValue());
      assertThat(sa.state()).isEqualTo(sa.references() > 0
          ? SecurityAssociation.State.ACTIVE : SecurityAssociation.State.IDLE);
      perPeer.merge(sa.peer(), 1, Integer::sum);
    }
    assertThat(perPeer.values()).allMatch(n -> n <= maxPerPeer);
  }
}
