package dev.tether.jetty;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.awaitility.Awaitility.await;

import dev.tether.AssociationRegistry;
import dev.tether.DeletionCause;
import dev.tether.internal.Setting;
import java.io.IOException;
import java.lang.management.ManagementFactory;
import java.util.Set;
import javax.management.MBeanServer;
import javax.management.ObjectName;
import org.eclipse.jetty.jmx.MBeanContainer;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/**
 * The bean over JMX, exported by Jetty's {@link MBeanContainer}: live counts and flush operations.
 * (Jetty's JMX module is not served for 12.0.36 here, so the 12.0 run leaves this class out.)
 */
@SuppressWarnings("try") // connections held open for the length of a try block
class JettyTetherJmxTest {
  private final MBeanServer mbeans = ManagementFactory.getPlatformMBeanServer();
  private final MBeanContainer jmx = new MBeanContainer(mbeans);
  private final AssociationRegistry registry = AssociationRegistry.builder().name("ops").build();
  private final TestServer server = new TestServer();
  private JdkTlsClient client;

  private void start() throws Exception {
    server.server.addBean(jmx);
    JettyTether.addToAllConnectors(server.server, registry);
    server.start();
    client = new JdkTlsClient(TestServer.CERT.clientContext(), server.port(), "TLSv1.3");
  }

  @AfterEach
  void stop() throws Exception {
    server.close();
    jmx.destroy();
    registry.close();
  }

  private ObjectName tetherName() throws Exception {
    Set<ObjectName> names = mbeans.queryNames(new ObjectName("dev.tether.jetty:type=jettytether,*"),
        null);
    assertThat(names).hasSize(1);
    return names.iterator().next();
  }

  private long attribute(ObjectName name, String attribute) throws Exception {
    return ((Number) mbeans.getAttribute(name, attribute)).longValue();
  }

  @Test
  void jmx_showsEverySharedSetting_inItsSharedForm() throws Exception {
    start();
    ObjectName name = tetherName();
    Set<String> attributes = new java.util.HashSet<>();
    for (javax.management.MBeanAttributeInfo a : mbeans.getMBeanInfo(name).getAttributes()) {
      attributes.add(a.getName());
    }
    for (Setting s : Setting.values()) {
      assertThat(attributes).as("JMX attribute for %s", s.key()).contains(s.key());
    }
    assertThat(mbeans.getAttribute(name, "registryName")).isEqualTo("ops");
    assertThat(mbeans.getAttribute(name, "grace")).isEqualTo("30s");
    assertThat(mbeans.getAttribute(name, "peerBindingTtl")).isEqualTo("30m");
    assertThat(attribute(name, "maxAssociations")).isEqualTo(100_000);
    assertThat(mbeans.getAttribute(name, "renegotiationAllowed")).isEqualTo(false);
  }

  @Test
  void jmx_showsLiveCounts_andFlushesOneSaPeerOrAll() throws Exception {
    start();
    ObjectName name = tetherName();
    assertThat(mbeans.getAttribute(name, "provider")).isEqualTo("jdk");
    assertThat(mbeans.getAttribute(name, "statefulSessions")).isEqualTo(true);

    try (JdkTlsClient.Conn a = client.open()) {
      assertThat(attribute(name, "active")).isEqualTo(1);
      assertThat(attribute(name, "leases")).isEqualTo(1);
      assertThat(attribute(name, "negotiated")).isEqualTo(1);
      assertThat(attribute(name, "tlsConnections")).isEqualTo(1);

      String id = registry.associations().get(0).id();
      Object flushed = mbeans.invoke(name, "flush", new Object[] {id},
          new String[] {String.class.getName()});
      assertThat(flushed).isEqualTo(1);
      assertThat(attribute(name, "active")).isZero();
      assertThat(attribute(name, "flushed")).isEqualTo(1);
      // Deleting an SA ends its idle connection: the server shuts its side.
      assertThatThrownBy(a::get).isInstanceOf(IOException.class);
    }
    await().untilAsserted(() -> assertThat(attribute(name, "tlsConnections")).isZero());

    try (JdkTlsClient.Conn b = client.open()) {
      assertThat(attribute(name, "reused")).as("the flushed SA cannot be resumed").isZero();
      assertThat(mbeans.invoke(name, "flushPeer", new Object[] {"127.0.0.1"},
          new String[] {String.class.getName()})).isEqualTo(1);
    }
    try (JdkTlsClient.Conn c = client.open()) {
      assertThat(mbeans.invoke(name, "flushAll", new Object[0], new String[0])).isEqualTo(1);
    }
    await().untilAsserted(() -> assertThat(attribute(name, "leases")).isZero());
    assertThat(attribute(name, "negotiated")).isEqualTo(3);
    assertThat(attribute(name, "deleted")).isEqualTo(3);
    assertThat(registry.stats().deletedByCause()).containsEntry(DeletionCause.MANUAL, 3L);
  }
}
