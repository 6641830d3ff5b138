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
import java.util.List;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicReference;

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
 * <p>The relay also tells who ended each connection ({@link Link}): when the browser's end arrives
 * first, the relay waits up to {@link #SERVER_END_WAIT} for the server's own before passing the
 * browser's on, so a server that was closing the connection anyway (a flush, a
 * {@code Connection: close}) is told from one that only reacts to the browser's close.
 *
 * <p>Thread-safe. Two threads per relayed connection; {@link #close()} ends them all.
 */
final class PeerRelay implements AutoCloseable {
  /** How long the browser's end of a connection waits for the server's before it is passed on. */
  static final long SERVER_END_WAIT = 1_000;

  /** Which side of a relayed connection ended it first. */
  enum Side { BROWSER, SERVER }

  /**
   * One relayed connection: the browser's port (Chromium's net-log names its sockets by it) and the
   * side that ended it, {@code null} while it is open. Thread-safe.
   */
  static final class Link {
    private final int browserPort;
    private final AtomicReference<Side> endedBy = new AtomicReference<>();
    private final CountDownLatch serverEnded = new CountDownLatch(1);
    private final Records browserRecords = new Records();

    Link(int browserPort) {
      this.browserPort = browserPort;
    }

    int browserPort() {
      return browserPort;
    }

    /** Returns the side that ended the connection first, or {@code null} while it is open. */
    Side endedBy() {
      return endedBy.get();
    }

    /**
     * Whether the browser sent a request over the connection: a TLS application-data record after
     * its first one. The browser's first such record is its encrypted Finished (TLS 1.3 encrypts
     * handshake messages as application data); a connection that the browser opened ahead of need
     * and never used sends only that one.
     */
    boolean carriedRequest() {
      return browserRecords.applicationData() > 1;
    }

    /** The server's end (FIN or reset) arrived. */
    void serverEnded() {
      serverEnded.countDown();
      endedBy.compareAndSet(null, Side.SERVER);
    }

    /**
     * The browser's end arrived; returns once the server has ended the connection too or
     * {@link #SERVER_END_WAIT} passed, and only then is the browser's end passed on, so that a
     * server's end counted here never answers the browser's.
     */
    void browserEnded() {
      try {
        serverEnded.await(SERVER_END_WAIT, TimeUnit.MILLISECONDS);
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
      }
      endedBy.compareAndSet(null, Side.BROWSER);
    }

    @Override
    public String toString() {
      return ":" + browserPort + (endedBy() == null ? " open" : " ended by " + endedBy())
          + ", browser's application-data records " + browserRecords.applicationData();
    }
  }

  /**
   * Counts the TLS records of one direction as they pass, reading only their 5-byte headers
   * (content type, version, length), which may arrive split across reads. Used by one pump thread;
   * the count is read by others.
   */
  static final class Records {
    private static final int APPLICATION_DATA = 23;
    private final byte[] header = new byte[5];
    private int headerRead;
    private int bodyLeft;
    private volatile int applicationData;

    void pass(byte[] bytes, int off, int len) {
      int i = off;
      int end = off + len;
      while (i < end) {
        if (bodyLeft > 0) {
          int skip = Math.min(bodyLeft, end - i);
          bodyLeft -= skip;
          i += skip;
          continue;
        }
        header[headerRead++] = bytes[i++];
        if (headerRead == header.length) {
          headerRead = 0;
          bodyLeft = ((header[3] & 0xff) << 8) | (header[4] & 0xff);
          if (header[0] == APPLICATION_DATA) {
            applicationData++;
          }
        }
      }
    }

    int applicationData() {
      return applicationData;
    }
  }

  private final ServerSocket listener;
  private final InetSocketAddress target;
  private final InetAddress source;
  private final Set<Socket> open = ConcurrentHashMap.newKeySet();
  private final List<Link> links = new CopyOnWriteArrayList<>();
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

  /** Returns every connection relayed so far, in the order they were accepted. */
  List<Link> links() {
    return List.copyOf(links);
  }

  /** Returns the connections relayed so far that neither side has ended yet. */
  List<Link> openLinks() {
    return links.stream().filter(l -> l.endedBy() == null).toList();
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
      Link link = new Link(client.getPort());
      links.add(link);
      AtomicInteger halves = new AtomicInteger(2);
      pump(client, server, halves, link, Side.BROWSER);
      pump(server, client, halves, link, Side.SERVER);
    }
  }

  /** Copies what {@code from} (the side {@code sender}) sends to {@code to}, then its end. */
  private void pump(Socket from, Socket to, AtomicInteger halves, Link link, Side sender) {
    Thread t = new Thread(() -> {
      byte[] buffer = new byte[16 * 1024];
      boolean reading = true;
      try (InputStream in = from.getInputStream()) {
        OutputStream out = to.getOutputStream();
        for (int n; (n = in.read(buffer)) >= 0; ) {
          if (sender == Side.BROWSER) {
            link.browserRecords.pass(buffer, 0, n);
          }
          reading = false;
          out.write(buffer, 0, n);
          out.flush();
          reading = true;
        }
        ended(link, sender);
        to.shutdownOutput();
      } catch (IOException e) {
        // A reset on one side (the sender's while reading, the other's while writing): reset the
        // other side too.
        ended(link, reading ? sender : other(sender));
        abort(from, to);
      } finally {
        if (halves.decrementAndGet() == 0) {
          quietly(from);
          quietly(to);
        }
      }
    }, "relay-" + peer() + (sender == Side.BROWSER ? "-up" : "-down"));
    t.setDaemon(true);
    t.start();
  }

  private static void ended(Link link, Side side) {
    if (side == Side.SERVER) {
      link.serverEnded();
    } else {
      link.browserEnded();
    }
  }

  private static Side other(Side side) {
    return side == Side.SERVER ? Side.BROWSER : Side.SERVER;
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
