package dev.tether.tomcat;

import static org.assertj.core.api.Assertions.assertThat;

import dev.tether.AssociationRegistry;
import dev.tether.SaPolicy;
import dev.tether.internal.AdapterSettings;
import dev.tether.internal.Setting;
import dev.tether.testing.LogCapture;
import dev.tether.tls.ClientRenegotiation;
import dev.tether.tls.StatefulSessions;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.lang.management.ManagementFactory;
import java.util.Set;
import javax.management.MBeanServer;
import javax.management.ObjectName;
import java.util.logging.Level;
import org.apache.catalina.LifecycleState;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

/** Configuration is checked when the connector starts, and the registry shows up in JMX. */
class ProtocolConfigurationTest {

  @ParameterizedTest(name = "{0}={1}")
  @CsvSource({
      "grace, abc",
      "grace, -1",
      "maxAssociations, 0",
      "maxAssociationsPerPeer, many",
      "provider, openssl",
      "requireStatefulSessions, yes",
      "renegotiationAllowed, maybe",
      "peerBindingTtl, 0",
      "maxBoundPeers, none",
      "registryName, no spaces"})
  void wrongAttributeValue_failsStartNamingAttributeAndValue(String attribute, String value)
      throws Exception {
    try (LogCapture log = new LogCapture();
        TetherServer server = TetherServer.builder().set(attribute, value).start()) {
      assertConnectorFailed(server);
      assertThat(log.text(Level.SEVERE)).contains(attribute + "=").contains(value);
    }
  }

  @ParameterizedTest(name = "{0}")
  @CsvSource({"gracePeriod, grace", "allowRenegotiation, renegotiationAllowed"})
  void formerAttributeName_failsStartNamingTheNewName(String former, String now) throws Exception {
    try (LogCapture log = new LogCapture();
        TetherServer server = TetherServer.builder().set(former, "0").start()) {
      assertConnectorFailed(server);
      assertThat(log.text(Level.SEVERE)).contains(former + "=\"0\" was renamed " + now);
    }
  }

  @Test
  void durations_takeUnitsIsoAndMilliseconds_alike() throws Exception {
    for (String grace : new String[] {"1500", "1500ms", "PT1.5S"}) {
      try (TetherServer server = TetherServer.builder().set("grace", grace)
          .set("peerBindingTtl", "2m").start()) {
        assertThat(server.registry().defaultPolicy().grace()).as(grace)
            .isEqualTo(Duration.ofMillis(1500));
      }
    }
  }

  @Test
  void wrongDuration_failsStartWithTheSharedMessage() throws Exception {
    try (LogCapture log = new LogCapture();
        TetherServer server = TetherServer.builder().set("grace", "soon").start()) {
      assertConnectorFailed(server);
      assertThat(log.text(Level.SEVERE)).contains("Tether connector attribute grace=\"soon\" is"
          + " invalid: expected a duration, 0 or more: 0, 500ms, 30s, 15m, 2h, 1d, PT30S or"
          + " milliseconds (30000)");
    }
  }

  @Test
  void invalidPolicyFile_failsStartNamingAttributeFileAndLine(@TempDir Path dir) throws Exception {
    Path file = Files.writeString(dir.resolve("bad.conf"), """
        [policy browse]
        applies-to = anonymous
        grace = soon
        """);
    try (LogCapture log = new LogCapture();
        TetherServer server = TetherServer.builder().set("policies", file.toString()).start()) {
      assertConnectorFailed(server);
      assertThat(log.text(Level.SEVERE)).contains("policies=\"" + file + "\"")
          .contains(file + ":3: ");
    }
  }

  @Test
  void missingPolicyFile_failsStartNamingAttributeAndFile(@TempDir Path dir) throws Exception {
    String file = dir.resolve("none.conf").toString();
    try (LogCapture log = new LogCapture();
        TetherServer server = TetherServer.builder().set("policies", file).start()) {
      assertConnectorFailed(server);
      assertThat(log.text(Level.SEVERE)).contains("policies=\"" + file + "\"")
          .contains("cannot be read");
    }
  }

  @Test
  void policyFileAndBinding_configureTheRegistry(@TempDir Path dir) throws Exception {
    Path file = Files.writeString(dir.resolve("p.conf"), PolicyApp.POLICIES);
    try (TetherServer server = TetherServer.builder().set("policies", file.toString())
        .set("grace", "5").set("peerBindingTtl", "60000").set("maxBoundPeers", "1").start()) {
      assertThat(server.registry().policies().policies().policies()).extracting(SaPolicy::name)
          .containsExactly("browse", "customer", "admin", "operator");
      assertThat(server.registry().defaultPolicy().grace()).as("the policies' graces apply")
          .isEqualTo(Duration.ofSeconds(60));
      server.registry().policies().login("192.0.2.1", null, "root", r -> r.equals("admin"));
      server.registry().policies().login("192.0.2.2", null, "root", r -> r.equals("admin"));
      assertThat(server.registry().policies().boundPeers()).isEqualTo(1);
    }
  }

