package dev.tether.jetty;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.awaitility.Awaitility.await;

import dev.tether.AssociationRegistry;
import dev.tether.SaPolicy;
import dev.tether.tls.StatefulSessions;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.logging.Handler;
import java.util.logging.Level;
import java.util.logging.LogRecord;
import java.util.logging.Logger;
import dev.tether.tls.TlsConnection;
import javax.net.ssl.SSLEngine;
import org.eclipse.jetty.server.ServerConnector;
import org.eclipse.jetty.server.SslConnectionFactory;
import org.eclipse.jetty.util.ssl.SslContextFactory;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Settings, start-up checks, attachment to connectors and the negotiation hook. */
@SuppressWarnings("try") // connections held open for the length of a try block
class JettyTetherSettingsTest {
  private final TestServer server = new TestServer();
  private AssociationRegistry given;

  @AfterEach
  void stop() throws Exception {
    server.close();
    if (given != null) {
      given.close();
    }
  }

  @Test
  void setters_rejectBadValues_namingSettingAndValue() {
    JettyTether t = new JettyTether(server.server);
    assertThatThrownBy(() -> t.setGrace(-1)).hasMessage("jetty.tether.grace=-1 is invalid:"
        + " expected a duration, 0 or more: 0, 500ms, 30s, 15m, 2h, 1d, PT30S or milliseconds (30000)");
    assertThatThrownBy(() -> t.setGrace("soon")).hasMessageContaining("jetty.tether.grace=soon");
    assertThatThrownBy(() -> t.setMaxAssociations(0))
        .hasMessageContaining("jetty.tether.maxAssociations=0");
    assertThatThrownBy(() -> t.setMaxAssociationsPerPeer(-3))
        .hasMessageContaining("jetty.tether.maxAssociationsPerPeer=-3");
    assertThatThrownBy(() -> t.setProvider("conscrypt"))
        .hasMessageContaining("jetty.tether.provider").hasMessageContaining("conscrypt");
    assertThatThrownBy(() -> t.setRegistryName("my shop"))
        .hasMessageContaining("jetty.tether.registryName=my shop");
  }

  @Test
  void durations_readUnitsIsoAndMilliseconds_alike() {
    JettyTether t = new JettyTether(server.server);
    t.setGrace("30s");
    assertThat(t.getGrace()).isEqualTo("30s");
    t.setGrace(30_000);
    assertThat(t.getGrace()).isEqualTo("30s");
    t.setGrace("PT30S");
    assertThat(t.getGrace()).isEqualTo("30s");
    t.setPeerBindingTtl("1800000");
    assertThat(t.getPeerBindingTtl()).isEqualTo("30m");
  }

  @Test
  void defaults_areTheSharedOnes_registryNameDefault() {
    JettyTether t = new JettyTether(server.server);
    assertThat(t.getRegistryName()).isEqualTo("default");
    assertThat(t.getGrace()).isEqualTo("30s");
    assertThat(t.getPeerBindingTtl()).isEqualTo("30m");
    assertThat(t.getMaxAssociations()).isEqualTo(100_000);
    assertThat(t.getMaxAssociationsPerPeer()).isEqualTo(1_000);
    assertThat(t.getMaxBoundPeers()).isEqualTo(100_000);
  }

  @Test
  void start_ownedRegistry_takesTheSettings() throws Exception {
    JettyTether t = JettyTether.addToAllConnectors(server.server);
    t.setRegistryName("shop");
    t.setGrace(1500);
    t.setMaxAssociations(10);
    t.setMaxAssociationsPerPeer(2);
    server.start();
    AssociationRegistry r = t.registry();
    assertThat(r.name()).isEqualTo("shop");
    assertThat(r.defaultPolicy().grace()).isEqualTo(Duration.ofMillis(1500));
    assertThat(r.maxAssociations()).isEqualTo(10);
    assertThat(r.maxAssociationsPerPeer()).isEqualTo(2);
    assertThat(t.connectors()).containsExactly(server.connector);
    assertThat(t.isStatefulSessions()).isTrue();
  }

  @Test
  void start_unknownConnectorName_failsNamingSettingAndValue() {
    JettyTether t = JettyTether.addToAllConnectors(server.server);
    t.setConnectorNames("https, admin");
    assertThatThrownBy(server::start).hasMessageContaining("jetty.tether.connectorNames=https, admin")
        .hasMessageContaining("[admin]");
  }

  @Test
  void start_givenRegistryAndRegistrySetting_fails() {
    given = AssociationRegistry.builder().build();
    JettyTether t = JettyTether.addToAllConnectors(server.server, given);
    t.setGrace(0);
    assertThatThrownBy(server::start).hasMessageContaining("jetty.tether.grace is set");
  }

  @Test
  void policySettings_badValues_failNamingSettingAndValue() {
    JettyTether t = new JettyTether(server.server);
    assertThatThrownBy(() -> t.setPeerBindingTtl(0))
        .hasMessageContaining("jetty.tether.peerBindingTtl=0");
    assertThatThrownBy(() -> t.setMaxBoundPeers(0))
        .hasMessageContaining("jetty.tether.maxBoundPeers=0");
  }

