package dev.tether.reliability;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import dev.tether.AssociationRegistry;
import dev.tether.AssociationStats;
import dev.tether.DeletionCause;
import dev.tether.RefusalReason;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Arrays;
import java.util.List;
import java.util.Locale;
import javax.net.ssl.SSLSession;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * The churn soak: many clients opening, resuming, using and closing TLS connections, HTTP/1.1 and
 * HTTP/2 (bursts of streams at once on one connection), logging in and out, while SAs are flushed
 * under them and their grace periods run out, next to a listener that throws on every event and a
 * driver whose session deletes fail now and then. Every
 * {@code tether.soak.restart-every} client connections the clients stop, the server drains and restarts with
 * a new registry: a leg. At the end of each leg, once the last grace period has passed, nothing is
 * left and every count adds up; at the end of the soak, heap and file descriptors are back where they
 * started, within {@value #HEAP_MARGIN_MIB} MiB and {@value #FD_MARGIN} descriptors.
 *
 * <p>It runs {@code tether.soak.seconds} per container (25 s by default; {@code -Psoak} makes it ten
 * minutes), or {@code tether.soak.connections} connections when set (then without a time limit).
 * Every {@code tether.soak.sample-seconds} it samples SAs, leases, the TLS session cache, heap,
 * threads, descriptors and connections per second into {@code target/reliability/soak-KIND.csv} and
 * {@code soak-KIND.png}.
 */
class ChurnSoakTest {
  private static final long CONNECTIONS = Long.getLong("tether.soak.connections", 0);
  private static final Duration DURATION = CONNECTIONS > 0 ? Duration.ofDays(7)
      : Duration.ofSeconds(Long.getLong("tether.soak.seconds", 25));
  private static final long RESTART_EVERY = Long.getLong("tether.soak.restart-every", 1_000);
  private static final Duration SAMPLE_EVERY =
      Duration.ofSeconds(Long.getLong("tether.soak.sample-seconds", 2));
  private static final Duration MIN_LEG = Duration.ofSeconds(5);
  private static final int CLIENTS = Integer.getInteger("tether.soak.clients", 8);
  private static final Duration GRACE = Duration.ofSeconds(1);
  /** One session delete in this many fails (the driver throws instead). */
  private static final int FAILED_DELETE_EVERY = 500;
  static final int HEAP_MARGIN_MIB = 64;
  static final int FD_MARGIN = 32;

  /** The containers to soak ({@code tether.soak.containers}: {@code jetty,tomcat} by default). */
  static List<Kind> containers() {
    String names = System.getProperty("tether.soak.containers", "jetty,tomcat");
    return Arrays.stream(names.split(",")).map(String::trim).filter(n -> !n.isEmpty())
        .map(n -> Kind.valueOf(n.toUpperCase(Locale.ROOT))).toList();
  }

  @ParameterizedTest(name = "{0}")
  @MethodSource("containers")
  void churn_connectionsLoginsAndFlushes_endWithNoSaAndCountsThatAddUp(Kind kind) throws Exception {
    FaultTest.FlakyDriver faulty = new FaultTest.FlakyDriver(FAILED_DELETE_EVERY);
    Setup setup = new Setup().grace(GRACE).listener(new FaultTest.BrokenListener())
        .driver(faulty::wrap);
    long started = System.nanoTime();
    long deadline = started + DURATION.toNanos();
    long target = CONNECTIONS > 0 ? CONNECTIONS : Long.MAX_VALUE;
    Progress progress = new Progress();
    try (Container server = kind.start(setup)) {
      int fdsBefore = (int) SoakSampler.fileDescriptors();
      double heapBefore = SoakSampler.heapAfterFullGcMiB();
      Path reports = Path.of(System.getProperty("tether.reliability.report", "target/reliability"));
      String name = "soak-" + kind.name().toLowerCase(Locale.ROOT);
      try (SoakSampler sampler = SoakSampler.start(server, progress::connections, SAMPLE_EVERY)) {
        Totals totals = legs(kind, server, setup, faulty, progress, target, deadline, sampler,
            reports, name);
        Path csv = reports.resolve(name + ".csv");
        int fdsAfter = (int) SoakSampler.fileDescriptors();
        double heapAfter = SoakSampler.heapAfterFullGcMiB();
        Report.line("soak " + kind, "connections", progress.done(), "h2Connections",
            totals.h2Connections, "h2Streams", totals.h2Streams, "legs", totals.legs, "seconds",
            (System.nanoTime() - started) / 1_000_000_000, "failedDeletes", faulty.failed.get(),
            "heapMiBBefore", Math.round(heapBefore), "heapMiBAfter", Math.round(heapAfter),
            "fdsBefore", fdsBefore, "fdsAfter", fdsAfter, "samples", csv);
        assertThat(totals.reused).as("resumptions").isPositive();
        assertThat(totals.revived).as("resumptions within the grace").isPositive();
        assertThat(totals.h2Connections).as("HTTP/2 connections").isPositive();
        assertThat(totals.h2Streams).as("HTTP/2 streams").isGreaterThan(totals.h2Connections);
        for (DeletionCause c : List.of(DeletionCause.LOGIN, DeletionCause.MANUAL,
            DeletionCause.GRACE_EXPIRED)) {
          assertThat(totals.deletedBy[c.ordinal()]).as("deleted by " + c).isPositive();
        }
        assertThat(heapAfter).as("heap after a full collection, MiB")
            .isLessThanOrEqualTo(heapBefore + HEAP_MARGIN_MIB);
        assertThat(fdsAfter).as("open file descriptors").isLessThanOrEqualTo(fdsBefore + FD_MARGIN);
        assertThat(sampler.samples()).as("samples").hasSizeGreaterThan(2)
            .allSatisfy(s -> assertThat(s.leases()).isNotNegative());
      }
    }
  }

  /**
   * Runs legs, a restart between two, until the soak has its connections or no leg would have
   * {@link #MIN_LEG} left before the deadline. The samples and their plot are rewritten after every
   * leg, so that a long run can be read while it goes on, and at the end whether or not it passed: a
   * failed run's samples are the ones most worth reading.
   */
  private static Totals legs(Kind kind, Container server, Setup setup,
      FaultTest.FlakyDriver faulty, Progress progress, long target, long deadline,
      SoakSampler sampler, Path reports, String name) throws Exception {
    Totals totals = new Totals();
    boolean completed = false;
    try {
      while (progress.done() < target && deadline - System.nanoTime() > MIN_LEG.toNanos()) {
        if (totals.legs > 0) {
          server.restart();
        }
        totals.legs++;
        long connections = Math.min(RESTART_EVERY, target - progress.done());
        Tally tally = progress.startLeg();
        Leg leg = leg(kind, totals.legs, server, setup, faulty, tally, connections,
            Duration.ofNanos(deadline - System.nanoTime()));
        progress.endLeg();
        totals.add(tally, leg);
        sampler.write(reports, name, "Churn soak, " + kind + ": " + progress.done()
            + " connections, " + totals.legs + " legs so far");
      }
      completed = true;
      return totals;
    } finally {
      sampler.close();
      sampler.write(reports, name, "Churn soak, " + kind + ": " + progress.connections()
          + " connections, " + totals.legs + " legs" + (completed ? "" : ", FAILED in the last"));
    }
  }

  /**
   * The client connections of the legs done and of the leg under way, which the sampler reads from
   * its own thread.
   */
  private static final class Progress {
    private long done;
    private Tally live = new Tally();

    synchronized long connections() {
      return done + live.get("connections");
    }

    synchronized long done() {
      return done;
    }

    synchronized Tally startLeg() {
      live = new Tally();
      return live;
    }

    synchronized void endLeg() {
      done += live.get("connections");
      live = new Tally();
    }
  }

  /** What the legs did, summed (on the test's thread). */
  private static final class Totals {
    int legs;
    long reused;
    long revived;
    long h2Connections;
    long h2Streams;
    final long[] deletedBy = new long[DeletionCause.values().length];

    void add(Tally tally, Leg leg) {
      h2Connections += tally.get("h2Connections");
      h2Streams += tally.get("h2Streams");
      reused += leg.stats().reused();
      revived += leg.stats().revived();
      leg.stats().deletedByCause().forEach((c, n) -> deletedBy[c.ordinal()] += n);
    }
  }

  /**
   * Runs one leg on the server's current registry: clients churn until they opened {@code
   * connections} or {@code duration} passed, then everything drains and the registry's books must
   * balance.
   */
  private static Leg leg(Kind kind, int leg, Container server, Setup setup, FaultTest.FlakyDriver faulty,
      Tally tally, long connections, Duration duration) throws Exception {
    Accounts accounts = new Accounts();
    AssociationRegistry registry = server.registry();
    registry.addListener(accounts);
    accounts.attach(registry);
    long loginsBefore = server.logins();
    long logoutsBefore = server.logouts();
    long failedBefore = faulty.failed.get();
    long started = System.nanoTime();
    try (Bystander bystander = Bystander.start(server)) {
      Churn.run(server, CLIENTS, duration, connections, tally);
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
      Report.line("churn " + kind + " leg " + leg, "seconds", churned / 1_000_000_000, "clients",
          CLIENTS + 1, "clientConnections", tally.get("connections"), "h2Connections",
          tally.get("h2Connections"), "h2Streams", tally.get("h2Streams"), "retries",
          tally.get("retries"), "staleRetries", tally.get("staleRetries"), "bystanderConnections",
          bystander.connections(), "bystanderRequests", bystander.served(), "requests",
          tally.get("requests"), "logins", tally.get("logins"), "logouts", tally.get("logouts"),
          "flushes", tally.get("flushes"), "flushedSas", tally.get("flushedSas"), "resets",
          tally.get("resets"), "accepted", s.accepted(), "negotiated", s.negotiated(), "reused",
          s.reused(), "revived", s.revived(), "stale", s.staleResumptions(), "deletedByCause",
          s.deletedByCause(), "peakTable", accounts.peak(), "maxAssociations",
          setup.maxAssociations, "failedDeletes", faulty.failed.get() - failedBefore,
          "lateTickets", lateTickets.size(), "drainMs", drained / 1_000_000, "totalMs",
          churned / 1_000_000);

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
      long opened = tally.get("connections") + bystander.connections();
      long refusedOpens = tally.get("staleRetries") + bystander.refusedOpens();
      assertThat(s.accepted()).isEqualTo(opened + refusedOpens);
      assertThat(s.handshakes() + s.refused()).isEqualTo(opened + refusedOpens);
      assertThat(s.handshakeFailures() + s.closedBeforeHandshake()).isZero();
      assertThat(s.refused()).isEqualTo(s.refusedByReason().get(RefusalReason.STALE));
      assertThat(server.logins() - loginsBefore).as("logins the container reported")
          .isEqualTo(tally.get("logins"));
      assertThat(server.logouts() - logoutsBefore).as("logouts the container reported")
          .isEqualTo(tally.get("logouts"));
      assertThat(accounts.peak()).isLessThanOrEqualTo(setup.maxAssociations);
      // What the server's TLS cache still holds belongs to Tether: sessions whose delete the driver
      // failed (served, unflushed, until the JDK's own timeout) and TLS 1.3 tickets the JDK issued on
      // a connection after its SA was flushed (see JsseLateTicketTest in core), each of a lineage
      // Tether tagged and deleted, which a client resumes at most once, getting a new SA that cannot
      // be resumed. There cannot be more of the latter than SAs flushed.
      assertThat(lateTickets).allSatisfy(t ->
          assertThat(t.getValueNames()).anyMatch(n -> n.startsWith("dev.tether.association.")));
      List<SSLSession> late = lateTickets.stream().filter(t -> !faulty.kept(t)).toList();
      assertThat(late).as(() -> "sessions left in the server's cache: " + late.stream()
          .map(ChurnSoakTest::describe).toList())
          .allSatisfy(t -> assertThat(t.getProtocol()).isEqualTo("TLSv1.3"));
      assertThat((long) late.size()).isLessThanOrEqualTo(s.flushed());
      return new Leg(s);
    } finally {
      registry.removeListener(accounts);
    }
  }

  /** A session of the server's cache as a failure names it: protocol, validity, Tether's tags. */
  private static String describe(SSLSession s) {
    return s + " " + s.getProtocol() + (s.isValid() ? " valid" : " invalidated") + " "
        + Arrays.stream(s.getValueNames()).filter(n -> n.startsWith("dev.tether."))
            .map(n -> n + "=" + s.getValue(n)).toList();
  }

  /** What a leg did: its registry's counters. */
  private record Leg(AssociationStats stats) {}
}
