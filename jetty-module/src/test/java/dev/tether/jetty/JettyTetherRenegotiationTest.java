package dev.tether.jetty;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.awaitility.Awaitility.await;

import dev.tether.AssociationRegistry;
import dev.tether.AssociationStats;
import dev.tether.testing.LogCapture;
import dev.tether.testing.OpenSslClient;
import dev.tether.tls.ClientRenegotiation;
import dev.tether.tls.TlsProvider;
import java.time.Duration;
import java.util.concurrent.Callable;
import java.util.logging.Level;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;

/**
 * Client-initiated TLS 1.2 renegotiation under {@code renegotiationAllowed=false}: Jetty's own
 * refusal closes the connection with a {@code close_notify} before the engine reads the ClientHello,
 * so where the provider answers with an alert itself (the JDK under
 * {@code -Djdk.tls.rejectClientInitiatedRenegotiation=true}, Bouncy Castle always) Tether leaves the
 * refusal to it; where it does not, the start logs a WARN naming the property. Either way the
 * connection's lease is released.
 *
 * <p>This module's tests run without the property: the JDK's fatal alert is seen in the reliability
 * module, whose JVM has it. The JDK reads the property once per JVM, so the settings tests below set
 * it only around a start, without any handshake.
 */
class JettyTetherRenegotiationTest {
  private final TestServer server = new TestServer();
  private AssociationRegistry registry;

  @AfterEach
  void stop() throws Exception {
    server.close();
    if (registry != null) {
      registry.close();
    }
  }

  @Test
  void start_jdkWithoutTheProperty_jettyRefuses_andOneWarnNamesTheProperty() throws Exception {
    server.sslContextFactory.setRenegotiationAllowed(true);
    JettyTether.addToAllConnectors(server.server);
    try (LogCapture log = new LogCapture(ClientRenegotiation.class.getName())) {
      withProperty(null, server::start);
      assertThat(log.lines(Level.WARNING)).singleElement().satisfies(m -> assertThat(m)
          .contains("jetty.tether.renegotiationAllowed=false")
          .contains("-Djdk.tls.rejectClientInitiatedRenegotiation=true"));
    }
    assertThat(server.sslContextFactory.isRenegotiationAllowed()).isFalse();
  }

  @Test
  void start_jdkWithTheProperty_leavesTheRefusalToTheJdk_quietly() throws Exception {
    server.sslContextFactory.setRenegotiationAllowed(false);
    JettyTether.addToAllConnectors(server.server);
    try (LogCapture log = new LogCapture(ClientRenegotiation.class.getName())) {
      withProperty("true", server::start);
      assertThat(log.lines(Level.WARNING)).isEmpty();
    }
    assertThat(server.sslContextFactory.isRenegotiationAllowed()).isTrue();
  }

  @Test
  void start_propertyTheJdkRejects_failsNamingIt_connectorUntouched() {
    server.sslContextFactory.setRenegotiationAllowed(true);
    JettyTether.addToAllConnectors(server.server);
    assertThatThrownBy(() -> withProperty("yes", server::start))
        .hasMessageContaining("-Djdk.tls.rejectClientInitiatedRenegotiation=yes is neither true"
            + " nor false");
    assertThat(server.server.isStarted()).isFalse();
    assertThat(server.sslContextFactory.isRenegotiationAllowed()).isTrue();
  }

  @ParameterizedTest(name = "{0}")
  @EnumSource(names = {"JDK_TLS12", "BCJSSE_TLS12"})
  void clientRenegotiation_refused_connectionEnds_leaseReleased_booksBalance(TlsCombo combo)
      throws Exception {
    registry = AssociationRegistry.builder().name("renegotiation").grace(Duration.ZERO).build();
    JettyTether.addToAllConnectors(server.server, registry).setProvider(
        combo.provider.settingValue());
    server.start();
    OpenSslClient openssl = new OpenSslClient(server.port(), combo.protocol, TestServer.pem());

    String output;
    try (OpenSslClient.Held held = openssl.open(null, null)) {
      await().untilAsserted(() -> assertThat(registry.stats().leases()).isEqualTo(1));
      assertThat(held.renegotiate()).as("s_client ended").isTrue();
      output = held.output();
    }

    if (combo.provider == TlsProvider.BCJSSE) {
      assertThat(output).contains("no renegotiation");
    } else if (ClientRenegotiation.refusedByProvider(TlsProvider.JDK)) {
      assertThat(output).contains("alert handshake failure");
    } else {
      assertThat(output).as("Jetty's own refusal").contains("RENEGOTIATING").contains("closed");
    }
    await().untilAsserted(() -> assertThat(registry.stats().leases()).isZero());
    AssociationStats s = registry.stats();
    assertThat(s.accepted()).isEqualTo(1);
    assertThat(s.negotiated()).isEqualTo(1);
    assertThat(s.handshakeFailures() + s.closedBeforeHandshake()).isZero();
    assertThat(s.released()).isEqualTo(1);
    assertThat(s.associations()).isZero();
  }

  /** Runs {@code r} with the property set to {@code value} ({@code null}: absent), then restores it. */
  private static void withProperty(String value, Callable<?> r) throws Exception {
    String before = System.getProperty(ClientRenegotiation.PROPERTY);
    set(value);
    try {
      r.call();
    } finally {
      set(before);
    }
  }

  private static void set(String value) {
    if (value == null) {
      System.clearProperty(ClientRenegotiation.PROPERTY);
    } else {
      System.setProperty(ClientRenegotiation.PROPERTY, value);
    }
  }
}
