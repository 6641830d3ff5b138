package dev.tether.jetty;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.awaitility.Awaitility.await;

import com.github.benmanes.caffeine.cache.Scheduler;
import dev.tether.AssociationRegistry;
import dev.tether.AssociationStats;
import dev.tether.DeletionCause;
import dev.tether.RefusalReason;
import dev.tether.SecurityAssociation;
import dev.tether.testing.FakeTicker;
import dev.tether.testing.OpenSslClient;
import java.io.IOException;
import java.io.InputStream;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import javax.net.ssl.SSLContext;
import org.eclipse.jetty.client.ContentResponse;
import org.eclipse.jetty.client.HttpClient;
import org.eclipse.jetty.util.ssl.SslContextFactory;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/**
 * Connections that end badly: none leaks a lease, leaves a negative count or an SA behind its grace,
 * and none breaks another connection.
 */
@SuppressWarnings("try") // connections held open for the length of a try block
class JettyTetherFailureTest {
  private static final Duration GRACE = Duration.ofSeconds(30);

  private final FakeTicker ticker = new FakeTicker();
  private final AssociationRegistry registry = AssociationRegistry.builder().name("failures")
      .grace(GRACE).ticker(ticker).scheduler(Scheduler.disabledScheduler()).build();
  private final TestServer server = new TestServer();
  private JdkTlsClient client;

  private void start() throws Exception {
    JettyTether.addToAllConnectors(server.server, registry);
    server.start();
    client = new JdkTlsClient(TestServer.CERT.clientContext(), server.port(), "TLSv1.3");
  }

  @AfterEach
  void stop() throws Exception {
    server.close();
    registry.close();
  }

  /** No lease open, no SA left once the grace has passed, no count below zero. */
  private void assertCleanAfterGrace() {
    await().untilAsserted(() -> assertThat(registry.stats().leases()).isZero());
    ticker.advance(GRACE.plusSeconds(1));
    registry.cleanUp();
    AssociationStats stats = registry.stats();
    assertThat(registry.associations()).isEmpty();
    assertThat(stats.active()).isZero();
    assertThat(stats.idle()).isZero();
    assertThat(stats.leases()).isZero();
    assertThat(stats.released()).isEqualTo(stats.negotiated() + stats.reused());
  }

  @Test
  void handshakeFailure_clientDistrustsCertificate_countedAndHoldsNoSa() throws Exception {
    start();
    JdkTlsClient distrusting = new JdkTlsClient(SSLContext.getDefault(), server.port(), "TLSv1.3");
    assertThatThrownBy(distrusting::open).isInstanceOf(IOException.class);

    await().untilAsserted(() -> assertThat(registry.stats().handshakeFailures()).isEqualTo(1));
    assertThat(registry.stats().negotiated()).isZero();
    assertThat(registry.stats().closedBeforeHandshake()).isZero();
    assertCleanAfterGrace();
  }

  @Test
  void handshakeFailure_noCommonCipherSuite_serverAlert_countedAndHoldsNoSa() throws Exception {
    start();
    // RSA key exchange is excluded by Jetty's defaults, and the server key is EC anyway.
    Process p = new ProcessBuilder(OpenSslClient.OPENSSL, "s_client", "-connect",
        "127.0.0.1:" + server.port(), "-tls1_2", "-cipher", "AES128-SHA")
        .redirectErrorStream(true).redirectInput(ProcessBuilder.Redirect.from(new java.io.File(
            "/dev/null"))).start();
    String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
    assertThat(p.waitFor()).as(out).isNotZero();

    await().untilAsserted(() -> assertThat(registry.stats().handshakeFailures()).isEqualTo(1));
    assertThat(registry.stats().accepted()).isEqualTo(1);
    assertCleanAfterGrace();
  }

  @Test
  void plaintext_onTlsPort_countedAsHandshakeFailure_holdsNoSa() throws Exception {
    start();
    try (Socket s = new Socket()) {
      s.connect(new InetSocketAddress("127.0.0.1", server.port()));
      s.setSoTimeout(10_000);
      s.getOutputStream().write("GET / HTTP/1.1\r\nHost: localhost\r\n\r\n"
          .getBytes(StandardCharsets.US_ASCII));
      drain(s.getInputStream());
    }
    await().untilAsserted(() -> assertThat(registry.stats().handshakeFailures()).isEqualTo(1));
    assertThat(registry.stats().negotiated()).isZero();
    assertCleanAfterGrace();
  }

  @Test
  void idleTimeout_midHandshake_countedAsClosedBeforeHandshake() throws Exception {
    server.connector.setIdleTimeout(300);
    start();
    try (Socket s = new Socket()) {
      s.connect(new InetSocketAddress("127.0.0.1", server.port()));
      s.setSoTimeout(10_000);
      // The header of a ClientHello record, and then nothing: the server waits for the rest.
      s.getOutputStream().write(new byte[] {0x16, 0x03, 0x01, 0x01, 0x00, 0x01});
      assertThat(drain(s.getInputStream())).as("server closed on idle timeout").isTrue();
    }
    await().untilAsserted(() -> assertThat(registry.stats().closedBeforeHandshake()).isEqualTo(1));
    assertThat(registry.stats().handshakeFailures()).isZero();
    assertCleanAfterGrace();
  }

