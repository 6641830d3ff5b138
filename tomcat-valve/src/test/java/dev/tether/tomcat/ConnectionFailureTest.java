package dev.tether.tomcat;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.awaitility.Awaitility.await;

import dev.tether.AssociationRegistry;
import dev.tether.AssociationStats;
import dev.tether.RefusalReason;
import java.io.IOException;
import java.io.InputStream;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import javax.net.ssl.SSLContext;
import javax.net.ssl.SSLHandshakeException;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;

/** Whatever ends a connection, it leaves no lease and no SA behind, and other connections carry on. */
class ConnectionFailureTest {
  private static final Duration WAIT = Duration.ofSeconds(10);

  @ParameterizedTest(name = "{0}")
  @MethodSource("dev.tether.tomcat.Tls#all")
  void untrustedCertificate_failsHandshake_leavesNoLeaseOrSa(Tls tls) throws Exception {
    try (TetherServer server = tls.server().set("grace", "0").start()) {
      SSLContext trustsNothingOfOurs = SSLContext.getInstance("TLS");
      trustsNothingOfOurs.init(null, null, null);
      assertThatThrownBy(() -> HttpsClient.open(trustsNothingOfOurs, server.port(), tls.protocol()))
          .isInstanceOf(SSLHandshakeException.class);
      await().atMost(WAIT).until(() -> server.stats().handshakeFailures() == 1);
      assertClean(server.stats(), 1);
    }
  }

  @ParameterizedTest(name = "{0}")
  @MethodSource("dev.tether.tomcat.Tls#all")
  void plaintextOnTlsPort_countsAsFailedHandshake(Tls tls) throws Exception {
    try (TetherServer server = tls.server().set("grace", "0").start();
        Socket plain = new Socket("localhost", server.port())) {
      plain.getOutputStream().write(
          "GET /app/sa HTTP/1.1\r\nHost: localhost\r\n\r\n".getBytes(StandardCharsets.US_ASCII));
      plain.setSoTimeout(10_000);
      String answer = new String(plain.getInputStream().readAllBytes(), StandardCharsets.ISO_8859_1);
      assertThat(answer).startsWith("HTTP/1.1 400");
      await().atMost(WAIT).until(() -> server.stats().handshakeFailures() == 1);
      assertClean(server.stats(), 1);
    }
  }

  @ParameterizedTest(name = "{0}")
  @MethodSource("dev.tether.tomcat.Tls#all")
  void silentClient_timesOutBeforeHandshake_closesWithoutSa(Tls tls) throws Exception {
    try (TetherServer server = tls.server().connectionTimeout(300).start();
        Socket silent = new Socket("localhost", server.port())) {
      silent.setSoTimeout(10_000);
      assertThat(silent.getInputStream().read()).isEqualTo(-1);
      await().atMost(WAIT).until(() -> server.stats().closedBeforeHandshake() == 1);
      assertThat(server.stats().handshakeFailures()).isZero();
      assertClean(server.stats(), 1);
    }
  }

  @ParameterizedTest(name = "{0}")
  @MethodSource("dev.tether.tomcat.Tls#all")
  void keepAliveTimeout_releasesLease_andDeletesSa(Tls tls) throws Exception {
    try (TetherServer server = tls.server().set("grace", "0").keepAliveTimeout(300).start();
        HttpsClient client = HttpsClient.open(TetherServer.clientContext(), server.port(),
            tls.protocol())) {
      assertThat(client.get("/app/sa").status()).isEqualTo(200);
      assertThat(server.stats().leases()).isEqualTo(1);
      InputStream in = client.socket().getInputStream();
      assertThat(in.read()).isEqualTo(-1);
      await().atMost(WAIT).until(() -> server.stats().associations() == 0);
      assertClean(server.stats(), 1);
      assertThat(server.stats().released()).isEqualTo(1);
    }
  }

  @ParameterizedTest(name = "{0}")
  @MethodSource("dev.tether.tomcat.Tls#all")
  void abruptReset_releasesLease_andOtherConnectionCarriesOn(Tls tls) throws Exception {
    try (TetherServer server = tls.server().set("grace", "0").start();
        HttpsClient survivor = HttpsClient.open(TetherServer.clientContext(), server.port(),
            tls.protocol())) {
      assertThat(survivor.get("/app/sa").status()).isEqualTo(200);
      HttpsClient victim = HttpsClient.open(TetherServer.clientContext(), server.port(),
          tls.protocol());
      assertThat(victim.get("/app/sa").status()).isEqualTo(200);
      victim.abort();
      await().atMost(WAIT).until(() -> server.stats().leases() == 1);
      assertThat(server.stats().associations()).isEqualTo(1);
      assertThat(survivor.get("/app/sa").status()).isEqualTo(200);
    }
  }

  @ParameterizedTest(name = "{0}")
  @MethodSource("dev.tether.tomcat.Tls#all")
  void serverStop_withOpenConnections_leavesNoLeaseOrSa(Tls tls) throws Exception {
    TetherServer server = tls.server().start();
    AssociationRegistry registry = server.registry();
    try (HttpsClient a = HttpsClient.open(TetherServer.clientContext(), server.port(), tls.protocol());
        HttpsClient b = HttpsClient.open(TetherServer.clientContext(), server.port(), tls.protocol())) {
      a.get("/app/sa");
      b.get("/app/sa");
      assertThat(registry.stats().leases()).isEqualTo(2);
      server.close();
      await().atMost(WAIT).until(() -> registry.stats().leases() == 0);
      assertThat(registry.isClosed()).isTrue();
      assertThat(registry.stats().associations()).isZero();
      assertThat(registry.stats().released()).isEqualTo(2);
    }
  }

  @ParameterizedTest(name = "{0}")
  @MethodSource("dev.tether.tomcat.Tls#all")
  void refusedSa_closesOnlyThatConnection(Tls tls) throws Exception {
    try (TetherServer server = tls.server().set("maxAssociations", "1").start();
        HttpsClient first = HttpsClient.open(TetherServer.clientContext(), server.port(),
            tls.protocol())) {
      assertThat(first.get("/app/sa").status()).isEqualTo(200);
      assertThatThrownBy(() -> {
        try (HttpsClient second = HttpsClient.open(TetherServer.clientContext(), server.port(),
            tls.protocol())) {
          second.get("/app/sa");
        }
      }).isInstanceOf(IOException.class);
      await().atMost(WAIT).until(() -> server.stats().accepted() == 2 && server.stats().leases() == 1);
      assertThat(server.stats().refusedByReason()).containsEntry(RefusalReason.MAX_ASSOCIATIONS, 1L);
      assertThat(first.get("/app/sa").status()).isEqualTo(200);
    }
  }

  /** No lease and no SA left, and every accepted connection accounted for exactly once. */
  private static void assertClean(AssociationStats stats, long accepted) {
    assertThat(stats.leases()).isZero();
    assertThat(stats.associations()).isZero();
    assertThat(stats.accepted()).isEqualTo(accepted);
    assertThat(stats.released() + stats.handshakeFailures() + stats.closedBeforeHandshake()
        + stats.refused()).isEqualTo(accepted);
  }
}
