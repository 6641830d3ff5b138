package dev.tether.jetty;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import com.github.benmanes.caffeine.cache.Scheduler;
import dev.tether.AssociationRegistry;
import dev.tether.AssociationStats;
import dev.tether.DeletionCause;
import dev.tether.SecurityAssociation;
import dev.tether.testing.FakeTicker;
import dev.tether.testing.OpenSslClient;
import dev.tether.testing.OpenSslClient.Handshake;
import dev.tether.testing.OpenSslClient.Held;
import dev.tether.testing.OpenSslClient.Result;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Collections;
import java.util.List;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;

/**
 * The patent's flow on a real Jetty with real clients: a resumed connection shares its SA, the last
 * close deletes it (at once or after the grace), and a deleted SA can no longer be resumed. Grace
 * periods pass on a fake ticker.
 */
@SuppressWarnings("try") // connections held open for the length of a try block
class JettyTetherResumptionTest {
  private static final Duration GRACE = Duration.ofSeconds(30);

  private final FakeTicker ticker = new FakeTicker();
  private TestServer server;
  private AssociationRegistry registry;
  @TempDir
  Path dir;

  private void start(TlsCombo combo, Duration grace) throws Exception {
    registry = AssociationRegistry.builder().name("resumption").grace(grace).ticker(ticker)
        .scheduler(Scheduler.disabledScheduler()).build();
    server = new TestServer();
    JettyTether tether = JettyTether.addToAllConnectors(server.server, registry);
    tether.setProvider(combo.provider.settingValue());
    server.start();
  }

  @AfterEach
  void stop() throws Exception {
    if (server != null) {
      server.close();
    }
    if (registry != null) {
      registry.close();
    }
  }

  private OpenSslClient openssl(TlsCombo combo) throws Exception {
    return new OpenSslClient(server.port(), combo.protocol, TestServer.pem());
  }

  private void awaitNoLeases() {
    await().untilAsserted(() -> assertThat(registry.stats().leases()).isZero());
  }

  private SecurityAssociation onlyAssociation() {
    List<SecurityAssociation> all = registry.associations();
    assertThat(all).hasSize(1);
    return all.get(0);
  }

  @ParameterizedTest(name = "{0}")
  @EnumSource(names = {"JDK_TLS12", "JDK_TLS13", "BCJSSE_TLS12"})
  void openssl_resumedConnection_sharesSa_graceZero_deletesOnLastClose(TlsCombo combo)
      throws Exception {
    start(combo, Duration.ZERO);
    OpenSslClient openssl = openssl(combo);
    Path first = dir.resolve("first.pem");
    Path second = dir.resolve("second.pem");

    try (Held a = openssl.open(null, first); Held b = openssl.open(first, second)) {
      assertThat(a.result().handshake()).as(a.output()).isEqualTo(Handshake.NEW);
      assertThat(b.result().handshake()).as(b.output()).isEqualTo(Handshake.REUSED);
      await().untilAsserted(() -> assertThat(registry.stats().leases()).isEqualTo(2));
      SecurityAssociation sa = onlyAssociation();
      assertThat(sa.references()).isEqualTo(2);
      assertThat(sa.reuses()).isEqualTo(1);
      assertThat(sa.protocol()).isEqualTo(combo.protocol);
      AssociationStats stats = registry.stats();
      assertThat(stats.negotiated()).isEqualTo(1);
      assertThat(stats.reused()).isEqualTo(1);
    }
    awaitNoLeases();
    assertThat(registry.associations()).isEmpty();
    assertThat(registry.stats().deletedByCause()).containsEntry(DeletionCause.LAST_CLOSE, 1L);

    Result third = openssl.request(second, null);
    assertThat(third.handshake()).as(third.output()).isEqualTo(Handshake.NEW);
    awaitNoLeases();
    assertThat(registry.stats().negotiated()).isEqualTo(2);
    assertThat(registry.stats().reused()).isEqualTo(1);
    assertThat(registry.stats().handshakeFailures()).isZero();
  }

