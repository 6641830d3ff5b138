package dev.tether.reliability;

import static org.assertj.core.api.Assertions.assertThat;

import dev.tether.AssociationRegistry;
import dev.tether.DeletionCause;
import java.io.IOException;
import java.net.InetAddress;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Random;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import javax.net.ssl.SSLContext;

/**
 * The client mix of the churn scenarios: client threads that open TLS connections (resuming their
 * session cache's sessions when the server lets them), send a few requests (small, 32 KiB answers,
 * 16 KiB uploads), log in and out, flush SAs now and then, and end each connection in one of several
 * ways: close, reset, reset while the server writes or reads a large body, or left open next to the
 * following connections. Pairs of clients share a session cache and a peer address, like two
 * connections of one browser. Every fourth client speaks HTTP/2 instead ({@link Http2Churn}):
 * bursts of streams at once on one connection.
 *
 * <p>{@code Churn.run(server, 8, Duration.ofSeconds(25), tally)} returns when every client is done;
 * what they did and any unexpected failure is in the {@link Tally}.
 */
final class Churn {
  /** The first peer address of the clients: 127.0.0.10, 127.0.0.11, ... */
  static final int FIRST_PEER = 10;
  /**
   * How often a client asks before it gives up on a request. The other client of its address logs
   * in and out all the time, flushing the address's SAs: on a loaded machine a new connection's SA
   * is sometimes flushed again before its request, two or three times in a row.
   */
  static final int ATTEMPTS = 8;

  private Churn() {}

  /** Runs {@code clients} client threads for {@code duration}; returns when all have stopped. */
  static void run(Container server, int clients, Duration duration, Tally tally) throws Exception {
    run(server, clients, duration, Long.MAX_VALUE, tally);
  }

  /**
   * Runs {@code clients} client threads until {@code duration} has passed or they have opened
   * {@code connections} connections between them (counted in the tally's {@code connections});
   * returns when all have stopped.
   */
  static void run(Container server, int clients, Duration duration, long connections, Tally tally)
      throws Exception {
    ExecutorService pool = Executors.newFixedThreadPool(clients);
    try {
      long deadline = System.nanoTime() + duration.toNanos();
      List<Future<?>> running = new ArrayList<>();
      SSLContext shared = null;
      for (int i = 0; i < clients; i++) {
        shared = i % 2 == 0 ? Certificates.client() : shared;
        InetAddress from = Peers.of(FIRST_PEER + i / 2);
        String protocol = i % 2 == 0 ? "TLSv1.3" : "TLSv1.2";
        int peers = (clients + 1) / 2;
        if (i % 4 == 3) {
          // HTTP/2 over TLS 1.2 and (every eighth client) TLS 1.3, on its own session cache.
          Http2Churn h2 = new Http2Churn(server, Certificates.client(), from, peers,
              i % 8 == 7 ? "TLSv1.3" : "TLSv1.2", new Random(i), tally);
          running.add(pool.submit(() -> h2.run(deadline, connections)));
        } else {
          Client client = new Client(server, shared, from, peers, protocol, new Random(i), tally);
          running.add(pool.submit(() -> client.run(deadline, connections)));
        }
      }
      for (Future<?> f : running) {
        f.get(duration.toSeconds() + 120, TimeUnit.SECONDS);
      }
    } finally {
      pool.shutdownNow();
    }
  }

  /**
   * Flushes a peer's SAs, or now and then all of them, as an operator would; the clients call it
   * now and then, so that the pace of flushes follows the pace of connections.
   */
  static void flush(Container server, Random random, int peers, Tally tally) {
    AssociationRegistry registry = server.registry();
    int n = random.nextInt(6) == 0
        ? registry.flushAll(DeletionCause.MANUAL)
        : registry.flushPeer(Peers.of(FIRST_PEER + random.nextInt(peers)).getHostAddress(),
            DeletionCause.MANUAL);
    tally.add("flushes");
    tally.add("flushedSas", n);
  }