  @Test
  void start_invalidPolicyFile_failsNamingSettingFileAndLine(@TempDir Path dir) throws Exception {
    Path file = Files.writeString(dir.resolve("bad.conf"), """
        [policy browse]
        applies-to = anonymous
        on-login = everything
        """);
    JettyTether t = JettyTether.addToAllConnectors(server.server);
    t.setPolicies(file.toString());

    assertThatThrownBy(server::start)
        .hasMessageContaining("jetty.tether.policies=" + file)
        .hasMessageContaining(file + ":3: on-login = 'everything' must be one of");
    assertThat(server.server.isStarted()).isFalse();
  }

  @Test
  void start_missingPolicyFile_failsNamingSettingAndFile(@TempDir Path dir) {
    JettyTether t = JettyTether.addToAllConnectors(server.server);
    t.setPolicies(dir.resolve("none.conf").toString());

    assertThatThrownBy(server::start)
        .hasMessageContaining("jetty.tether.policies=" + dir.resolve("none.conf"))
        .hasMessageContaining("cannot be read");
  }

  @Test
  void start_policyFileAndBinding_configureTheOwnedRegistry(@TempDir Path dir) throws Exception {
    Path file = Files.writeString(dir.resolve("p.conf"), PolicyServer.POLICIES);
    JettyTether t = JettyTether.addToAllConnectors(server.server);
    t.setPolicies(file.toString());
    t.setGrace(5);
    t.setPeerBindingTtl(60_000);
    t.setMaxBoundPeers(1);
    server.start();

    AssociationRegistry r = t.registry();
    assertThat(r.policies().policies().policies()).extracting(SaPolicy::name)
        .containsExactly("browse", "customer", "admin", "operator");
    assertThat(r.defaultPolicy().grace()).as("the policies' graces apply, not grace")
        .isEqualTo(Duration.ofSeconds(60));
    r.policies().login("192.0.2.1", null, "root", role -> role.equals("admin"));
    r.policies().login("192.0.2.2", null, "root", role -> role.equals("admin"));
    assertThat(t.getBoundPeers()).isEqualTo(1);
    assertThat(t.getPolicies()).isEqualTo(file.toString());
  }

  @Test
  void start_givenRegistryAndPolicyFile_fails() {
    given = AssociationRegistry.builder().build();
    JettyTether t = JettyTether.addToAllConnectors(server.server, given);
    t.setPolicies("/etc/tether/policies.conf");
    assertThatThrownBy(server::start).hasMessageContaining("jetty.tether.policies is set");
  }

  @Test
  void start_providerConflictsWithSslContextFactory_fails() {
    server.sslContextFactory.setProvider("SunJSSE");
    JettyTether t = JettyTether.addToAllConnectors(server.server);
    t.setProvider("bcjsse");
    assertThatThrownBy(server::start).hasMessageContaining("jetty.tether.provider=bcjsse")
        .hasMessageContaining("SunJSSE");
  }

  @Test
  void start_noTlsConnector_fails() {
    org.eclipse.jetty.server.Server plain = new org.eclipse.jetty.server.Server(0);
    JettyTether.addToAllConnectors(plain);
    try {
      assertThatThrownBy(plain::start).hasMessageContaining("no TLS connector");
    } finally {
      org.eclipse.jetty.util.component.LifeCycle.stop(plain);
    }
  }

  @Test
  void start_statelessTickets_refusedWhenRequired() {
    JettyTether.addToAllConnectors(server.server);
    withStatelessTickets(() -> assertThatThrownBy(server::start)
        .hasMessageContaining(StatefulSessions.PROPERTY)
        .hasMessageContaining("jetty.tether.requireStatefulSessions"));
    assertThat(server.server.isStarted()).isFalse();
  }

  @Test
  void start_statelessTickets_warnsWhenNotRequired() throws Exception {
    JettyTether t = JettyTether.addToAllConnectors(server.server);
    t.setRequireStatefulSessions(false);
    List<LogRecord> warnings = new ArrayList<>();
    Logger jul = Logger.getLogger(StatefulSessions.class.getName());
    Handler capture = new Handler() {
      @Override
      public void publish(LogRecord record) {
        if (record.getLevel().intValue() >= Level.WARNING.intValue()) {
          warnings.add(record);
        }
      }

      @Override
      public void flush() {}

      @Override
      public void close() {}
    };
    jul.addHandler(capture);
    try {
      withStatelessTickets(() -> {
        try {
          server.start();
        } catch (Exception e) {
          throw new AssertionError(e);
        }
      });
    } finally {
      jul.removeHandler(capture);
    }
    assertThat(server.server.isStarted()).isTrue();
    assertThat(t.isStatefulSessions()).isFalse();
    assertThat(warnings).singleElement().satisfies(
        r -> assertThat(r.getMessage()).contains(StatefulSessions.PROPERTY));
  }

