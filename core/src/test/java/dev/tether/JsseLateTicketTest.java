package dev.tether;

import static org.assertj.core.api.Assertions.assertThat;

import dev.tether.certificates.SelfSignedCertificate;
import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.io.OutputStream;
import java.net.InetAddress;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.function.Consumer;
import javax.net.ssl.KeyManagerFactory;
import javax.net.ssl.SSLContext;
import javax.net.ssl.SSLServerSocket;
import javax.net.ssl.SSLSocket;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/**
 * The registry with the JDK's own TLS 1.3 server socket (stateful session cache), one connection at a
 * time, tagging after the handshake: the worst case, since an {@code SSLSocket} offers no moment
 * during the handshake to tag (containers use engines, see {@code dev.tether.tls}).
 *
 * <p>A TLS 1.3 session the driver tags with {@code putValue} makes the JDK server send one more
 * session ticket on the connection's next write, as a child of the session, whether or not the
 * session was invalidated meanwhile. A ticket issued after its SA was deleted stays in the cache and
 * can be resumed: such a connection is a stale resumption. It is refused (never served), its session
 * deleted, and the client's next connection negotiates anew.
 */
class JsseLateTicketTest {
  private static final char[] PASSWORD = "late-ticket".toCharArray();
  private static final SelfSignedCertificate CERT = SelfSignedCertificate.create(PASSWORD);

  // Maintenance on the calling thread: no common-pool threads for later tests (Lincheck) to meet.
  private final AssociationRegistry registry = AssociationRegistry.builder()
      .name("late-ticket").grace(Duration.ofSeconds(60)).executor(Runnable::run).build();
  private final ExecutorService serverThread = Executors.newSingleThreadExecutor();
  private SSLServerSocket server;

  @AfterEach
  void close() throws IOException {
    registry.close();
    serverThread.shutdownNow();
    if (server != null) {
      server.close();
    }
  }

  @Test
  void flushBeforeFirstWrite_tls13LateTicket_isRefusedNotServed() throws Exception {
    SSLContext serverContext = SSLContext.getInstance("TLS");
    KeyManagerFactory kmf = KeyManagerFactory.getInstance(KeyManagerFactory.getDefaultAlgorithm());
    kmf.init(CERT.keyStore(), PASSWORD);
    serverContext.init(kmf.getKeyManagers(), null, null);
    server = (SSLServerSocket) serverContext.getServerSocketFactory()
        .createServerSocket(0, 50, InetAddress.getLoopbackAddress());
    server.setEnabledProtocols(new String[] {"TLSv1.3"});
    SSLContext client = CERT.clientContext();

    // The first connection's SA is flushed after its handshake, before the server's first write.
    assertThat(exchange(client, lease -> registry.flushAll(DeletionCause.MANUAL))).isTrue();
    int served = 0;
    for (int i = 0; i < 4; i++) {
      served += exchange(client, lease -> { }) ? 1 : 0;
    }

    AssociationStats s = registry.stats();
    // The ticket sent after the flush is resumed once (the JDK caches it although its parent was
    // invalidated): that connection is refused, and its ticket deleted.
    assertThat(s.staleResumptions()).as("connections that resumed the flushed lineage in TLS")
        .isLessThanOrEqualTo(1);
    assertThat(s.refusedByReason()).containsEntry(RefusalReason.STALE, s.staleResumptions());
    assertThat(served).as("every other connection is served").isEqualTo(4 - s.staleResumptions());
    assertThat(s.negotiated()).as("the flushed SA and one new lineage").isEqualTo(2);
    assertThat(s.reused()).as("the new lineage is resumed as usual")
        .isEqualTo(3 - s.staleResumptions());
    assertThat(s.leases()).isZero();
  }

  /**
   * One connection: handshake, lease, hook, request, answer, close. Returns whether it was served;
   * a connection refused its SA is closed by the server after its handshake.
   */
  private boolean exchange(SSLContext client, Consumer<Lease> afterHandshake) throws Exception {
    Future<Boolean> served = serverThread.submit(() -> {
      try (SSLSocket s = (SSLSocket) server.accept()) {
        s.startHandshake();
        Lease lease;
        try {
          lease = registry.acquire(s.getSession(), "127.0.0.1");
        } catch (AssociationRefusedException refused) {
          return false;
        }
        try {
          afterHandshake.accept(lease);
          BufferedReader in = new BufferedReader(
              new InputStreamReader(s.getInputStream(), StandardCharsets.US_ASCII));
          OutputStream out = s.getOutputStream();
          while (in.readLine() != null) {
            out.write("pong\n".getBytes(StandardCharsets.US_ASCII));
            out.flush();
          }
        } finally {
          lease.release();
        }
        return true;
      }
    });
    try (SSLSocket c = (SSLSocket) client.getSocketFactory()
        .createSocket(InetAddress.getLoopbackAddress(), server.getLocalPort())) {
      c.setEnabledProtocols(new String[] {"TLSv1.3"});
      c.setSoTimeout(10_000);
      BufferedReader in = new BufferedReader(
          new InputStreamReader(c.getInputStream(), StandardCharsets.US_ASCII));
      // Two exchanges: the client reads what the server sent after its first answer too.
      for (int i = 0; i < 2; i++) {
        c.getOutputStream().write("ping\n".getBytes(StandardCharsets.US_ASCII));
        c.getOutputStream().flush();
        String answer = in.readLine();
        if (answer == null) {
          break; // refused: closed after the handshake
        }
        assertThat(answer).isEqualTo("pong");
      }
    } catch (IOException refused) {
      // The server closed the connection it refused.
    }
    return served.get(10, TimeUnit.SECONDS);
  }
}
