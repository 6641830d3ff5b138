package dev.tether.reliability;

import java.io.IOException;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import javax.net.ssl.SSLContext;

/**
 * A well-behaved client on its own peer address ({@link Peers#BYSTANDER}) that asks for
 * {@code /app/hello} every 40 ms while a scenario runs, on a keep-alive connection that it replaces
 * every 25 requests (the new one resumes its session). Every answer must be a 200: a scenario shows
 * that the others were served throughout by asserting {@link #failures()} is empty.
 *
 * <p>Like a browser, it keeps a second connection open (its anchor, which sends nothing) so that its
 * SA never goes idle: a full registry cannot take the SA away to make room, and the bystander's new
 * connections resume it instead of needing a new one. The anchor ends if the server closes it.
 *
 * <p>A flush that deletes its SA ends its connections (the server closes them, or answers 421): like a
 * browser, it then asks again once on a new connection, and counts it ({@link #retries()}).
 *
 * <p>Runs on its own scheduler thread; the counters may be read from any thread.
 */
final class Bystander implements AutoCloseable {
  private static final int REQUESTS_PER_CONNECTION = 25;

  private final ScheduledExecutorService scheduler =
      Executors.newSingleThreadScheduledExecutor(r -> new Thread(r, "bystander"));
  private final Container server;
  private final SSLContext context = Certificates.client();
  private final String protocol;
  private final AtomicLong served = new AtomicLong();
  private final AtomicLong connections = new AtomicLong();
  private final AtomicLong retries = new AtomicLong();
  private final AtomicLong refusedOpens = new AtomicLong();
  private final List<Failure> failures = new CopyOnWriteArrayList<>();
  private Conn anchor;
  private Conn conn;
  private int onThisConnection;

  /** One failed request: when (System.nanoTime) and why. */
  record Failure(long nanos, String what) {}

  private Bystander(Container server, String protocol) {
    this.server = server;
    this.protocol = protocol;
  }

  /** Starts a TLS 1.2 bystander: its resumptions never depend on single-use tickets. */
  static Bystander start(Container server) {
    return start(server, "TLSv1.2");
  }

  static Bystander start(Container server, String protocol) {
    Bystander b = new Bystander(server, protocol);
    b.scheduler.execute(b::anchor);
    b.scheduler.scheduleWithFixedDelay(b::request, 0, 40, TimeUnit.MILLISECONDS);
    return b;
  }

  private void anchor() {
    try {
      anchor = Conn.open(context, Peers.BYSTANDER, server.port(), protocol);
      connections.incrementAndGet();
    } catch (IOException e) {
      failures.add(new Failure(System.nanoTime(), "anchor: " + e));
    }
  }

  private void request() {
    try {
      Conn.Response r = ask();
      if (r.status() != 200) {
        throw new IOException("status " + r.status());
      }
      served.incrementAndGet();
      if (++onThisConnection == REQUESTS_PER_CONNECTION || r.closing()) {
        conn.close();
        conn = null;
      }
    } catch (IOException | RuntimeException e) {
      failures.add(new Failure(System.nanoTime(), e.toString()));
      drop();
    }
  }

  /**
   * Asks; if the server ended the connection instead of answering (a flush deleted its SA: closed,
   * or 421), asks again on a new connection, as a browser does, up to {@value Churn#ATTEMPTS} times in
   * all: other clients flush every SA now and then, the new connection's SA included.
   */
  private Conn.Response ask() throws IOException {
    for (int attempt = 1; ; attempt++) {
      open();
      try {
        Conn.Response r = conn.get("/app/hello");
        if (r.status() != 421 || attempt == Churn.ATTEMPTS) {
          return r;
        }
      } catch (IOException e) {
        if (!Conn.endedByServer(e) || attempt == Churn.ATTEMPTS) {
          throw e;
        }
      }
      retries.incrementAndGet();
      drop();
    }
  }

  private void open() throws IOException {
    if (conn == null) {
      // A resumption that raced with a flush of its SA is refused: it connects again, once.
      conn = Conn.openRetryingRefused(2,
          () -> Conn.open(context, Peers.BYSTANDER, server.port(), protocol),
          Conn::refusedHandshake, () -> {
            retries.incrementAndGet();
            refusedOpens.incrementAndGet();
          });
      connections.incrementAndGet();
      onThisConnection = 0;
    }
  }

  /** Returns how many connections the server refused during their handshake (a resumed flushed SA). */
  long refusedOpens() {
    return refusedOpens.get();
  }

  /** Returns how many requests were asked again on a new connection the server had ended. */
  long retries() {
    return retries.get();
  }

  private void drop() {
    if (conn != null) {
      try {
        conn.reset();
      } catch (IOException ignored) {
        // already gone
      }
      conn = null;
    }
  }

  /** Returns the number of 200 answers so far. */
  long served() {
    return served.get();
  }

  /** Returns the number of TLS connections the bystander opened. */
  long connections() {
    return connections.get();
  }

  List<Failure> failures() {
    return failures;
  }

  /** Stops asking and closes the connection. */
  @Override
  public void close() throws InterruptedException, IOException {
    scheduler.shutdown();
    if (!scheduler.awaitTermination(30, TimeUnit.SECONDS)) {
      throw new IllegalStateException("the bystander did not stop");
    }
    if (conn != null) {
      conn.close();
      conn = null;
    }
    if (anchor != null) {
      try {
        anchor.close();
      } catch (IOException ignored) {
        // the server may have closed it (idle timeout, stop)
      }
      anchor = null;
    }
  }
}
