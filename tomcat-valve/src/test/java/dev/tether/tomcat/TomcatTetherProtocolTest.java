package dev.tether.tomcat;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.awaitility.Awaitility.await;

import dev.tether.AssociationStats;
import dev.tether.DeletionCause;
import dev.tether.SaPolicy;
import dev.tether.SecurityAssociation;
import dev.tether.testing.FakeTicker;
import dev.tether.testing.OpenSslClient;
import dev.tether.tls.ClientRenegotiation;
import dev.tether.tls.TlsProvider;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import javax.net.ssl.SSLContext;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;

/** The SA life cycle on a real Tomcat with real clients, for every TLS version and provider. */
class TomcatTetherProtocolTest {
  private static final Duration WAIT = Duration.ofSeconds(10);

  @TempDir
  Path tmp;

  @ParameterizedTest(name = "{0}")
  @MethodSource("dev.tether.tomcat.Tls#all")
  void resumedConnection_sharesOneSa_andCountsTheReuse(Tls tls) throws Exception {
    try (TetherServer server = tls.server().start()) {
      SSLContext client = TetherServer.clientContext();
      try (HttpsClient first = HttpsClient.open(client, server.port(), tls.protocol())) {
        HttpsClient.Response r1 = first.get("/app/sa");
        assertThat(r1.field("resumed")).isEqualTo("false");
        try (HttpsClient second = HttpsClient.open(client, server.port(), tls.protocol())) {
          HttpsClient.Response r2 = second.get("/app/sa");
          if (tls.resumes()) {
            assertThat(r2.field("sa")).isEqualTo(r1.field("sa"));
            assertThat(r2.field("resumed")).isEqualTo("true");
            SecurityAssociation sa = server.associations().get(0);
            assertThat(server.associations()).hasSize(1);
            assertThat(sa.references()).isEqualTo(2);
            assertThat(sa.reuses()).isEqualTo(1);
            assertThat(server.stats().reused()).isEqualTo(1);
          } else {
            assertThat(r2.field("sa")).isNotEqualTo(r1.field("sa"));
            assertThat(server.associations()).hasSize(2);
            assertThat(server.stats().negotiated()).isEqualTo(2);
          }
          assertThat(server.stats().leases()).isEqualTo(2);
        }
      }
      await().atMost(WAIT).until(() -> server.stats().leases() == 0);
      assertThat(server.associations()).allMatch(sa -> sa.state() == SecurityAssociation.State.IDLE);
    }
  }

  @ParameterizedTest(name = "{0}")
  @MethodSource("dev.tether.tomcat.Tls#all")
  void graceZero_deletesAtLastClose_andOpensslNegotiatesAgain(Tls tls) throws Exception {
    try (TetherServer server = tls.server().set("grace", "0").start()) {
      Path session = tmp.resolve("session.pem");
      String first = OpenSsl.sClient(server.port(), TetherServer.pem(), tls.protocol(),
          "-sess_out", session.toString());
      assertThat(OpenSsl.handshakes(first)).containsExactly("New");
      assertThat(first).contains("sa=");
      await().atMost(WAIT).until(() -> server.stats().associations() == 0);
      assertThat(server.stats().deletedByCause()).containsEntry(DeletionCause.LAST_CLOSE, 1L);

      String second = OpenSsl.sClient(server.port(), TetherServer.pem(), tls.protocol(),
          OpenSsl.sessIn(session));
      assertThat(OpenSsl.handshakes(second)).as(second).containsExactly("New");
      assertThat(server.stats().negotiated()).isEqualTo(2);
      assertThat(server.stats().reused()).isZero();
    }
  }

