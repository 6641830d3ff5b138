package dev.tether.tls;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.catchThrowable;

import dev.tether.certificates.SelfSignedCertificate;
import java.nio.ByteBuffer;
import java.security.GeneralSecurityException;
import javax.net.ssl.KeyManagerFactory;
import javax.net.ssl.SSLContext;
import javax.net.ssl.SSLEngine;
import javax.net.ssl.SSLEngineResult.HandshakeStatus;
import javax.net.ssl.SSLException;
import javax.net.ssl.SSLHandshakeException;
import org.junit.jupiter.api.Test;

/**
 * What the JDK's TLS server does with a client-initiated TLS 1.2 renegotiation, on two engines
 * talking in memory: {@link ClientRenegotiation#refusedByProvider} must say what the JDK does. The
 * build runs this class twice, in a JVM without {@value ClientRenegotiation#PROPERTY} (the JDK
 * renegotiates) and in one started with it set to {@code true} (a fatal {@code handshake_failure}).
 */
class ClientRenegotiationJdkTest {
  private static final char[] PASSWORD = "renegotiation".toCharArray();
  private static final SelfSignedCertificate CERT = SelfSignedCertificate.create(PASSWORD);
  private static final ByteBuffer NOTHING = ByteBuffer.allocate(0);

  private final ByteBuffer toServer = ByteBuffer.allocate(1 << 16);
  private final ByteBuffer toClient = ByteBuffer.allocate(1 << 16);
  private final ByteBuffer app = ByteBuffer.allocate(1 << 16);

  @Test
  void clientRenegotiation_isAnsweredAsTheCheckSays() throws Exception {
    boolean refused = ClientRenegotiation.refusedByProvider(TlsProvider.JDK);
    SSLEngine server = serverEngine();
    SSLEngine client = clientEngine();
    exchange(client, server);
    byte[] first = server.getSession().getId();

    // A full handshake, as openssl's R does: the JDK client would otherwise resume its session.
    client.getSession().invalidate();
    client.beginHandshake();
    Throwable failure = catchThrowable(() -> exchange(client, server));

    if (refused) {
      assertThat(failure).as("the server's view").isInstanceOf(SSLHandshakeException.class)
          .hasMessageContaining("Client initiated renegotiation is not allowed");
      // The second wrap after the failed handshake task sends the fatal alert to the client.
      assertThat(catchThrowable(() -> exchange(client, server)))
          .as("the client's view").isInstanceOf(SSLHandshakeException.class)
          .hasMessageContaining("handshake_failure");
    } else {
      assertThat(failure).isNull();
      assertThat(server.getSession().getId()).as("a new session on the same connection")
          .isNotEqualTo(first);
    }
  }

  @Test
  void propertyChangedAfterTheJvmsFirstServerHandshake_isNotSeenByTheJdk() throws Exception {
    boolean refused = ClientRenegotiation.refusedByProvider(TlsProvider.JDK);
    SSLEngine server = serverEngine();
    SSLEngine client = clientEngine();
    exchange(client, server);
    String before = System.getProperty(ClientRenegotiation.PROPERTY);
    System.setProperty(ClientRenegotiation.PROPERTY, Boolean.toString(!refused));
    try {
      client.beginHandshake();
      Throwable failure = catchThrowable(() -> exchange(client, server));
      assertThat(failure == null).as("renegotiated, with the property now " + !refused)
          .isEqualTo(!refused);
    } finally {
      if (before == null) {
        System.clearProperty(ClientRenegotiation.PROPERTY);
      } else {
        System.setProperty(ClientRenegotiation.PROPERTY, before);
      }
    }
  }

  private static SSLEngine serverEngine() throws GeneralSecurityException {
    KeyManagerFactory kmf = KeyManagerFactory.getInstance(KeyManagerFactory.getDefaultAlgorithm());
    kmf.init(CERT.keyStore(), PASSWORD);
    SSLContext context = SSLContext.getInstance("TLS");
    context.init(kmf.getKeyManagers(), null, null);
    SSLEngine engine = context.createSSLEngine();
    engine.setUseClientMode(false);
    return engine;
  }

  private static SSLEngine clientEngine() {
    SSLEngine engine = CERT.clientContext().createSSLEngine("localhost", 443);
    engine.setUseClientMode(true);
    engine.setEnabledProtocols(new String[] {"TLSv1.2"});
    return engine;
  }

  /** Moves records both ways until neither engine has anything to say; throws what either throws. */
  private void exchange(SSLEngine client, SSLEngine server) throws SSLException {
    for (int i = 0; i < 40; i++) {
      boolean moved = step(client, toClient, toServer) | step(server, toServer, toClient);
      if (!moved && idle(client) && idle(server)) {
        return;
      }
    }
    throw new AssertionError("the engines did not settle: client " + client.getHandshakeStatus()
        + ", server " + server.getHandshakeStatus());
  }

  private boolean step(SSLEngine engine, ByteBuffer in, ByteBuffer out) throws SSLException {
    boolean moved = engine.wrap(NOTHING, out).bytesProduced() > 0;
    runTasks(engine);
    in.flip();
    try {
      moved |= engine.unwrap(in, app).bytesConsumed() > 0;
    } finally {
      in.compact();
      app.clear();
    }
    runTasks(engine);
    return moved;
  }

  private static void runTasks(SSLEngine engine) {
    for (Runnable task = engine.getDelegatedTask(); task != null; task = engine.getDelegatedTask()) {
      task.run();
    }
  }

  private static boolean idle(SSLEngine engine) {
    HandshakeStatus s = engine.getHandshakeStatus();
    return s == HandshakeStatus.NOT_HANDSHAKING || s == HandshakeStatus.FINISHED;
  }
}