  @Test
  void relativePolicyFile_isReadFromCatalinaBase() throws Exception {
    TetherServer server = TetherServer.builder().set("policies", "conf/tether-policies.conf").build();
    // Embedded Tomcat sets catalina.base to the server's base directory, as a distribution does.
    Path conf = Files.createDirectories(Path.of(System.getProperty("catalina.base"), "conf"));
    Files.writeString(conf.resolve("tether-policies.conf"), PolicyApp.POLICIES);
    try (server) {
      server.start();
      assertThat(server.registry().policies().policies().find("admin")).isPresent();
    }
  }

  @Test
  void statelessTickets_failStart_whenStatefulSessionsAreRequired() throws Exception {
    withTicketProperty("true", () -> {
      try (LogCapture log = new LogCapture(); TetherServer server = TetherServer.builder().start()) {
        assertConnectorFailed(server);
        assertThat(log.text(Level.SEVERE)).contains(StatefulSessions.PROPERTY)
            .contains("requireStatefulSessions=false");
      }
    });
  }

  @Test
  void statelessTickets_onlyWarn_whenStatefulSessionsAreNotRequired() throws Exception {
    withTicketProperty("true", () -> {
      try (LogCapture log = new LogCapture(); TetherServer server = TetherServer.builder()
          .set("requireStatefulSessions", "false").start()) {
        assertThat(server.registry()).isNotNull();
        assertThat(log.text(Level.WARNING)).contains("Tether runs degraded");
      }
    });
  }

  @Test
  void statelessTicketCheck_doesNotApplyToBouncyCastle() throws Exception {
    withTicketProperty("true", () -> {
      try (TetherServer server = TetherServer.builder().set("provider", "bcjsse").start();
          HttpsClient client = HttpsClient.open(TetherServer.clientContext(), server.port(),
              "TLSv1.2")) {
        assertThat(client.get("/app/sa").status()).isEqualTo(200);
      }
    });
  }

  @Test
  void renegotiationRefused_withoutTheJdkProperty_warnsNamingIt() throws Exception {
    withProperty(ClientRenegotiation.PROPERTY, null, () -> {
      try (LogCapture log = new LogCapture(ClientRenegotiation.class.getName());
          TetherServer server = TetherServer.builder().start()) {
        assertThat(server.registry()).isNotNull();
        assertThat(log.lines(Level.WARNING)).singleElement().satisfies(m -> assertThat(m)
            .contains("renegotiationAllowed=false")
            .contains("-D" + ClientRenegotiation.PROPERTY + "=true"));
      }
    });
  }

  @Test
  void renegotiationRefused_withTheJdkProperty_startsQuietly() throws Exception {
    withProperty(ClientRenegotiation.PROPERTY, "true", () -> {
      try (LogCapture log = new LogCapture(ClientRenegotiation.class.getName());
          TetherServer server = TetherServer.builder().start()) {
        assertThat(server.registry()).isNotNull();
        assertThat(log.lines(Level.WARNING)).isEmpty();
      }
    });
  }

  @Test
  void jdkRenegotiationPropertyItWouldReject_failsStartNamingIt() throws Exception {
    withProperty(ClientRenegotiation.PROPERTY, "yes", () -> {
      try (LogCapture log = new LogCapture(); TetherServer server = TetherServer.builder().start()) {
        assertConnectorFailed(server);
        assertThat(log.text(Level.SEVERE))
            .contains("-D" + ClientRenegotiation.PROPERTY + "=yes is neither true nor false");
      }
    });
  }

