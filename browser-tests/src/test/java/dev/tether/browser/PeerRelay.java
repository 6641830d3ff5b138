package dev.tether.browser;

import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.io.UncheckedIOException;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.net.SocketException;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * A TCP relay that gives a client an IP address of its own: it listens on {@code 127.0.0.1} and
 * opens each accepted connection to the shop from a socket bound to {@code 127.0.0.N}, so the shop
 * sees the client as peer {@code 127.0.0.N}, as if it were another machine. The bytes (TLS records)
 * pass untouched, one server connection per client connection, and each side's end (FIN) is passed
 * on to the other: a connection the server closes is closed for the browser too.
 *
 * <p>Tether files SAs, peer flushes and peer bindings under the client's address; a browser cannot
 * choose its source address, and every loopback connection comes from {@code 127.0.0.1}. Giving each
 * browser and the JSON monitor an address of its own keeps one's login from flushing or binding the
 * others, as on the Internet.
 *
 * <p>Thread-safe. Two threads per relayed connection; {@link #close()} ends them all.
 */
final class PeerRelay implements AutoCloseable {
  private final ServerSocket listener;
  private final InetSocketAddress target;
  private final InetAddress source;
  private final Set<Socket> open = ConcurrentHashMap.newKeySet();
  private volatile boolean closed;

  private PeerRelay(ServerSocket listener, InetSocketAddress target, InetAddress source) {
    this.listener = listener;
    this.target = target;
    this.source = source;
  }

  /**
   * Starts a relay to the shop's port on 127.0.0.1 whose connections come from {@code peer}.
   *
   * @param peer a loopback address other than 127.0.0.1, e.g. {@code 127.0.0.21}
   */
  static PeerRelay start(int shopPort, String peer) {
    try {
      InetAddress source = InetAddress.getByName(peer);
      if (!source.isLoopbackAddress()) {
        throw new IllegalArgumentException(peer + " is not a loopback address");
      }
      ServerSocket listener = new ServerSocket(0, 50, InetAddress.getLoopbackAddress());
      PeerRelay relay = new PeerRelay(listener,
          new InetSocketAddress(InetAddress.getLoopbackAddress(), shopPort), source);
      Thread t = new Thread(relay::acceptLoop, "relay-" + peer);
      t.setDaemon(true);
      t.start();
      return relay;
    } catch (IOException e) {
      throw new UncheckedIOException("cannot start a relay for " + peer, e);
    }
  }

  /** Returns the peer address the shop sees, as Tether writes it ({@code 127.0.0.21}). */
  String peer() {
    return source.getHostAddress();
  }

  /** Returns the port the client connects to, on 127.0.0.1. */
  int port() {
    return listener.getLocalPort();
  }

  private void acceptLoop() {
    while (!closed) {
      Socket client;
      try {
        client = listener.accept();
      } catch (IOException e) {
        return; // closed
      }
      Socket server = new Socket();
      try {
        server.bind(new InetSocketAddress(source, 0));
        server.connect(target, 5_000);
      } catch (IOException e) {
        quietly(client);
        quietly(server);
        continue;
      }
      open.add(client);
      open.add(server);
      AtomicInteger halves = new AtomicInteger(2);
      pump(client, server, halves, "up");
      pump(server, client, halves, "down");
    }
  }

  private void pump(Socket from, Socket to, AtomicInteger halves, String direction) {
    Thread t = new Thread(() -> {
      byte[] buffer = new byte[16 * 1024];
      try (InputStream in = from.getInputStream()) {
        OutputStream out = to.getOutputStream();
        for (int n; (n = in.read(buffer)) >= 0; ) {
          out.write(buffer, 0, n);
          out.flush();
        }
        to.shutdownOutput();
      } catch (IOException e) {
        // A reset on one side: reset the other too.
        abort(from, to);
      } finally {
        if (halves.decrementAndGet() == 0) {
          quietly(from);
          quietly(to);
        }
      }
    }, "relay-" + peer() + "-" + direction);
    t.setDaemon(true);
    t.start();
  }

  private void abort(Socket a, Socket b) {
    for (Socket s : new Socket[] {a, b}) {
      try {
        s.setSoLinger(true, 0);
      } catch (SocketException ignored) {
        // already closed
      }
      quietly(s);
    }
  }

  private void quietly(Socket s) {
    open.remove(s);
    try {
      s.close();
    } catch (IOException ignored) {
      // closing anyway
    }
  }

  @Override
  public void close() {
    closed = true;
    try {
      listener.close();
    } catch (IOException ignored) {
      // closing anyway
    }
    for (Socket s : open) {
      quietly(s);
    }
  }
}