  @ParameterizedTest(name = "{0}")
  @MethodSource("dev.tether.tomcat.Tls#all")
  void graceZero_jdkClientNegotiatesAfterLastClose(Tls tls) throws Exception {
    try (TetherServer server = tls.server().set("grace", "0").start()) {
      SSLContext client = TetherServer.clientContext();
      String firstSa;
      try (HttpsClient first = HttpsClient.open(client, server.port(), tls.protocol())) {
        firstSa = first.get("/app/sa").field("sa");
      }
      await().atMost(WAIT).until(() -> server.stats().associations() == 0);
      try (HttpsClient second = HttpsClient.open(client, server.port(), tls.protocol())) {
        HttpsClient.Response r = second.get("/app/sa");
        assertThat(r.field("resumed")).isEqualTo("false");
        assertThat(r.field("sa")).isNotEqualTo(firstSa);
      }
      assertThat(server.stats().reused()).isZero();
    }
  }

  @ParameterizedTest(name = "{0}")
  @MethodSource("dev.tether.tomcat.Tls#all")
  void gracePositive_opensslReusesWithin_andNegotiatesAfter(Tls tls) throws Exception {
    FakeTicker ticker = new FakeTicker();
    try (TetherServer server = tls.server().set("grace", "30000").ticker(ticker).start()) {
      Path session = tmp.resolve("session.pem");
      List<String> handshakes;
      if (tls.protocol().equals("TLSv1.2")) {
        handshakes = OpenSsl.handshakes(OpenSsl.sClient(server.port(), TetherServer.pem(),
            tls.protocol(), "-reconnect", "-sess_out", session.toString()));
      } else {
        handshakes = OpenSsl.handshakes(OpenSsl.sClient(server.port(), TetherServer.pem(),
            tls.protocol(), "-sess_out", session.toString()));
        handshakes.addAll(OpenSsl.handshakes(OpenSsl.sClient(server.port(), TetherServer.pem(),
            tls.protocol(), OpenSsl.sessIn(session))));
      }
      assertThat(handshakes.get(0)).isEqualTo("New");
      if (tls.resumes()) {
        assertThat(handshakes.subList(1, handshakes.size())).isNotEmpty().allMatch("Reused"::equals);
        assertThat(server.stats().negotiated()).isEqualTo(1);
        assertThat(server.stats().reused()).isEqualTo(handshakes.size() - 1);
      } else {
        assertThat(handshakes).allMatch("New"::equals);
      }
      await().atMost(WAIT).until(() -> server.stats().leases() == 0);
      if (!tls.resumes()) {
        // No client can resume a BCJSSE TLS 1.3 session: its SAs go at their last close.
        assertThat(server.stats().associations()).isZero();
        assertThat(server.stats().deletedByCause().get(DeletionCause.LAST_CLOSE))
            .isEqualTo(handshakes.size());
        return;
      }
      assertThat(server.stats().idle()).isEqualTo(server.stats().associations()).isPositive();

      ticker.advance(Duration.ofSeconds(31));
      server.registry().cleanUp();
      assertThat(server.stats().associations()).isZero();
      assertThat(server.stats().deletedByCause().get(DeletionCause.GRACE_EXPIRED)).isPositive();

      String after = OpenSsl.sClient(server.port(), TetherServer.pem(), tls.protocol(),
          OpenSsl.sessIn(session));
      assertThat(OpenSsl.handshakes(after)).as(after).containsExactly("New");
    }
  }

  @ParameterizedTest(name = "{0}")
  @MethodSource("dev.tether.tomcat.Tls#tls12")
  void clientRenegotiation_isRefused_andTheSaKeepsItsCount(Tls tls) throws Exception {
    try (TetherServer server = tls.server().set("grace", "0").start();
        HttpsClient client = HttpsClient.open(TetherServer.clientContext(), server.port(),
            tls.protocol())) {
      assertThat(client.get("/app/sa").status()).isEqualTo(200);
      assertThatThrownBy(() -> {
        ((javax.net.ssl.SSLSocket) client.socket()).startHandshake();
        client.get("/app/sa");
      }).isInstanceOf(java.io.IOException.class);
      await().atMost(WAIT).until(() -> server.stats().leases() == 0);
      assertThat(server.stats().associations()).isZero();
      assertThat(server.stats().negotiated()).isEqualTo(1);
    }
  }