  @ParameterizedTest(name = "{0}")
  @EnumSource(names = {"JDK_TLS12", "JDK_TLS13", "BCJSSE_TLS12"})
  void openssl_reconnectWithinGrace_reusesSa_afterGrace_deletedAndNotResumable(TlsCombo combo)
      throws Exception {
    start(combo, GRACE);
    OpenSslClient openssl = openssl(combo);
    Path first = dir.resolve("first.pem");
    Path second = dir.resolve("second.pem");

    Result a = openssl.request(null, first);
    assertThat(a.handshake()).as(a.output()).isEqualTo(Handshake.NEW);
    awaitNoLeases();
    assertThat(onlyAssociation().state()).isEqualTo(SecurityAssociation.State.IDLE);

    ticker.advance(GRACE.minusSeconds(1));
    Result b = openssl.request(first, second);
    assertThat(b.handshake()).as(b.output()).isEqualTo(Handshake.REUSED);
    awaitNoLeases();
    SecurityAssociation sa = onlyAssociation();
    assertThat(sa.reuses()).isEqualTo(1);
    assertThat(sa.state()).isEqualTo(SecurityAssociation.State.IDLE);

    ticker.advance(GRACE.plusSeconds(1));
    registry.cleanUp();
    assertThat(registry.associations()).isEmpty();
    assertThat(registry.stats().deletedByCause()).containsEntry(DeletionCause.GRACE_EXPIRED, 1L);

    Result c = openssl.request(second, null);
    assertThat(c.handshake()).as(c.output()).isEqualTo(Handshake.NEW);
    awaitNoLeases();
    assertThat(registry.stats().negotiated()).isEqualTo(2);
    assertThat(registry.stats().reused()).isEqualTo(1);
  }

  @ParameterizedTest(name = "{0}")
  @EnumSource(names = {"JDK_TLS12", "BCJSSE_TLS12"})
  void opensslReconnect_withGrace_oneSaReusedFiveTimes(TlsCombo combo) throws Exception {
    start(combo, GRACE);
    Result r = openssl(combo).reconnect();
    assertThat(r.handshakes()).as(r.output())
        .containsExactly(Handshake.NEW, Handshake.REUSED, Handshake.REUSED, Handshake.REUSED,
            Handshake.REUSED, Handshake.REUSED);
    awaitNoLeases();
    assertThat(onlyAssociation().reuses()).isEqualTo(5);
    assertThat(registry.stats().negotiated()).isEqualTo(1);
    assertThat(registry.stats().reused()).isEqualTo(5);
  }

  @ParameterizedTest(name = "{0}")
  @EnumSource(names = {"JDK_TLS12", "BCJSSE_TLS12"})
  void opensslReconnect_graceZero_serverCountsEveryClientHandshake_leavesNoSa(TlsCombo combo)
      throws Exception {
    start(combo, Duration.ZERO);
    Result r = openssl(combo).reconnect();
    // s_client reconnects at once, so the server may see a reconnection before the close of the
    // connection before it: the TLS layer resumes, then the SA either is still held (reused) or was
    // deleted meanwhile (a stale resumption: a new SA that cannot be resumed).
    assertThat(r.handshakes()).as(r.output()).hasSize(6).startsWith(Handshake.NEW);
    long news = r.handshakes().stream().filter(h -> h == Handshake.NEW).count();
    awaitNoLeases();
    AssociationStats stats = registry.stats();
    assertThat(registry.associations()).isEmpty();
    assertThat(stats.negotiated() - stats.staleResumptions()).as(r.lines() + " " + stats)
        .isEqualTo(news);
    assertThat(stats.reused() + stats.staleResumptions()).as(r.lines() + " " + stats)
        .isEqualTo(6 - news);
    assertThat(stats.deleted()).isEqualTo(stats.negotiated());
  }

