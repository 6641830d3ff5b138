package dev.tether.reliability;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import dev.tether.AssociationRegistry;
import dev.tether.AssociationStats;
import dev.tether.DeletionCause;
import dev.tether.RefusalReason;
import dev.tether.SaPolicy;
import dev.tether.SaPolicy.FlushScope;
import dev.tether.testing.LogCapture;
import java.io.IOException;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import java.util.function.LongSupplier;
import java.util.logging.Level;
import java.util.stream.Stream;
import javax.net.ssl.SSLContext;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.EnumSource;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * Floods: one peer opening connections as fast as it can, many peers each creating SAs and never
 * coming back, and storms of logins. Memory stays within the configured bounds (the SA table and
 * the server's TLS session cache), refusals are counted by reason and logged once per interval, and
 * the other peers keep being served.
 */
class FloodTest {
  private static final Duration LONG_GRACE = Duration.ofSeconds(60);
  private static final Duration LOG_INTERVAL = Duration.ofSeconds(1);

  @ParameterizedTest(name = "{0}")
  @EnumSource(Kind.class)
  void onePeerFlood_refusedAtItsBound_loggedPerEpisodeNotPerConnection_othersServed(Kind kind)
      throws Exception {
    int perPeer = 16;
    Accounts accounts = new Accounts();
    Setup setup = new Setup().grace(LONG_GRACE).maxAssociationsPerPeer(perPeer)
        .refusalLogInterval(LOG_INTERVAL).listener(accounts);
    Tally tally = new Tally();
    try (LogCapture log = new LogCapture(AssociationRegistry.class.getName());
        Container server = kind.start(setup);
        Bystander bystander = Bystander.start(server)) {
      AssociationRegistry registry = server.registry();
      String flooder = Peers.of(66).getHostAddress();
      Sampler peerTable = Sampler.every(10, () -> registry.associations().stream()
          .filter(sa -> sa.peer().equals(flooder)).count());
      // Other peers keep negotiating new SAs while the flood goes on, one each.
      ScheduledExecutorService other = Executors.newSingleThreadScheduledExecutor();
      AtomicLong otherPeer = new AtomicLong(70);
      other.scheduleWithFixedDelay(() -> fresh(server, (int) otherPeer.getAndIncrement(), tally,
          "other"), 0, 200, TimeUnit.MILLISECONDS);

      long floodStart = System.nanoTime();
      parallel(3, Duration.ofSeconds(4), () -> fresh(server, 66, tally, "flood"));
      long floodNanos = System.nanoTime() - floodStart;
      other.shutdown();
      assertThat(other.awaitTermination(30, TimeUnit.SECONDS)).isTrue();
      peerTable.close();
      await().atMost(Duration.ofSeconds(30)).until(() -> registry.stats().leases() <= 2);
      long tlsCache = server.serverSessions();
      long tableAfterFlood = registry.stats().associations();

      // The episode ends with the first SA granted after a quiet interval.
      await().atMost(Duration.ofSeconds(20)).pollInterval(Duration.ofMillis(300)).until(() -> {
        fresh(server, 68, tally, "after");
        return !log.lines(Level.INFO, "grants new SAs again").isEmpty();
      });
      AssociationStats s = registry.stats();
      long refused = s.refusedByReason().get(RefusalReason.MAX_PER_PEER);
      List<String> warnings = log.lines(Level.WARNING);
      Report.line("flood/one-peer " + kind, "floodMs", floodNanos / 1_000_000, "attempts",
          tally.get("flood.attempts"), "served", tally.get("flood.ok"), "refused", refused,
          "warnLines", warnings.size(), "peerPeak", peerTable.max(), "perPeerBound", perPeer,
          "tlsCacheSessions", tlsCache, "tableAfterFlood", tableAfterFlood, "otherPeerOk",
          tally.get("other.ok"), "otherPeerFailed", tally.get("other.failed"), "bystanderOk",
          bystander.served());

      assertThat(tally.get("flood.ok")).as("flood connections served").isEqualTo(perPeer);
      assertThat(refused).as("refusals").isEqualTo(tally.get("flood.failed")).isEqualTo(s.refused())
          .isGreaterThan(20);
      assertThat(peerTable.max()).as("SAs of the flooding peer").isLessThanOrEqualTo(perPeer);
      assertThat(tlsCache).as("sessions in the TLS cache").isLessThanOrEqualTo(tableAfterFlood);
      assertThat(log.lines(Level.WARNING, "is refusing new SAs")).hasSize(1);
      long summaries = log.lines(Level.WARNING, "more SAs in the last interval").size();
      assertThat(summaries).isBetween(1L, floodNanos / LOG_INTERVAL.toNanos() + 1);
      assertThat(warnings).hasSize((int) (1 + summaries));
      assertThat(log.lines(Level.INFO, "grants new SAs again; " + refused + " refused")).hasSize(1);
      assertThat(tally.get("other.failed") + tally.get("after.failed")).isZero();
      assertThat(tally.get("other.ok")).isPositive();
      assertThat(bystander.failures()).isEmpty();
      bystander.close();
      flushAllAndCheck(registry, accounts);
    }
  }

  @ParameterizedTest(name = "{0}")
  @EnumSource(Kind.class)
  void manyPeers_idleSasMakeRoom_allActiveRefused_tableNeverAboveBound(Kind kind)
      throws Exception {
    int bound = 40;
    Accounts accounts = new Accounts();
    Setup setup = new Setup().grace(LONG_GRACE).maxAssociations(bound)
        .refusalLogInterval(LOG_INTERVAL).listener(accounts);
    Tally tally = new Tally();
    try (LogCapture log = new LogCapture(AssociationRegistry.class.getName());
        Container server = kind.start(setup);
        Bystander bystander = Bystander.start(server)) {
      AssociationRegistry registry = server.registry();
      accounts.attach(registry);
      Sampler table = Sampler.every(10, () -> registry.stats().associations());
      Sampler tlsCache = Sampler.every(10, server::serverSessions);

      // Phase 1: 30 peers, 4 SAs each, never resumed: idle SAs make room for new ones.
      AtomicLong next = new AtomicLong();
      parallel(4, Duration.ofMinutes(2), () -> {
        long i = next.getAndIncrement();
        if (i >= 120) {
          return false;
        }
        fresh(server, 100 + (int) (i % 30), tally, "spread");
        return true;
      });
      AssociationStats afterSpread = registry.stats();

      // Phase 2: connections held open until every SA is active; then new peers are refused.
      List<Conn> held = new ArrayList<>();
      for (int p = 140; registry.stats().active() < bound && p < 200; p++) {
        Conn c = Conn.open(Certificates.client(), Peers.of(p), server.port(), "TLSv1.2");
        held.add(c);
        // Answered: the server has taken the connection's lease (a TLS 1.2 client finishes its
        // handshake before the server does).
        assertThat(c.get("/app/hello").status()).isEqualTo(200);
      }
      assertThat(registry.stats().active()).isEqualTo(bound);
      for (int p = 200; p < 210; p++) {
        fresh(server, p, tally, "full");
      }
      long bystanderNow = bystander.connections();
      await().atMost(Duration.ofSeconds(20)).until(() -> bystander.connections() > bystanderNow);
      for (Conn c : held) {
        c.close();
      }
      await().atMost(Duration.ofSeconds(20)).until(() -> registry.stats().active() <= 2);
      fresh(server, 210, tally, "room");
      table.close();
      tlsCache.close();

      AssociationStats s = registry.stats();
      Report.line("flood/many-peers " + kind, "bound", bound, "spreadConnections",
          tally.get("spread.ok"), "pressureDeletions", s.deletedByCause().get(DeletionCause.PRESSURE),
          "peakTable", Math.max(table.max(), accounts.peak()), "peakTlsCache", tlsCache.max(),
          "held", held.size(), "refusedWhenFull", s.refusedByReason().get(RefusalReason.MAX_ASSOCIATIONS),
          "bystanderOk", bystander.served());
      assertThat(tally.get("spread.failed")).as("refused while idle SAs could make room").isZero();
      assertThat(afterSpread.deletedByCause().get(DeletionCause.PRESSURE))
          .isGreaterThanOrEqualTo(120 - bound);
      assertThat(table.max()).isLessThanOrEqualTo(bound);
      assertThat(accounts.peak()).isLessThanOrEqualTo(bound);
      // The JDK caches a session when its handshake completes, before Tether sees it and makes room
      // (or refuses it): at most the handshakes in flight (four clients and the bystander) more.
      assertThat(tlsCache.max()).as("sessions in the TLS cache").isLessThanOrEqualTo(bound + 5);
      assertThat((long) server.serverSessions()).isLessThanOrEqualTo(registry.stats().associations());
      assertThat(tally.get("full.failed")).isEqualTo(10);
      assertThat(s.refusedByReason().get(RefusalReason.MAX_ASSOCIATIONS)).isEqualTo(10);
      assertThat(s.refused()).isEqualTo(10);
      assertThat(tally.get("room.ok")).as("served once an SA was idle again").isEqualTo(1);
      assertThat(log.lines(Level.WARNING, "is refusing new SAs")).hasSize(1);
      assertThat(bystander.failures()).isEmpty();
      bystander.close();
      flushAllAndCheck(registry, accounts);
    }
  }

  static Stream<Arguments> containersAndProtocols() {
    return Stream.of(Kind.values())
        .flatMap(k -> Stream.of(Arguments.of(k, "TLSv1.2"), Arguments.of(k, "TLSv1.3")));
  }

  @ParameterizedTest(name = "{0} {1}")
  @MethodSource("containersAndProtocols")
  void loginStorm_eachFlushBeforeItsResponse_bindingsBounded_othersServed(Kind kind,
      String protocol) throws Exception {
    int clients = 6;
    int rounds = 30;
    long maxBound = 4;
    Accounts accounts = new Accounts();
    Setup setup = new Setup().grace(LONG_GRACE).maxBoundPeers(maxBound).listener(accounts)
        .policy(SaPolicy.builder("storm").appliesTo("anonymous").onLogin(FlushScope.PEER)
            .onLogout(FlushScope.PEER).openConnections(SaPolicy.OpenConnections.KEEP).build());
    Tally tally = new Tally();
    try (Container server = kind.start(setup);
        Bystander bystander = Bystander.start(server)) {
      AssociationRegistry registry = server.registry();
      accounts.attach(registry);
      Sampler bindings = Sampler.every(5, () -> registry.policies().boundPeers());
      ExecutorService pool = Executors.newFixedThreadPool(clients);
      List<Future<?>> storm = new ArrayList<>();
      for (int i = 0; i < clients; i++) {
        int peer = 150 + i;
        storm.add(pool.submit(() -> {
          logins(server, peer, protocol, rounds, tally);
          return null;
        }));
      }
      for (Future<?> f : storm) {
        f.get(5, TimeUnit.MINUTES);
      }
      pool.shutdown();
      bindings.close();
      bystander.close();
      await().atMost(Duration.ofSeconds(30)).until(() -> registry.stats().leases() == 0);

      AssociationStats s = registry.stats();
      long logins = (long) clients * rounds;
      Report.line("flood/login-storm " + kind + " " + protocol, "logins", tally.get("logins"),
          "resumedFlushedTls12", tally.get("resumedFlushed"), "staleResumptions",
          s.staleResumptions(), "loginFlushes", s.deletedByCause().get(DeletionCause.LOGIN),
          "boundPeersPeak", bindings.max(), "maxBoundPeers", maxBound, "peakTable", accounts.peak());
      assertThat(tally.failures()).isEmpty();
      assertThat(tally.get("logins")).isEqualTo(logins);
      assertThat(tally.get("resumedFlushed")).as("connections that resumed a flushed SA").isZero();
      // TLS 1.3 too: Tether tags a new SA during its handshake, so no ticket leaves after the flush.
      assertThat(s.staleResumptions()).isZero();
      assertThat(server.logins()).isEqualTo(logins);
      assertThat(server.logouts()).isEqualTo(logins);
      // Each login found exactly its connection's SA; the logout after it had nothing left to flush.
      assertThat(s.deletedByCause().get(DeletionCause.LOGIN)).isEqualTo(logins);
      assertThat(s.deletedByCause().get(DeletionCause.LOGOUT)).isZero();
      assertThat(s.endedConnections()).as("kept open: open-connections = keep").isZero();
      assertThat(bindings.max()).isLessThanOrEqualTo(maxBound);
      assertThat(accounts.peak()).isLessThanOrEqualTo(clients + 1);
      assertThat(bystander.failures()).isEmpty();
      flushAllAndCheck(registry, accounts);
    }
  }

  /**
   * One storm client: on each round a new connection (offering the session of the last, which a
   * login flushed: it must not resume), a login, a logout, a close. The storm's policy keeps the
   * login's connection open ({@code open-connections = keep}) so that the logout travels on it.
   */
  private static void logins(Container server, int peer, String protocol, int rounds,
      Tally tally) {
    SSLContext context = Certificates.client();
    byte[] flushed = null;
    for (int i = 0; i < rounds; i++) {
      try (Conn c = Conn.open(context, Peers.of(peer), server.port(), protocol)) {
        // TLS 1.2 resumes with the session's own id; TLS 1.3 sessions get new ids, see the stats.
        if (flushed != null && Arrays.equals(flushed, c.session().getId())) {
          tally.add("resumedFlushed");
        }
        if (c.get("/app/login?u=alice&p=secret").status() != 200
            || c.get("/app/logout").status() != 200) {
          throw new IOException("login or logout refused");
        }
        tally.add("logins");
        flushed = c.session().getId();
      } catch (IOException | RuntimeException e) {
        tally.failed("login round", e);
      }
    }
  }

  /** One connection with a context of its own (so a full handshake), one request; counts how it went. */
  static void fresh(Container server, int peer, Tally tally, String what) {
    tally.add(what + ".attempts");
    try (Conn c = Conn.open(Certificates.client(), Peers.of(peer), server.port(), "TLSv1.2")) {
      if (c.get("/app/hello").status() != 200) {
        throw new IOException("not 200");
      }
      tally.add(what + ".ok");
    } catch (IOException e) {
      tally.add(what + ".failed");
    }
  }

  /** Runs {@code task} on {@code threads} threads until the duration is over. */
  private static void parallel(int threads, Duration duration, Runnable task) throws Exception {
    parallel(threads, duration, () -> {
      task.run();
      return true;
    });
  }

  /** Runs {@code task} on {@code threads} threads until it returns false or the duration is over. */
  private static void parallel(int threads, Duration duration, java.util.function.BooleanSupplier task)
      throws Exception {
    ExecutorService pool = Executors.newFixedThreadPool(threads);
    long deadline = System.nanoTime() + duration.toNanos();
    List<Future<?>> running = new ArrayList<>();
    for (int i = 0; i < threads; i++) {
      running.add(pool.submit(() -> {
        while (System.nanoTime() < deadline && task.getAsBoolean()) {
          // the task is the body
        }
      }));
    }
    try {
      for (Future<?> f : running) {
        f.get(duration.toSeconds() + 60, TimeUnit.SECONDS);
      }
    } finally {
      pool.shutdownNow();
    }
  }

  /** Flushes what is left (the long grace keeps it), then checks the books balance. */
  private static void flushAllAndCheck(AssociationRegistry registry, Accounts accounts) {
    await().atMost(Duration.ofSeconds(30)).until(() -> registry.stats().leases() == 0);
    registry.flushAll(DeletionCause.MANUAL);
    assertThat(registry.associations()).isEmpty();
    accounts.assertBalanced(registry.stats());
  }

  /** Samples a value on its own thread every few milliseconds and keeps the largest. */
  static final class Sampler implements AutoCloseable {
    private final ScheduledExecutorService thread = Executors.newSingleThreadScheduledExecutor();
    private final AtomicLong max = new AtomicLong();

    static Sampler every(long millis, LongSupplier value) {
      Sampler s = new Sampler();
      s.thread.scheduleAtFixedRate(() -> s.max.accumulateAndGet(value.getAsLong(), Math::max), 0,
          millis, TimeUnit.MILLISECONDS);
      return s;
    }

    long max() {
      return max.get();
    }

    @Override
    public void close() throws InterruptedException {
      thread.shutdown();
      thread.awaitTermination(10, TimeUnit.SECONDS);
    }
  }
}
