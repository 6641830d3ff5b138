package dev.tether.reliability;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import dev.tether.AssociationRegistry;
import dev.tether.AssociationStats;
import dev.tether.DeletionCause;
import dev.tether.RefusalReason;
import java.time.Duration;
import java.util.List;
import javax.net.ssl.SSLSession;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;

/**
 * The churn soak: many clients opening, resuming, using and closing TLS connections, logging in and
 * out, while SAs are flushed under them and their grace periods run out. At the end, once the last
 * grace period has passed, nothing is left and every count adds up.
 *
 * <p>It runs {@code tether.soak.seconds} per container (25 s by default; {@code -Psoak} makes it ten
 * minutes).
 */
class ChurnSoakTest {
  private static final Duration DURATION = Duration.ofSeconds(Long.getLong("tether.soak.seconds", 25));
  private static final int CLIENTS = 8;
  private static final Duration GRACE = Duration.ofSeconds(1);

  @ParameterizedTest(name = "{0}")
  @EnumSource(Kind.class)
  void churn_connectionsLoginsAndFlushes_endWithNoSaAndCountsThatAddUp(Kind kind) throws Exception {
    Accounts accounts = new Accounts();
    Setup setup = new Setup().grace(GRACE).listener(accounts);
    Tally tally = new Tally();
    long started = System.nanoTime();
    try (Container server = kind.start(setup);
        Bystander bystander = Bystander.start(server)) {
      AssociationRegistry registry = server.registry();
      accounts.attach(registry);
      Churn.run(server, CLIENTS, DURATION, tally);
      bystander.close();
      long churned = System.nanoTime() - started;

      await("every lease released").atMost(Duration.ofSeconds(30))
          .until(() -> registry.stats().leases() == 0);
      long quiet = System.nanoTime();
      // deleted = negotiated once the last deletion has invalidated its sessions, which follows
      // the table's gauge: the cache read below must not see a session being deleted.
      await("every SA deleted after the grace").atMost(GRACE.plusSeconds(15))
          .until(() -> registry.stats().associations() == 0
              && registry.stats().deleted() == registry.stats().negotiated());
      long drained = System.nanoTime() - quiet;

      AssociationStats s = registry.stats();
      List<SSLSession> lateTickets = server.cachedSessions();
      Report.line("churn " + kind, "seconds", DURATION.toSeconds(), "clients", CLIENTS + 1,
          "clientConnections", tally.get("connections"), "bystanderConnections",
          bystander.connections(), "bystanderRequests", bystander.served(), "requests",
          tally.get("requests"), "logins", tally.get("logins"), "logouts", tally.get("logouts"),
          "flushes", tally.get("flushes"), "flushedSas", tally.get("flushedSas"), "resets",
          tally.get("resets"), "accepted", s.accepted(), "negotiated", s.negotiated(), "reused",
          s.reused(), "revived", s.revived(), "stale", s.staleResumptions(), "deletedByCause",
          s.deletedByCause(), "peakTable", accounts.peak(), "maxAssociations",
          setup.maxAssociations, "lateTickets", lateTickets.size(), "drainMs", drained / 1_000_000, "totalMs", churned / 1_000_000);

      assertThat(tally.failures()).as("client failures").isEmpty();
      // Every connection a client saw the server end was one a flush ended (its SA deleted).
      assertThat(tally.get("endedByServer") + tally.get("retries"))
          .as("connections the clients saw ended").isLessThanOrEqualTo(s.endedConnections());
      assertThat(tally.get("staleRetries")).as("resumptions refused as their SA was flushed")
          .isLessThanOrEqualTo(s.refusedByReason().get(RefusalReason.STALE));
      assertThat(bystander.failures()).as("bystander failures").isEmpty();
      assertThat(bystander.served()).isPositive();
      accounts.assertBalanced(s);
      assertThat(registry.associations()).isEmpty();
      // Every TCP connection the clients made was accepted and either completed its handshake or was
      // refused for resuming an SA that a flush deleted meanwhile.
      long connections = tally.get("connections") + bystander.connections();
      long refusedOpens = tally.get("staleRetries") + bystander.refusedOpens();
      assertThat(s.accepted()).isEqualTo(connections + refusedOpens);
      assertThat(s.handshakes() + s.refused()).isEqualTo(connections + refusedOpens);
      assertThat(s.handshakeFailures() + s.closedBeforeHandshake()).isZero();
      assertThat(s.refused()).isEqualTo(s.refusedByReason().get(RefusalReason.STALE));
      assertThat(s.reused()).as("resumptions").isPositive();
      assertThat(s.revived()).as("resumptions within the grace").isPositive();
      assertThat(s.deletedByCause().get(DeletionCause.LOGIN)).isPositive();
      assertThat(s.deletedByCause().get(DeletionCause.MANUAL)).isPositive();
      assertThat(s.deletedByCause().get(DeletionCause.GRACE_EXPIRED)).isPositive();
      assertThat(server.logins()).as("logins the container reported").isEqualTo(tally.get("logins"));
      assertThat(server.logouts()).as("logouts the container reported")
          .isEqualTo(tally.get("logouts"));
      assertThat(accounts.peak()).isLessThanOrEqualTo(setup.maxAssociations);
      // What the server's TLS cache still holds are TLS 1.3 tickets the JDK issued on a connection
      // after its SA was flushed (see JsseLateTicketTest in core): each belongs to a lineage Tether
      // tagged and deleted, and a client resumes it at most once, getting a new SA that cannot be
      // resumed. There cannot be more of them than SAs flushed.
      assertThat(lateTickets).allSatisfy(t -> {
        assertThat(t.getProtocol()).isEqualTo("TLSv1.3");
        assertThat(t.getValueNames()).anyMatch(n -> n.startsWith("dev.tether.association."));
      });
      assertThat((long) lateTickets.size()).isLessThanOrEqualTo(s.flushed());
    }
  }
}