  @Test
  void start_statelessTicketsProperty_doesNotConcernBcjsse() throws Exception {
    JettyTether t = JettyTether.addToAllConnectors(server.server);
    t.setProvider("BCJSSE");
    withStatelessTickets(() -> {
      try {
        server.start();
      } catch (Exception e) {
        throw new AssertionError(e);
      }
    });
    assertThat(t.isStatefulSessions()).isTrue();
    assertThat(server.sslContextFactory.getProvider()).isEqualTo("BCJSSE");
    assertThat(server.sslContextFactory.getKeyManagerFactoryAlgorithm()).isEqualTo("PKIX");
  }

  @Test
  void start_disablesRenegotiation_unlessAllowed() throws Exception {
    server.sslContextFactory.setRenegotiationAllowed(true);
    JettyTether.addToAllConnectors(server.server);
    server.start();
    assertThat(server.sslContextFactory.isRenegotiationAllowed()).isFalse();

    try (TestServer other = new TestServer()) {
      other.sslContextFactory.setRenegotiationAllowed(true);
      JettyTether.addToAllConnectors(other.server).setRenegotiationAllowed(true);
      other.start();
      assertThat(other.sslContextFactory.isRenegotiationAllowed()).isTrue();
    }
  }

  @Test
  void attachedToOneConnector_connectionsOnOthersHoldNoSa() throws Exception {
    SslContextFactory.Server ssl = new SslContextFactory.Server();
    ssl.setKeyStore(TestServer.CERT.keyStore());
    ssl.setKeyStorePassword(TestServer.PASSWORD);
    ServerConnector other = new ServerConnector(server.server, new SslConnectionFactory(ssl,
        "http/1.1"), new org.eclipse.jetty.server.HttpConnectionFactory());
    other.setHost("127.0.0.1");
    other.setName("other");
    server.server.addConnector(other);
    given = AssociationRegistry.builder().grace(Duration.ZERO).build();
    JettyTether t = JettyTether.addToConnector(server.connector, given);
    server.start();
    assertThat(t.connectors()).containsExactly(server.connector);

    try (JdkTlsClient.Conn c = new JdkTlsClient(TestServer.CERT.clientContext(),
        other.getLocalPort(), "TLSv1.3").open()) {
      assertThat(c.get()).isEqualTo("ok\n");
      assertThat(given.stats().accepted()).isZero();
    }
    try (JdkTlsClient.Conn c = new JdkTlsClient(TestServer.CERT.clientContext(), server.port(),
        "TLSv1.3").open()) {
      assertThat(given.stats().leases()).isEqualTo(1);
    }
  }

  @Test
  void connectorNames_narrowsAllConnectorsToTheNamedOnes() throws Exception {
    JettyTether t = JettyTether.addToAllConnectors(server.server);
    t.setConnectorNames("https");
    server.start();
    assertThat(t.connectors()).containsExactly(server.connector);
  }

  @Test
  void negotiationHook_policyNarrowsProtocols_andIsThePolicyOfTheSa() throws Exception {
    SaPolicy tls12 = SaPolicy.builder("tls12-only").protocols("TLSv1.2").build();
    given = AssociationRegistry.builder().defaultPolicy(tls12).build();
    List<String> seen = new ArrayList<>();
    JettyTether t = new JettyTether(given, server.server) {
      @Override
      protected void negotiate(SSLEngine engine, TlsConnection connection) {
        synchronized (seen) {
          seen.add(connection.peer() + " " + connection.policy().name());
        }
        super.negotiate(engine, connection);
      }
    };
    server.server.addBean(t);
    server.start();

    JdkTlsClient tls13 = new JdkTlsClient(TestServer.CERT.clientContext(), server.port(),
        "TLSv1.3");
    assertThatThrownBy(tls13::open).isInstanceOf(IOException.class);
    try (JdkTlsClient.Conn c = new JdkTlsClient(TestServer.CERT.clientContext(), server.port(),
        "TLSv1.2").open()) {
      assertThat(c.session().getProtocol()).isEqualTo("TLSv1.2");
      assertThat(given.associations()).singleElement().satisfies(sa -> {
        assertThat(sa.policy()).isEqualTo("tls12-only");
        assertThat(sa.protocol()).isEqualTo("TLSv1.2");
      });
    }
    await().untilAsserted(() -> assertThat(given.stats().handshakeFailures()).isEqualTo(1));
    synchronized (seen) {
      assertThat(seen).containsExactly("127.0.0.1 tls12-only", "127.0.0.1 tls12-only");
    }
  }

  /** Runs {@code r} with the JDK ticket property read as "true"; the JDK itself read it at start. */
  private static void withStatelessTickets(Runnable r) {
    String before = System.getProperty(StatefulSessions.PROPERTY);
    System.setProperty(StatefulSessions.PROPERTY, "true");
    try {
      r.run();
    } finally {
      if (before == null) {
        System.clearProperty(StatefulSessions.PROPERTY);
      } else {
        System.setProperty(StatefulSessions.PROPERTY, before);
      }
    }
  }
}