  @ParameterizedTest(name = "{0}")
  @EnumSource(names = "BCJSSE_TLS13")
  void bcjsseTls13_eachConnection_isItsOwnSa(TlsCombo combo) throws Exception {
    start(combo, GRACE);
    OpenSslClient openssl = openssl(combo);
    try (Held a = openssl.open(null, null); Held b = openssl.open(null, null)) {
      assertThat(a.result().handshake()).isEqualTo(Handshake.NEW);
      assertThat(b.result().handshake()).isEqualTo(Handshake.NEW);
      await().untilAsserted(() -> assertThat(registry.stats().leases()).isEqualTo(2));
      assertThat(registry.associations()).hasSize(2)
          .allSatisfy(sa -> assertThat(sa.references()).isEqualTo(1));
    }
    awaitNoLeases();
    assertThat(registry.stats().negotiated()).isEqualTo(2);
    assertThat(registry.stats().reused()).isZero();
    assertThat(registry.associations()).as("no client can resume them: deleted at the last close, "
        + "grace or not").isEmpty();
    assertThat(registry.stats().deletedByCause()).containsEntry(DeletionCause.LAST_CLOSE, 2L);
  }

  @ParameterizedTest(name = "{0}")
  @EnumSource(names = {"JDK_TLS12", "JDK_TLS13", "BCJSSE_TLS12"})
  void jdkClient_resumedConnection_sharesSa_graceZero_deletesOnLastClose(TlsCombo combo)
      throws Exception {
    start(combo, Duration.ZERO);
    JdkTlsClient client = new JdkTlsClient(TestServer.CERT.clientContext(), server.port(),
        combo.protocol);

    try (JdkTlsClient.Conn a = client.open(); JdkTlsClient.Conn b = client.open()) {
      assertThat(b.resumed(a)).as("client resumed").isTrue();
      assertThat(registry.stats().leases()).isEqualTo(2);
      SecurityAssociation sa = onlyAssociation();
      assertThat(sa.references()).isEqualTo(2);
      assertThat(registry.stats().reused()).isEqualTo(1);
      assertThat(a.get()).isEqualTo("ok\n");
    }
    awaitNoLeases();
    assertThat(registry.associations()).isEmpty();

    try (JdkTlsClient.Conn c = client.open()) {
      assertThat(registry.stats().negotiated()).isEqualTo(2);
      assertThat(registry.stats().reused()).isEqualTo(1);
      assertThat(onlyAssociation().reuses()).isZero();
    }
    awaitNoLeases();
    assertThat(registry.associations()).isEmpty();
  }

  @ParameterizedTest(name = "{0}")
  @EnumSource(names = {"JDK_TLS12", "JDK_TLS13", "BCJSSE_TLS12"})
  void jdkClient_reconnectWithinGrace_reusesSa_afterGrace_negotiatesAgain(TlsCombo combo)
      throws Exception {
    start(combo, GRACE);
    JdkTlsClient client = new JdkTlsClient(TestServer.CERT.clientContext(), server.port(),
        combo.protocol);

    try (JdkTlsClient.Conn a = client.open()) {
      assertThat(a.get()).isEqualTo("ok\n");
    }
    awaitNoLeases();
    String id = onlyAssociation().id();
    try (JdkTlsClient.Conn b = client.open()) {
      assertThat(onlyAssociation().id()).isEqualTo(id);
      assertThat(onlyAssociation().references()).isEqualTo(1);
    }
    awaitNoLeases();
    assertThat(registry.stats().reused()).isEqualTo(1);

    ticker.advance(GRACE.plusSeconds(1));
    registry.cleanUp();
    assertThat(registry.associations()).isEmpty();

    try (JdkTlsClient.Conn c = client.open()) {
      assertThat(onlyAssociation().id()).isNotEqualTo(id);
      assertThat(registry.stats().negotiated()).isEqualTo(2);
      assertThat(registry.stats().reused()).isEqualTo(1);
    }
  }
}