  @Test
  void registry_isInJmx_withReadOnlyCountsAndFlushOperations() throws Exception {
    try (TetherServer server = TetherServer.builder().set("registryName", "jmx-test").start();
        HttpsClient client = HttpsClient.open(TetherServer.clientContext(), server.port(),
            "TLSv1.3")) {
      client.get("/app/sa");
      MBeanServer mbeans = ManagementFactory.getPlatformMBeanServer();
      Set<ObjectName> names = mbeans.queryNames(
          new ObjectName("*:type=TetherRegistry,name=\"jmx-test\",*"), null);
      assertThat(names).hasSize(1);
      ObjectName name = names.iterator().next();
      assertThat(mbeans.getAttribute(name, "accepted")).isEqualTo(1L);
      assertThat(mbeans.getAttribute(name, "active")).isEqualTo(1L);
      assertThat(mbeans.getAttribute(name, "grace")).isEqualTo("30s");
      assertThat(mbeans.getAttribute(name, "peerBindingTtl")).isEqualTo("30m");
      assertThat(mbeans.getAttribute(name, "maxAssociations")).isEqualTo(100_000L);
      assertThat(mbeans.getAttribute(name, "renegotiationAllowed")).isEqualTo(false);
      Set<String> attributes = new java.util.HashSet<>();
      for (javax.management.MBeanAttributeInfo a : mbeans.getMBeanInfo(name).getAttributes()) {
        attributes.add(a.getName());
      }
      for (Setting s : Setting.values()) {
        assertThat(attributes).as("JMX attribute for %s", s.key()).contains(s.key());
      }
      assertThat(mbeans.getAttribute(name, "boundPeers")).isEqualTo(0L);
      assertThat(mbeans.getAttribute(name, "policies")).isEqualTo("");
      assertThat(mbeans.getMBeanInfo(name).getAttributes()).noneMatch(a -> a.isWritable());
      assertThat((String[]) mbeans.invoke(name, "listAssociations", null, null)).hasSize(1);
      assertThat(mbeans.invoke(name, "flushAll", null, null)).isEqualTo(1);
      assertThat(server.stats().associations()).isZero();
    }
    assertThat(ManagementFactory.getPlatformMBeanServer().queryNames(
        new ObjectName("*:type=TetherRegistry,name=\"jmx-test\",*"), null)).isEmpty();
  }

  @Test
  void givenRegistry_servesTheConnector_showsItsSettings_andOutlivesTheConnector() throws Exception {
    AdapterSettings settings = new AdapterSettings((key, value) -> "owner." + key + "=" + value);
    settings.set(Setting.REGISTRY_NAME, "given");
    settings.set(Setting.GRACE, "45s");
    AssociationRegistry registry = settings.registryBuilder(null).build();
    try {
      try (TetherServer server = TetherServer.builder().registry(registry, settings).start();
          HttpsClient client = HttpsClient.open(TetherServer.clientContext(), server.port(),
              "TLSv1.3")) {
        assertThat(client.get("/app/sa").body()).contains("registry=AssociationRegistry[given]");
        assertThat(server.registry()).isSameAs(registry);
        assertThat(registry.stats().negotiated()).isEqualTo(1);
        MBeanServer mbeans = ManagementFactory.getPlatformMBeanServer();
        ObjectName name = mbeans.queryNames(
            new ObjectName("*:type=TetherRegistry,name=\"given\",*"), null).iterator().next();
        assertThat(mbeans.getAttribute(name, "grace")).isEqualTo("45s");
      }
      assertThat(registry.isClosed()).isFalse();
      assertThat(registry.stats().leases()).isZero();
    } finally {
      registry.close();
    }
  }

  @Test
  void givenRegistry_withTetherAttributesOfItsOwn_failsStartNamingThem() throws Exception {
    AdapterSettings settings = new AdapterSettings((key, value) -> key + "=" + value);
    try (AssociationRegistry registry = settings.registryBuilder(null).build();
        LogCapture log = new LogCapture();
        TetherServer server = TetherServer.builder().registry(registry, settings)
            .set("grace", "0").start()) {
      assertConnectorFailed(server);
      assertThat(log.text(Level.SEVERE)).contains("attributes [grace] are set, but the connector"
          + " was given the registry 'default'");
      assertThat(registry.isClosed()).isFalse();
    }
  }

  /**
   * A connector that cannot initialize does not stop an embedded Tomcat (nor a distribution's): it
   * is left FAILED, unbound, with the reason logged at SEVERE.
   */
  private static void assertConnectorFailed(TetherServer server) {
    assertThat(server.connector.getState()).isEqualTo(LifecycleState.FAILED);
    assertThat(server.connector.getLocalPort()).isEqualTo(-1);
    assertThat(server.registry()).isNull();
  }

  interface Body {
    void run() throws Exception;
  }

  /** Sets the ticket property for the check only: the JDK read its real value at start-up. */
  private static void withTicketProperty(String value, Body body) throws Exception {
    withProperty(StatefulSessions.PROPERTY, value, body);
  }

  /**
   * Sets a JDK property ({@code null}: clears it) for a start's checks, then restores it. The JDK
   * reads its TLS properties once per JVM, so the body must not depend on what the JDK does.
   */
  private static void withProperty(String name, String value, Body body) throws Exception {
    String before = System.getProperty(name);
    set(name, value);
    try {
      body.run();
    } finally {
      set(name, before);
    }
  }

  private static void set(String name, String value) {
    if (value == null) {
      System.clearProperty(name);
    } else {
      System.setProperty(name, value);
    }
  }
}