  /** One HTTP/1.1 client thread. */
  private record Client(Container server, SSLContext context, InetAddress from, int peers,
      String protocol, Random random, Tally tally) {

    void run(long deadline, long connections) {
      Conn lingering = null;
      while (System.nanoTime() < deadline && tally.get("connections") < connections) {
        Conn[] c = new Conn[1];
        try {
          c[0] = open();
        } catch (IOException e) {
          tally.failed("open", e);
          continue;
        }
        try {
          lingering = use(c, lingering);
        } catch (IOException e) {
          if (Conn.endedByServer(e)) {
            // A flush deleted the connection's SA in the middle of a reset scenario.
            tally.add("endedByServer");
          } else {
            tally.failed("use", e);
          }
          quietReset(c[0]);
        } catch (RuntimeException e) {
          tally.failed("use", e);
          quietReset(c[0]);
        }
      }
      if (lingering != null) {
        quietClose(lingering);
      }
    }

    /** Opens a connection; a refused resumption is retried ({@code staleRetries}), see {@link Conn}. */
    private Conn open() throws IOException {
      Conn c = Conn.openRetryingRefused(ATTEMPTS,
          () -> Conn.open(context, from, server.port(), protocol), Conn::refusedHandshake,
          () -> tally.add("staleRetries"));
      tally.add("connections");
      return c;
    }

    /**
     * Uses the connection ({@code c[0]}, replaced when the server ends it) and ends it; returns the
     * connection left open, if any. Now and then it flushes a peer's SAs or all of them first, as an
     * operator would: the pace of flushes follows the pace of connections, however loaded the machine
     * is. A flush ends the connections of the SAs it deletes, a login or logout its own connection:
     * like a browser, the client then goes on over a new connection.
     */
    private Conn use(Conn[] c, Conn lingering) throws IOException {
      if (random.nextInt(25) == 0) {
        flush();
      }
      for (int i = 0, n = 1 + random.nextInt(4); i < n; i++) {
        request(c);
      }
      if (random.nextInt(4) == 0) {
        // A login, and mostly a logout, on one connection: each is one event for the container.
        expect(call(c, conn -> conn.get("/app/login?u=alice&p=secret")), "user=alice");
        tally.add("logins");
        if (random.nextInt(10) < 7) {
          request(c);
          expect(call(c, conn -> conn.get("/app/logout")), "user=null");
          tally.add("logouts");
        }
      }
      if (c[0].ending()) {
        // The server ends this connection after its last answer: nothing more to do on it.
        c[0].close();
        return lingering;
      }
      switch (random.nextInt(20)) {
        case 0 -> {
          c[0].reset();
          tally.add("resets");
        }
        case 1 -> {
          // Reset while the server writes a large answer.
          c[0].send("GET", "/app/big?kb=1024", 0);
          c[0].readSome(4096);
          c[0].reset();
          tally.add("resets");
        }
        case 2 -> {
          // Reset while the server reads a large body.
          c[0].send("POST", "/app/upload", 1 << 20);
          c[0].write(32 * 1024);
          c[0].reset();
          tally.add("resets");
        }
        case 3, 4 -> {
          // Keep this one open for a while, next to the following connections.
          if (lingering != null) {
            lingering.close();
          }
          return c[0];
        }
        default -> c[0].close();
      }
      return lingering;
    }

    /**
     * Makes one request on the client's connection, first replacing a connection the server said it
     * ends; if the server ends it instead of answering (closed, or 421: a flush deleted its SA), asks
     * again on a new connection, up to {@link #ATTEMPTS} times in all (counted in {@code retries}).
     */
    private Conn.Response call(Conn[] c, Request request) throws IOException {
      if (c[0].ending()) {
        c[0].close();
        c[0] = open().cookie(c[0].cookie());
      }
      for (int attempt = 1; ; attempt++) {
        try {
          Conn.Response r = request.on(c[0]);
          if (r.status() != 421 || attempt == ATTEMPTS) {
            return r;
          }
        } catch (IOException e) {
          if (!Conn.endedByServer(e) || attempt == ATTEMPTS) {
            throw e;
          }
        }
        // Other clients flush all the time: the new connection's SA may be flushed again at once.
        tally.add("retries");
        quietReset(c[0]);
        c[0] = open().cookie(c[0].cookie());
      }
    }

    /** One request on a connection. */
    @FunctionalInterface
    private interface Request {
      Conn.Response on(Conn c) throws IOException;
    }

    private void flush() {
      Churn.flush(server, random, peers, tally);
    }


    private void request(Conn[] c) throws IOException {
      switch (random.nextInt(10)) {
        case 0, 1 -> {
          Conn.Response r = call(c, conn -> conn.get("/app/big?kb=32"));
          assertThat(r.status()).as(r.body()).isEqualTo(200);
          assertThat(r.body()).hasSize(32 * 1024);
        }
        case 2 -> expect(call(c, conn -> conn.post("/app/upload", 16 * 1024)),
            "read=" + 16 * 1024);
        default -> expect(call(c, conn -> conn.get("/app/hello")), "ok");
      }
      tally.add("requests");
    }

    private static void expect(Conn.Response r, String body) {
      assertThat(r.status()).as(r.body()).isEqualTo(200);
      assertThat(r.body()).isEqualTo(body);
    }

    private static void quietReset(Conn c) {
      try {
        c.reset();
      } catch (IOException ignored) {
        // already gone
      }
    }

    private static void quietClose(Conn c) {
      try {
        c.close();
      } catch (IOException ignored) {
        // already gone
      }
    }
  }
}
