package dev.tether.jetty;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.awaitility.Awaitility.await;

import dev.tether.AssociationRegistry;
import dev.tether.SecurityAssociation;
import java.io.IOException;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/** What an operator sees and does without JMX: the bean's counters and flushes, and Server.dump(). */
@SuppressWarnings("try") // connections held open for the length of a try block
class JettyTetherManagementTest {
  private final AssociationRegistry registry = AssociationRegistry.builder().name("ops").build();
  private final TestServer server = new TestServer();
  private JettyTether tether;
  private JdkTlsClient client;

  private void start() throws Exception {
    tether = JettyTether.addToAllConnectors(server.server, registry);
    server.start();
    client = new JdkTlsClient(TestServer.CERT.clientContext(), server.port(), "TLSv1.3");
  }

  @AfterEach
  void stop() throws Exception {
    server.close();
    registry.close();
  }

  @Test
  void counters_followConnections_andFlushesEndTheIdleConnectionsOfTheSa() throws Exception {
    start();
    try (JdkTlsClient.Conn a = client.open(); JdkTlsClient.Conn b = client.open()) {
      assertThat(tether.getActive()).isEqualTo(1);
      assertThat(tether.getLeases()).isEqualTo(2);
      assertThat(tether.getTlsConnections()).isEqualTo(2);
      assertThat(tether.getAccepted()).isEqualTo(2);
      assertThat(tether.getNegotiated()).isEqualTo(1);
      assertThat(tether.getReused()).isEqualTo(1);

      assertThat(tether.flush("ffffffff")).isZero();
      assertThat(tether.flush(registry.associations().get(0).id())).isEqualTo(1);
      assertThat(tether.getActive()).isZero();
      assertThat(tether.getFlushed()).isEqualTo(1);
      // Idle, both connections end at once: the server shuts its side, so no request travels on
      // the deleted SA; they are gone once the client closes its side too.
      assertThatThrownBy(a::get).isInstanceOf(IOException.class);
      assertThatThrownBy(b::get).isInstanceOf(IOException.class);
    }
    await().untilAsserted(() -> assertThat(tether.getTlsConnections()).isZero());
    try (JdkTlsClient.Conn c = client.open()) {
      assertThat(tether.getReused()).as("the flushed SA cannot be resumed").isEqualTo(1);
      assertThat(tether.flushPeer("10.0.0.1")).isZero();
      assertThat(tether.flushPeer("127.0.0.1")).isEqualTo(1);
    }
    try (JdkTlsClient.Conn d = client.open()) {
      assertThat(tether.flushAll()).isEqualTo(1);
    }
    await().untilAsserted(() -> assertThat(tether.getLeases()).isZero());
    assertThat(tether.getTlsConnections()).isZero();
    assertThat(tether.getDeleted()).isEqualTo(3);
    assertThat(tether.getIdle()).isZero();
    assertThat(tether.getHandshakeFailures()).isZero();
    assertThat(tether.getClosedBeforeHandshake()).isZero();
  }

  @Test
  void serverDump_showsTheSaTable() throws Exception {
    start();
    try (JdkTlsClient.Conn a = client.open(); JdkTlsClient.Conn b = client.open()) {
      SecurityAssociation sa = registry.associations().get(0);
      String dump = server.server.dump();
      assertThat(dump).contains("JettyTether@").contains("associations size=1")
          .contains("SA " + sa.id() + " ACTIVE peer=127.0.0.1 TLSv1.3")
          .contains("references=2 reuses=1");
    }
  }
}
