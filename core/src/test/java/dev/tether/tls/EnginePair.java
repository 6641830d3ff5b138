package dev.tether.tls;

import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import javax.net.ssl.SSLContext;
import javax.net.ssl.SSLEngine;
import javax.net.ssl.SSLEngineResult;
import javax.net.ssl.SSLEngineResult.HandshakeStatus;
import javax.net.ssl.SSLException;

/**
 * A client and a server {@link SSLEngine} talking through two byte buffers, in one thread: a real
 * JSSE handshake and real records without sockets, so that tests control exactly when each side
 * reads and writes.
 */
final class EnginePair {
  final SSLEngine client;
  final SSLEngine server;
  private final ByteBuffer toServer = ByteBuffer.allocate(1 << 17);
  private final ByteBuffer toClient = ByteBuffer.allocate(1 << 17);
  private final ByteBuffer scratch = ByteBuffer.allocate(1 << 17);
  /** Application bytes the client received. */
  final StringBuilder clientReceived = new StringBuilder();
  /** Handshake records the server sent after its handshake completed (TLS 1.3 tickets, ...). */
  int serverRecordsAfterHandshake;
  private boolean serverDone;

  EnginePair(SSLContext clientContext, SSLEngine server, String protocol) {
    this.client = clientContext.createSSLEngine("localhost", 443);
    this.client.setUseClientMode(true);
    this.client.setEnabledProtocols(new String[] {protocol});
    this.server = server;
    this.server.setUseClientMode(false);
  }

  /** Runs the handshake to its end on both sides. */
  void handshake() throws SSLException {
    client.beginHandshake();
    server.beginHandshake();
    for (int i = 0; i < 100; i++) {
      boolean progressed = step(client, toServer, toClient, false)
          | step(server, toClient, toServer, true);
      if (done(client) && done(server) && toClient.position() == 0 && toServer.position() == 0) {
        return;
      }
      if (!progressed) {
        throw new IllegalStateException("handshake stuck: client " + client.getHandshakeStatus()
            + ", server " + server.getHandshakeStatus());
      }
    }
    throw new IllegalStateException("handshake did not end");
  }

  /**
   * The server writes application data; the client reads everything the server sent. Records the
   * engine produces besides the data (a post-handshake session ticket) are counted.
   */
  void serverWrites(String text) throws SSLException {
    ByteBuffer data = ByteBuffer.wrap(text.getBytes(StandardCharsets.UTF_8));
    for (int i = 0; i < 10 && (data.hasRemaining()
        || server.getHandshakeStatus() == HandshakeStatus.NEED_WRAP); i++) {
      scratch.clear();
      int before = data.remaining();
      SSLEngineResult r = server.wrap(data, scratch);
      scratch.flip();
      toClient.put(scratch);
      int consumed = before - data.remaining();
      // A record costs at most 22 bytes over its content in TLS 1.3, 29 in TLS 1.2.
      if (r.bytesProduced() > consumed + 64) {
        serverRecordsAfterHandshake++;
      }
    }
    clientReads();
  }

  /** The client reads and processes everything the server sent. */
  void clientReads() throws SSLException {
    toClient.flip();
    while (toClient.hasRemaining()) {
      scratch.clear();
      SSLEngineResult r = client.unwrap(toClient, scratch);
      runTasks(client);
      scratch.flip();
      clientReceived.append(StandardCharsets.UTF_8.decode(scratch));
      if (r.getStatus() != SSLEngineResult.Status.OK) {
        break;
      }
    }
    toClient.compact();
  }

  private boolean step(SSLEngine engine, ByteBuffer out, ByteBuffer in, boolean isServer)
      throws SSLException {
    boolean progressed = false;
    runTasks(engine);
    HandshakeStatus hs = engine.getHandshakeStatus();
    if (hs == HandshakeStatus.NEED_WRAP) {
      scratch.clear();
      SSLEngineResult r = engine.wrap(ByteBuffer.allocate(0), scratch);
      scratch.flip();
      out.put(scratch);
      progressed = r.bytesProduced() > 0 || r.getHandshakeStatus() != HandshakeStatus.NEED_WRAP;
      if (isServer && serverDone && r.bytesProduced() > 0) {
        serverRecordsAfterHandshake++;
      }
      if (isServer && r.getHandshakeStatus() == HandshakeStatus.FINISHED) {
        serverDone = true;
      }
    } else if (hs == HandshakeStatus.NEED_UNWRAP || hs == HandshakeStatus.NEED_UNWRAP_AGAIN
        || (done(engine) && in.position() > 0)) {
      // Unwrap during the handshake, and after it what the peer sent late (session tickets).
      in.flip();
      if (in.hasRemaining()) {
        scratch.clear();
        SSLEngineResult r = engine.unwrap(in, scratch);
        progressed = r.bytesConsumed() > 0 || r.getHandshakeStatus() != hs;
        if (isServer && r.getHandshakeStatus() == HandshakeStatus.FINISHED) {
          serverDone = true;
        }
      }
      in.compact();
    }
    return progressed;
  }

  private static boolean done(SSLEngine engine) {
    HandshakeStatus hs = engine.getHandshakeStatus();
    return hs == HandshakeStatus.NOT_HANDSHAKING || hs == HandshakeStatus.FINISHED;
  }

  private static void runTasks(SSLEngine engine) {
    Runnable task;
    while ((task = engine.getDelegatedTask()) != null) {
      task.run();
    }
  }
}