  @Test
  void resetBeforeHandshake_countedAsClosedBeforeHandshake() throws Exception {
    start();
    Socket s = new Socket();
    s.connect(new InetSocketAddress("127.0.0.1", server.port()));
    await().untilAsserted(() -> assertThat(registry.stats().accepted()).isEqualTo(1));
    s.setSoLinger(true, 0);
    s.close();
    await().untilAsserted(() -> assertThat(registry.stats().closedBeforeHandshake()).isEqualTo(1));
    assertCleanAfterGrace();
  }

  @Test
  void resetAfterHandshake_releasesLease_otherConnectionUnaffected() throws Exception {
    start();
    try (JdkTlsClient.Conn healthy = client.open()) {
      JdkTlsClient.Conn doomed = client.open();
      assertThat(registry.stats().leases()).isEqualTo(2);
      doomed.reset();

      await().untilAsserted(() -> assertThat(registry.stats().leases()).isEqualTo(1));
      assertThat(healthy.get()).isEqualTo("ok\n");
      SecurityAssociation sa = registry.associations().get(0);
      assertThat(sa.references()).isEqualTo(1);
    }
    assertCleanAfterGrace();
    assertThat(registry.stats().deletedByCause()).containsEntry(DeletionCause.GRACE_EXPIRED, 1L);
  }

  @Test
  void serverStop_withOpenConnections_releasesEveryLease() throws Exception {
    start();
    SslContextFactory.Client ssl = new SslContextFactory.Client();
    ssl.setSslContext(TestServer.CERT.clientContext());
    HttpClient jetty = new HttpClient();
    jetty.setSslContextFactory(ssl);
    jetty.start();
    try (JdkTlsClient.Conn a = client.open();
        JdkTlsClient.Conn b = new JdkTlsClient(TestServer.CERT.clientContext(), server.port(),
            "TLSv1.2").open()) {
      ContentResponse response = jetty.GET("https://localhost:" + server.port() + "/");
      assertThat(response.getContentAsString()).isEqualTo("ok\n");
      assertThat(registry.stats().leases()).isEqualTo(3);

      server.server.stop();

      await().untilAsserted(() -> assertThat(registry.stats().leases()).isZero());
      assertThat(registry.associations()).hasSize(3)
          .allSatisfy(sa -> assertThat(sa.state()).isEqualTo(SecurityAssociation.State.IDLE));
    } finally {
      jetty.stop();
    }
    assertCleanAfterGrace();
  }

  @Test
  void serverStop_ownedRegistry_isClosedWithNoSaLeft() throws Exception {
    JettyTether tether = JettyTether.addToAllConnectors(server.server);
    server.start();
    client = new JdkTlsClient(TestServer.CERT.clientContext(), server.port(), "TLSv1.3");
    try (JdkTlsClient.Conn a = client.open()) {
      AssociationRegistry owned = tether.registry();
      assertThat(owned.associations()).hasSize(1);

      server.server.stop();

      assertThat(owned.isClosed()).isTrue();
      await().untilAsserted(() -> assertThat(owned.stats().leases()).isZero());
      assertThat(owned.associations()).isEmpty();
      assertThat(owned.stats().deletedByCause()).containsEntry(DeletionCause.SHUTDOWN, 1L);
    }
  }

  @Test
  void refusal_perPeerBound_failsHandshake_otherConnectionUnaffected() throws Exception {
    JettyTether tether = JettyTether.addToAllConnectors(server.server);
    tether.setMaxAssociationsPerPeer(1);
    server.start();
    try (JdkTlsClient.Conn first = new JdkTlsClient(TestServer.CERT.clientContext(),
        server.port(), "TLSv1.3").open()) {
      // A second client, with its own session cache, needs a second SA: over the bound.
      JdkTlsClient other = new JdkTlsClient(TestServer.CERT.clientContext(), server.port(),
          "TLSv1.3");
      assertThatThrownBy(other::open).isInstanceOf(IOException.class);

      AssociationRegistry owned = tether.registry();
      assertThat(owned.stats().refusedByReason()).containsEntry(RefusalReason.MAX_PER_PEER, 1L);
      assertThat(tether.getRefused()).isEqualTo(1);
      assertThat(first.get()).isEqualTo("ok\n");
      await().untilAsserted(() -> assertThat(owned.stats().leases()).isEqualTo(1));
      assertThat(owned.associations()).hasSize(1);
    }
  }

  /** Reads until the server closes; returns true if it did (rather than the read timing out). */
  private static boolean drain(InputStream in) {
    try {
      while (in.read() >= 0) {
        // discard
      }
      return true;
    } catch (java.net.SocketTimeoutException e) {
      return false;
    } catch (IOException e) {
      return true; // reset by the server: closed too
    }
  }
}