  /**
   * openssl's R on a TLS 1.2 connection. This module's JVM runs without
   * {@code -Djdk.tls.rejectClientInitiatedRenegotiation=true}, so the JDK takes the renegotiation up
   * and Tether closes the connection without an alert; the reliability module, whose JVM has the
   * property, sees the JDK's fatal alert go out before the close. Bouncy Castle refuses with a
   * {@code no_renegotiation} alert.
   */
  @ParameterizedTest(name = "{0}")
  @MethodSource("dev.tether.tomcat.Tls#tls12")
  void opensslRenegotiation_isRefused_leaseReleased_booksBalance(Tls tls) throws Exception {
    try (TetherServer server = tls.server().set("grace", "0").start()) {
      String output;
      try (OpenSslClient.Held held = new OpenSslClient(server.port(), tls.protocol(),
          TetherServer.pem()).open(null, null)) {
        await().atMost(WAIT).until(() -> server.stats().leases() == 1);
        assertThat(held.renegotiate()).as("s_client ended").isTrue();
        output = held.output();
      }
      assertThat(output).contains("RENEGOTIATING").contains(
          tls.provider() == TlsProvider.BCJSSE ? "no renegotiation"
              : ClientRenegotiation.refusedByProvider(TlsProvider.JDK)
                  ? "alert handshake failure" : "unexpected eof");
      await().atMost(WAIT).until(() -> server.stats().leases() == 0);
      AssociationStats s = server.stats();
      assertThat(s.accepted()).isEqualTo(1);
      assertThat(s.negotiated()).isEqualTo(1);
      assertThat(s.handshakeFailures() + s.closedBeforeHandshake()).isZero();
      assertThat(s.released()).isEqualTo(1);
      assertThat(s.associations()).isZero();
    }
  }

  @org.junit.jupiter.api.Test
  void clientRenegotiation_isServed_whenAllowed_onTheJdkProvider() throws Exception {
    try (TetherServer server = TetherServer.builder().protocols("TLSv1.2")
        .set("renegotiationAllowed", "true").start();
        HttpsClient client = HttpsClient.open(TetherServer.clientContext(), server.port(),
            "TLSv1.2")) {
      String sa = client.get("/app/sa").field("sa");
      ((javax.net.ssl.SSLSocket) client.socket()).startHandshake();
      HttpsClient.Response after = client.get("/app/sa");
      assertThat(after.status()).isEqualTo(200);
      assertThat(after.field("sa")).as("the connection keeps its first lease").isEqualTo(sa);
      assertThat(server.stats().leases()).isEqualTo(1);
    }
  }

  @ParameterizedTest(name = "{0}")
  @MethodSource("dev.tether.tomcat.Tls#all")
  void policyOfNewConnection_narrowsTheEngine_andIsThePolicyOfItsSa(Tls tls) throws Exception {
    String other = tls.protocol().equals("TLSv1.2") ? "TLSv1.3" : "TLSv1.2";
    SaPolicy narrow = SaPolicy.builder("narrow").protocols(tls.protocol()).build();
    try (TetherServer server = TetherServer.builder().protocols("TLSv1.2+TLSv1.3")
        .set("provider", tls.provider().settingValue()).policy(narrow).start()) {
      assertThatThrownBy(() -> HttpsClient.open(TetherServer.clientContext(), server.port(), other))
          .isInstanceOf(javax.net.ssl.SSLHandshakeException.class);
      try (HttpsClient client = HttpsClient.open(TetherServer.clientContext(), server.port(),
          tls.protocol())) {
        assertThat(client.session().getProtocol()).isEqualTo(tls.protocol());
        client.get("/app/sa");
        assertThat(server.associations()).singleElement()
            .satisfies(sa -> assertThat(sa.policy()).isEqualTo("narrow"));
      }
    }
  }
}
