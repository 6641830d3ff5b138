package dev.tether.tls;

import static org.assertj.core.api.Assertions.assertThat;

import dev.tether.AssociationRegistry;
import dev.tether.AssociationStats;
import dev.tether.DeletionCause;
import dev.tether.Lease;
import dev.tether.certificates.SelfSignedCertificate;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.function.Consumer;
import javax.net.ssl.KeyManagerFactory;
import javax.net.ssl.SSLContext;
import javax.net.ssl.SSLEngine;
import javax.net.ssl.SSLSession;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * {@link TlsConnection#prepare} with the JDK's own engines (stateful session cache), client and server
 * in memory: a new SA is tagged while its handshake runs, so a flush right after the handshake, before
 * the server's first write, leaves the client no ticket to resume the flushed lineage with.
 */
class TlsConnectionHandshakeTest {
  private static final char[] PASSWORD = "handshake".toCharArray();
  private static final SelfSignedCertificate CERT = SelfSignedCertificate.create(PASSWORD);
  private static final String PEER = "192.0.2.1";

  private final AssociationRegistry registry = AssociationRegistry.builder()
      .name("handshake-test").grace(Duration.ofSeconds(60)).executor(Runnable::run).build();
  private final SSLContext server = serverContext();
  private SSLContext client = CERT.clientContext();
  private final List<Lease> leases = new ArrayList<>();

  @AfterEach
  void close() {
    leases.forEach(Lease::release);
    assertThat(registry.stats().leases()).isZero();
    registry.close();
  }

  @ParameterizedTest
  @ValueSource(strings = {"TLSv1.3", "TLSv1.2"})
  void flushAfterHandshake_beforeFirstWrite_nextConnectionNegotiatesAnew(String protocol)
      throws Exception {
    for (int round = 0; round < 20; round++) {
      Lease first = connect(protocol, true, null);
      registry.flush(first.associationId(), DeletionCause.LOGIN);
      respond();

      Lease next = connect(protocol, true, null);
      assertThat(next.isResumed()).as("round %d: the flushed lineage is not resumed", round)
          .isFalse();
      respond();
      Lease again = connect(protocol, true, null);
      assertThat(again.isResumed()).as("round %d: a live lineage is resumed", round).isTrue();
      assertThat(again.associationId()).isEqualTo(next.associationId());
      respond();
      registry.flushAll(DeletionCause.MANUAL);
    }
    AssociationStats s = registry.stats();
    assertThat(s.staleResumptions()).isZero();
    assertThat(s.refused()).isZero();
  }

  @Test
  void tls13_newSa_hasNoLateTicket_whileTaggingAfterTheHandshakeHasOne() throws Exception {
    connect("TLSv1.3", true, null);
    respond();
    assertThat(lastPair.serverRecordsAfterHandshake).as("prepared: nothing after the handshake")
        .isZero();

    // A new lineage (a client without a session to resume), tagged after its handshake.
    client = CERT.clientContext();
    connect("TLSv1.3", false, null);
    respond();
    assertThat(lastPair.serverRecordsAfterHandshake)
        .as("tagged after the handshake: one more ticket with the first response").isEqualTo(1);
  }

  @Test
  void tls13_decoratorValues_travelWithTheLineage_andCostNoLateTicket() throws Exception {
    List<String> decorated = new ArrayList<>();
    Lease first = connect("TLSv1.3", true, s -> {
      decorated.add(s.getProtocol());
      s.putValue("container.value", "x");
    });
    respond();
    assertThat(lastPair.serverRecordsAfterHandshake).isZero();
    Lease second = connect("TLSv1.3", true, s -> decorated.add("resumed?"));
    respond();

    assertThat(decorated).as("a new lineage only").containsExactly("TLSv1.3");
    assertThat(second.isResumed()).isTrue();
    assertThat(lastPair.server.getSession().getValue("container.value")).isEqualTo("x");
    assertThat(first.associationId()).isEqualTo(second.associationId());
  }

  private EnginePair lastPair;

  private Lease connect(String protocol, boolean prepare, Consumer<SSLSession> decorator)
      throws Exception {
    SSLEngine engine = server.createSSLEngine();
    TlsConnection tls = TlsConnection.accepted(registry, PEER);
    if (prepare) {
      tls.prepare(engine, decorator);
    }
    EnginePair pair = new EnginePair(client, engine, protocol);
    lastPair = pair;
    pair.handshake();
    Lease lease = tls.handshakeSucceeded(engine.getSession());
    leases.add(lease);
    return lease;
  }

  private void respond() throws Exception {
    lastPair.serverWrites("HTTP/1.1 200 OK\r\n\r\n");
    assertThat(lastPair.clientReceived.toString()).startsWith("HTTP/1.1 200");
  }

  private static SSLContext serverContext() {
    try {
      KeyManagerFactory kmf = KeyManagerFactory.getInstance(KeyManagerFactory.getDefaultAlgorithm());
      kmf.init(CERT.keyStore(), PASSWORD);
      SSLContext context = SSLContext.getInstance("TLS");
      context.init(kmf.getKeyManagers(), null, null);
      return context;
    } catch (Exception e) {
      throw new IllegalStateException(e);
    }
  }
}
