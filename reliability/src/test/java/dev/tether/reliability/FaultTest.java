package dev.tether.reliability;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.awaitility.Awaitility.await;

import dev.tether.AssociationDriver;
import dev.tether.AssociationListener;
import dev.tether.AssociationRegistry;
import dev.tether.AssociationStats;
import dev.tether.DeletionCause;
import dev.tether.RefusalReason;
import dev.tether.SecurityAssociation;
import dev.tether.testing.LogCapture;
import java.net.Socket;
import java.time.Duration;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.concurrent.atomic.AtomicLong;
import java.util.logging.Level;
import javax.net.ssl.SSLException;
import javax.net.ssl.SSLSession;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;

/**
 * Faults inside and around Tether: a listener that always throws, a driver whose deletes fail,
 * handshakes that fail, clients that reset in the middle of a request or handshake, idle timeouts.
 * None leaks a lease, leaves an SA behind its grace or breaks another client's connections. (A
 * server restart under load is in {@link RestartTest}.)
 */
class FaultTest {
  private static final Duration GRACE = Duration.ofMillis(300);

  @ParameterizedTest(name = "{0}")
  @EnumSource(Kind.class)
  void failingListenerAndDriver_loggedOnce_registryStaysConsistent_othersServed(Kind kind)
      throws Exception {
    Accounts accounts = new Accounts();
    FlakyDriver flaky = new FlakyDriver();
    Setup setup = new Setup().grace(GRACE).listener(new BrokenListener()).listener(accounts)
        .driver(flaky::wrap);
    Tally tally = new Tally();
    try (LogCapture log = new LogCapture(AssociationRegistry.class.getName());
        Container server = kind.start(setup);
        Bystander bystander = Bystander.start(server)) {
      AssociationRegistry registry = server.registry();
      Churn.run(server, 4, Duration.ofSeconds(6), tally);
      bystander.close();
      awaitQuiet(registry);

      AssociationStats s = registry.stats();
      Report.line("faults/listener+driver " + kind, "connections", tally.get("connections"),
          "failedDeletes", flaky.failed.get(), "deletes", flaky.calls.get(), "stale",
          s.staleResumptions(), "sessionsLeftInTlsCache", server.serverSessions(), "stats", s);
      // A failed delete leaves its session resumable: a client that resumes it gets a new SA.
      assertThat(tally.failures()).isEmpty();
      assertThat(tally.get("endedByServer") + tally.get("retries"))
          .as("connections the clients saw ended").isLessThanOrEqualTo(s.endedConnections());
      assertThat(tally.get("staleRetries")).as("resumptions refused as their SA was flushed")
          .isLessThanOrEqualTo(s.refusedByReason().get(RefusalReason.STALE));
      assertThat(bystander.failures()).isEmpty();
      accounts.assertBalanced(s);
      assertThat(flaky.failed.get()).as("deletes that threw").isGreaterThan(1);
      assertThat(log.lines(Level.WARNING, "Tether listener broken-listener threw")).hasSize(1);
      assertThat(log.lines(Level.WARNING, "Tether driver flaky-driver failed to delete")).hasSize(1);
    }
  }

  @ParameterizedTest(name = "{0}")
  @EnumSource(Kind.class)
  void failedHandshakesResetsAndIdleTimeouts_leaveNoLeaseOrSa_othersServed(Kind kind)
      throws Exception {
    Accounts accounts = new Accounts();
    Setup setup = new Setup().grace(GRACE).idleTimeout(500).listener(accounts);
    try (Container server = kind.start(setup);
        Bystander bystander = Bystander.start(server)) {
      AssociationRegistry registry = server.registry();
      int port = server.port();
      int n = 3;
      Map<String, String> endings = new LinkedHashMap<>();
      // The client rejects the certificate: a client alert ends the handshake.
      endings.put("clientAlert", ending(registry, n, () -> assertThatThrownBy(() ->
          Conn.open(Certificates.distrusting(), Peers.of(20), port, "TLSv1.3"))
          .isInstanceOf(SSLException.class)));
      endings.put("silentIdle", ending(registry, n, () -> {
        try (Socket silent = Conn.tcp(Peers.of(22), port)) {
          assertThat(Conn.closesSoon(silent)).as("closed by the idle timeout").isTrue();
        }
      }));
      endings.put("partialRecordIdle", ending(registry, n, () -> {
        try (Socket partial = Conn.tcp(Peers.of(22), port)) {
          partial.getOutputStream().write(RawTls.truncatedRecord(1));
          assertThat(Conn.closesSoon(partial)).as("closed by the idle timeout").isTrue();
        }
      }));
      endings.put("resetBeforeHello", ending(registry, n, () -> {
        Socket early = Conn.tcp(Peers.of(23), port);
        early.setSoLinger(true, 0);
        early.close();
      }));
      endings.put("resetAfterServerHello", ending(registry, n, () -> {
        try (Socket midway = Conn.tcp(Peers.of(23), port)) {
          midway.getOutputStream().write(RawTls.clientHello(0, 0));
          assertThat(RawTls.readRecordStart(midway.getInputStream()))
              .containsExactly(RawTls.HANDSHAKE, RawTls.SERVER_HELLO);
          midway.setSoLinger(true, 0);
        }
      }));
      for (int i = 0; i < n; i++) {
        try (Conn c = Conn.open(Certificates.client(), Peers.of(21), port, "TLSv1.3")) {
          c.send("GET", "/app/big?kb=4096", 0);
          c.readSome(4096);
          c.reset(); // while the server writes
        }
        try (Conn c = Conn.open(Certificates.client(), Peers.of(21), port, "TLSv1.2")) {
          c.send("POST", "/app/upload", 4 << 20);
          c.write(64 * 1024);
          c.reset(); // while the server reads
        }
        try (Conn idle = Conn.open(Certificates.client(), Peers.of(24), port, "TLSv1.3")) {
          assertThat(idle.get("/app/hello").status()).isEqualTo(200);
          assertThat(idle.closedByServer()).as("closed by the idle timeout").isTrue();
        }
      }
      bystander.close();
      awaitQuiet(registry);

      AssociationStats s = registry.stats();
      Report.line("faults/failures " + kind, "endings (handshakeFailures/closedBeforeHandshake)",
          endings, "stats", s);
      assertThat(bystander.failures()).isEmpty();
      accounts.assertBalanced(s);
      // Both containers count an alert as a failed handshake and a silent client as a close.
      assertThat(endings).containsEntry("clientAlert", n + "/0").containsEntry("silentIdle", "0/" + n);
      assertThat(s.handshakeFailures() + s.closedBeforeHandshake()).isEqualTo(5L * n);
      assertThat(s.handshakes()).as("writes, reads, idle and the bystander's")
          .isEqualTo(3L * n + bystander.connections());
    }
  }

