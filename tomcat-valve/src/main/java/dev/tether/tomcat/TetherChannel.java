package dev.tether.tomcat;

import dev.tether.AssociationRefusedException;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.channels.SocketChannel;
import java.util.List;
import javax.net.ssl.SSLEngineResult.HandshakeStatus;
import javax.net.ssl.SSLException;
import org.apache.tomcat.util.net.NioEndpoint.NioSocketWrapper;
import org.apache.tomcat.util.net.SSLSupport;
import org.apache.tomcat.util.net.SecureNioChannel;
import org.apache.tomcat.util.net.SocketBufferHandler;
import org.apache.tomcat.util.net.openssl.ciphers.Cipher;
import org.apache.tomcat.util.net.openssl.ciphers.Group;
import org.apache.tomcat.util.net.openssl.ciphers.SignatureScheme;

/**
 * Tomcat's TLS channel with Tether's hooks: a new socket is an accepted connection (S1), the engine
 * created for it gets the connection's policy, and the end of the handshake acquires the lease (S2).
 *
 * <p>Tomcat pools channels: {@link #reset} gives a channel its next socket (or none, when the socket
 * closed), so every per-connection field is replaced there. The close itself (S4) is reported by
 * {@link TetherHandler#release}, which Tomcat calls exactly once per socket.
 *
 * <p>Concurrency: Tomcat drives one channel from one thread at a time (poller or worker); the
 * connection object is volatile. Requests, HTTP/2 streams on executor threads among them, find their
 * connection through the {@link TetherSslSupport} their processor was given, never through the
 * channel, which a pool may have handed to another socket meanwhile.
 */
final class TetherChannel extends SecureNioChannel {
  private static final byte TLS_HANDSHAKE_RECORD = 22;

  private final TetherEndpoint endpoint;
  private volatile TrackedConnection connection;

  TetherChannel(SocketBufferHandler bufferHandler, TetherEndpoint endpoint) {
    super(bufferHandler, endpoint);
    this.endpoint = endpoint;
  }

  @Override
  public void reset(SocketChannel channel, NioSocketWrapper socketWrapper) throws IOException {
    super.reset(channel, socketWrapper);
    connection = channel == null ? null : endpoint.accepted(channel, socketWrapper);
  }

  @Override
  public void free() {
    connection = null;
    super.free();
  }

  /** Returns the connection this channel serves now, or {@code null} between connections. */
  TrackedConnection connection() {
    return connection;
  }

  /**
   * Tomcat's TLS support for the connection's processors, carrying the connection: every processor of
   * the connection (HTTP/1.1, and each HTTP/2 stream's) gets it, and the valve reads the connection
   * back from the request ({@link TetherSslSupport}).
   */
  @Override
  public SSLSupport getSSLSupport() {
    SSLSupport support = super.getSSLSupport();
    TrackedConnection c = connection;
    return support == null || c == null ? support : new TetherSslSupport(support, c);
  }

  @Override
  protected void createSSLEngine(String hostName, List<Cipher> clientRequestedCiphers,
      List<String> clientRequestedApplicationProtocols, List<String> clientRequestedProtocols,
      List<Group> clientSupportedGroups, List<SignatureScheme> clientSignatureSchemes) {
    super.createSSLEngine(hostName, clientRequestedCiphers, clientRequestedApplicationProtocols,
        clientRequestedProtocols, clientSupportedGroups, clientSignatureSchemes);
    TrackedConnection c = connection;
    if (c != null) {
      // The policy fixed at accept is the one the lease is acquired under; the handshake is followed
      // so that a new SA is tagged before any session ticket leaves.
      c.tls().prepare(sslEngine, null);
    }
  }

  @Override
  public int handshake(boolean read, boolean write) throws IOException {
    TrackedConnection c = connection;
    int result;
    try {
      result = super.handshake(read, write);
    } catch (IOException e) {
      if (c != null && isTlsFailure(e)) {
        c.markTlsFailure();
      }
      throw e;
    }
    if (result == 0 && c != null) {
      try {
        if (c.tls().handshakeSucceeded(sslEngine.getSession()) != null) {
          endpoint.handshakeDone(c);
        }
      } catch (AssociationRefusedException e) {
        // Tomcat answers a failed handshake with CONNECT_FAIL and a close; the refusal is logged.
        throw new SSLException(e.getMessage());
      }
    }
    return result;
  }

  /** Plaintext on the TLS port and TLS alerts are failed handshakes; an EOF or reset is a close. */
  private boolean isTlsFailure(IOException e) {
    if (e instanceof SSLException) {
      return true;
    }
    return sslEngine == null && netInBuffer.position() > 0
        && netInBuffer.get(0) != TLS_HANDSHAKE_RECORD;
  }

  @Override
  public int read(ByteBuffer dst) throws IOException {
    int n = super.read(dst);
    checkRenegotiation();
    return n;
  }

  @Override
  public long read(ByteBuffer[] dsts, int offset, int length) throws IOException {
    long n = super.read(dsts, offset, length);
    checkRenegotiation();
    return n;
  }

  /**
   * A TLS 1.2 renegotiation could move the connection to a session that its SA does not know, and
   * that a flush would not delete. Tomcat answers a client's renegotiation while reading application
   * data; refusing it there closes the connection before the new handshake completes. If the JDK
   * refused it first ({@code -Djdk.tls.rejectClientInitiatedRenegotiation=true}), its fatal alert is
   * sent before the close, as RFC 5746 and TLS scanners expect; Tomcat itself would drop it.
   */
  private void checkRenegotiation() throws IOException {
    if (!handshakeComplete || sslEngine == null || endpoint.renegotiationAllowed()) {
      return;
    }
    HandshakeStatus status = sslEngine.getHandshakeStatus();
    if (status != HandshakeStatus.NOT_HANDSHAKING && status != HandshakeStatus.FINISHED
        && !"TLSv1.3".equals(sslEngine.getSession().getProtocol())) {
      if (sslEngine.isInboundDone()) {
        sendAlert();
      }
      TrackedConnection c = connection;
      throw new SSLException("Tether refused a TLS renegotiation from "
          + (c == null ? "a client" : c.tls().peer()) + " (renegotiationAllowed=false)");
    }
  }

  /**
   * Sends the alert of an engine whose handshake failed: the first wrap reports the failure of the
   * handshake task, the next one produces the alert. Best effort, since the connection closes next.
   */
  private void sendAlert() throws IOException {
    if (!flush(netOutBuffer)) {
      return; // application data still queued: the alert cannot go before it
    }
    for (int i = 0; i < 2 && !sslEngine.isOutboundDone(); i++) {
      netOutBuffer.clear();
      try {
        sslEngine.wrap(getEmptyBuf(), netOutBuffer);
      } catch (SSLException e) {
        // the failed task's exception; the alert comes with the next wrap
      }
      netOutBuffer.flip();
      flush(netOutBuffer);
    }
  }
}
