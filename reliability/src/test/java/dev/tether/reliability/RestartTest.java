package dev.tether.reliability;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import dev.tether.AssociationRegistry;
import dev.tether.DeletionCause;
import java.io.IOException;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import javax.net.ssl.SSLContext;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;

/**
 * A server stopped and started again while clients keep connecting: the stop closes every
 * connection and the registry of that run, which ends with no lease and no SA and counts that add
 * up; the restarted server has a new registry and serves the same clients, the bystander included.
 */
class RestartTest {
  private static final int LOAD_CLIENTS = 4;

  @ParameterizedTest(name = "{0}")
  @EnumSource(Kind.class)
  void restartUnderLoad_oldRegistryClosedWithNothingLeft_newRegistryServes(Kind kind)
      throws Exception {
    Setup setup = new Setup().grace(Duration.ofMillis(300));
    Tally tally = new Tally();
    CountDownLatch restarted = new CountDownLatch(1);
    try (Container server = kind.start(setup);
        Bystander bystander = Bystander.start(server)) {
      AssociationRegistry old = server.registry();
      ExecutorService load = Executors.newFixedThreadPool(LOAD_CLIENTS);
      List<Future<?>> clients = new ArrayList<>();
      for (int i = 0; i < LOAD_CLIENTS; i++) {
        int peer = 30 + i;
        clients.add(load.submit(() -> load(server, peer, restarted, tally)));
      }
      await().atMost(Duration.ofSeconds(60)).until(() -> old.stats().handshakes() >= 40);

      long begin = System.nanoTime();
      server.restart();
      long end = System.nanoTime();
      restarted.countDown();
      AssociationRegistry fresh = server.registry();

      assertThat(fresh).isNotSameAs(old);
      assertThat(old.isClosed()).isTrue();
      FaultTest.awaitQuiet(old);
      // A connection accepted as the stop began, still in its handshake, holds no lease: the stop
      // closes it, and its close is counted a moment later.
      await("every accepted connection of the old run ended").atMost(Duration.ofSeconds(30))
          .untilAsserted(() -> Accounts.assertBalancedCounters(old.stats()));
      long servedBefore = bystander.served();
      await().atMost(Duration.ofSeconds(60))
          .until(() -> fresh.stats().handshakes() >= 40 && bystander.served() > servedBefore + 10);
      load.shutdownNow();
      for (Future<?> f : clients) {
        f.get(60, TimeUnit.SECONDS);
      }
      bystander.close();
      FaultTest.awaitQuiet(fresh);

      Report.line("restart " + kind, "restartMs", (end - begin) / 1_000_000, "loadConnections",
          tally.get("connections"), "loadFailures", tally.get("failures"), "bystanderFailures",
          bystander.failures().size(), "old", old.stats(), "new", fresh.stats());
      await("every accepted connection of the new run ended").atMost(Duration.ofSeconds(30))
          .untilAsserted(() -> Accounts.assertBalancedCounters(fresh.stats()));
      assertThat(old.stats().deletedByCause().get(DeletionCause.SHUTDOWN)
          + old.stats().deletedByCause().get(DeletionCause.GRACE_EXPIRED)
          + old.stats().deletedByCause().get(DeletionCause.LAST_CLOSE))
          .isEqualTo(old.stats().deleted());
      assertThat(fresh.stats().handshakes()).isPositive();
      // The bystander failed only while the server was down, or on the connection the stop closed.
      long settled = end + Duration.ofSeconds(2).toNanos();
      assertThat(bystander.failures()).allSatisfy(f -> assertThat(f.nanos())
          .as(f.what()).isBetween(begin, settled));
    }
  }

  /** Connects, asks, closes, again and again; after a failure it waits for the restart to be done. */
  private static void load(Container server, int peer, CountDownLatch restarted, Tally tally) {
    SSLContext context = Certificates.client();
    String protocol = peer % 2 == 0 ? "TLSv1.3" : "TLSv1.2";
    while (!Thread.currentThread().isInterrupted()) {
      try (Conn c = Conn.open(context, Peers.of(peer), server.port(), protocol)) {
        tally.add("connections");
        if (c.get("/app/hello").status() != 200) {
          throw new IOException("not 200");
        }
      } catch (IOException e) {
        tally.add("failures");
        try {
          restarted.await(30, TimeUnit.SECONDS);
        } catch (InterruptedException stop) {
          return;
        }
      }
    }
  }
}