  /**
   * Runs {@code n} connections that end before their handshake completes and returns how the
   * registry counted them, as "failedHandshakes/closedBeforeHandshake".
   */
  private static String ending(AssociationRegistry registry, int n, ThrowingRunnable connection)
      throws Exception {
    AssociationStats before = registry.stats();
    for (int i = 0; i < n; i++) {
      connection.run();
    }
    await().atMost(Duration.ofSeconds(20)).until(() -> {
      AssociationStats now = registry.stats();
      return now.handshakeFailures() + now.closedBeforeHandshake()
          - before.handshakeFailures() - before.closedBeforeHandshake() == n;
    });
    AssociationStats after = registry.stats();
    return (after.handshakeFailures() - before.handshakeFailures()) + "/"
        + (after.closedBeforeHandshake() - before.closedBeforeHandshake());
  }

  /** A client action that may throw. */
  private interface ThrowingRunnable {
    void run() throws Exception;
  }

  /** Waits until no lease is open and the last grace period has passed. */
  static void awaitQuiet(AssociationRegistry registry) {
    await("every lease released").atMost(Duration.ofSeconds(30))
        .until(() -> registry.stats().leases() == 0);
    // The table's gauge drops before the deletion has invalidated the SA's sessions and counted
    // itself: wait for the count, so that no session of a deleted SA is still cached.
    await("every SA deleted").atMost(Duration.ofSeconds(15))
        .until(() -> registry.stats().associations() == 0
            && registry.stats().deleted() == registry.stats().negotiated());
  }

  /** A listener that throws on every event. */
  static final class BrokenListener implements AssociationListener {
    @Override
    public void onNegotiated(SecurityAssociation sa) {
      throw new IllegalStateException("listener failure on negotiated");
    }

    @Override
    public void onReused(SecurityAssociation sa) {
      throw new IllegalStateException("listener failure on reused");
    }

    @Override
    public void onReleased(SecurityAssociation sa) {
      throw new IllegalStateException("listener failure on released");
    }

    @Override
    public void onDeleted(SecurityAssociation sa, DeletionCause cause) {
      throw new IllegalStateException("listener failure on deleted");
    }

    @Override
    public String toString() {
      return "broken-listener";
    }
  }

  /** Wraps the JSSE driver; every other delete throws instead of invalidating the session. */
  static final class FlakyDriver {
    final AtomicLong calls = new AtomicLong();
    final AtomicLong failed = new AtomicLong();

    AssociationDriver wrap(AssociationDriver jsse) {
      return new AssociationDriver() {
        @Override
        public Object tag(SSLSession session, String key) {
          return jsse.tag(session, key);
        }

        @Override
        public void bind(SSLSession session, String key, Object tag) {
          jsse.bind(session, key, tag);
        }

        @Override
        public void delete(SSLSession session) {
          if (calls.incrementAndGet() % 2 == 0) {
            failed.incrementAndGet();
            throw new IllegalStateException("driver failure on delete");
          }
          jsse.delete(session);
        }

        @Override
        public boolean canResume(SSLSession session) {
          return jsse.canResume(session);
        }

        @Override
        public String toString() {
          return "flaky-driver";
        }
      };
    }
  }
}
