package dev.tether.reliability;

import static org.assertj.core.api.Assertions.assertThat;

import dev.tether.AssociationRegistry;
import dev.tether.DeletionCause;
import dev.tether.testing.Http2Client;
import java.io.IOException;
import java.net.InetAddress;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Random;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import javax.net.ssl.SSLContext;

/**
 * The client mix of the churn scenarios: client threads that open TLS connections (resuming their
 * session cache's sessions when the server lets them), send a few requests (small, 32 KiB answers,
 * 16 KiB uploads), log in and out, flush SAs now and then, and end each connection in one of several
 * ways: close, reset, reset while the server writes or reads a large body, or left open next to the
 * following connections. Pairs of clients share a session cache and a peer address, like two
 * connections of one browser. Every fourth client speaks HTTP/2 (ALPN h2): bursts of streams at once
 * on one connection, which it closes or leaves open.
 *
 * <p>Like a browser, a client goes on over a new connection when the server ends one: a login or a
 * logout flushes the client's SAs and ends their connections (HTTP/1.1: after the response; HTTP/2:
 * GOAWAY), and another client's flush ends the connections of the SAs it deletes, new ones included.
 * A request that meets a connection the server ended (no answer on a kept-alive connection, a 421, a
 * stream refused by a GOAWAY, or Jetty's 500 for a request its connection closed under), and a
 * handshake the server refused (a resumption of a flushed SA), is tried again on a new connection, up
 * to {@value #ATTEMPTS} times in all, and counted as a retry; only the last attempt's failure is a
 * failure. Before it tries again the client forgets the TLS session of the connection that failed,
 * as browsers do: a session the server refused to resume would be offered again otherwise.
 *
 * <p>{@code Churn.run(server, 8, Duration.ofSeconds(25), tally)} returns when every client is done;
 * what they did and any unexpected failure is in the {@link Tally}.
 */
final class Churn {
  /** The first peer address of the clients: 127.0.0.10, 127.0.0.11, ... */
  static final int FIRST_PEER = 10;
  private static final long WAIT_SECONDS = 20;
  /** Attempts of one request or connection, as a browser makes them when the server ends one. */
  static final int ATTEMPTS = 3;

  private Churn() {}

  /** Runs {@code clients} client threads for {@code duration}; returns when all have stopped. */
  static void run(Container server, int clients, Duration duration, Tally tally) throws Exception {
    ExecutorService pool = Executors.newFixedThreadPool(clients);
    try {
      long deadline = System.nanoTime() + duration.toNanos();
      List<Future<?>> running = new ArrayList<>();
      SSLContext shared = null;
      for (int i = 0; i < clients; i++) {
        shared = i % 2 == 0 ? Certificates.client() : shared;
        Client client = new Client(server, shared, Peers.of(FIRST_PEER + i / 2), (clients + 1) / 2,
            i % 2 == 0 ? "TLSv1.3" : "TLSv1.2", new Random(i), tally);
        running.add(pool.submit(i % 4 == 3 ? () -> client.runHttp2(deadline)
            : () -> client.run(deadline)));
      }
      for (Future<?> f : running) {
        f.get(duration.toSeconds() + 120, TimeUnit.SECONDS);
      }
    } finally {
      pool.shutdownNow();
    }
  }

  /** One client thread. */
  static final class Client {
    private final Container server;
    private final SSLContext context;
    private final InetAddress from;
    private final int peers;
    private final String protocol;
    private final Random random;
    private final Tally tally;
    /**
     * The HTTP session of a login until its logout (Tomcat keeps the user there, so that the logout
     * can come on another connection), or {@code null}.
     */
    private String cookie;

    Client(Container server, SSLContext context, InetAddress from, int peers, String protocol,
        Random random, Tally tally) {
      this.server = server;
      this.context = context;
      this.from = from;
      this.peers = peers;
      this.protocol = protocol;
      this.random = random;
      this.tally = tally;
    }

    // -------------------------------------------------------------------------------------------
    // HTTP/1.1

    void run(long deadline) {
      Conn lingering = null;
      while (System.nanoTime() < deadline) {
        Conn c;
        try {
          c = open();
        } catch (IOException e) {
          tally.failed("open", e);
          continue;
        }
        try {
          lingering = use(c, lingering);
        } catch (IOException | RuntimeException e) {
          tally.failed("use", e);
          quietReset(c);
        }
      }
      if (lingering != null) {
        quietClose(lingering);
      }
    }

    private Conn open() throws IOException {
      for (int attempt = 1; ; attempt++) {
        try {
          Conn c = Conn.open(context, from, server.port(), protocol);
          tally.add("connections");
          return c;
        } catch (IOException e) {
          // The server refused the handshake (a resumption of a flushed lineage): it counted the
          // connection as accepted and refused; the client counts it here.
          tally.add("refusedHandshakes");
          if (attempt == ATTEMPTS) {
            throw e;
          }
          tally.add("retries");
        }
      }
    }

    /**
     * Uses the connection and ends it; returns the connection left open, if any. Now and then it
     * flushes a peer's SAs or all of them first, as an operator would: the pace of flushes follows
     * the pace of connections, however loaded the machine is.
     */
    private Conn use(Conn c, Conn lingering) throws IOException {
      if (random.nextInt(25) == 0) {
        flush();
      }
      for (int i = 0, n = 1 + random.nextInt(4); i < n; i++) {
        c = request(c);
      }
      if (random.nextInt(4) == 0) {
        // A login, and mostly a logout: each is one event for the container, and each ends its
        // connection (the policy flushes the client's SAs), so the client goes on over a new one.
        c = loginAndMaybeLogout(c);
      }
      switch (random.nextInt(20)) {
        case 0 -> {
          c.reset();
          tally.add("resets");
        }
        case 1 -> {
          // Reset while the server writes a large answer (unless a flush ended it first).
          try {
            c.send("GET", "/app/big?kb=1024", 0);
            c.readSome(4096);
          } catch (IOException endedByTheServer) {
            tally.add("endedBeforeTheReset");
          }
          c.reset();
          tally.add("resets");
        }
        case 2 -> {
          // Reset while the server reads a large body (unless a flush ended it first).
          try {
            c.send("POST", "/app/upload", 1 << 20);
            c.write(32 * 1024);
          } catch (IOException endedByTheServer) {
            tally.add("endedBeforeTheReset");
          }
          c.reset();
          tally.add("resets");
        }
        case 3, 4 -> {
          // Keep this one open for a while, next to the following connections.
          if (lingering != null) {
            lingering.close();
          }
          return c;
        }
        default -> c.close();
      }
      return lingering;
    }

    private Conn loginAndMaybeLogout(Conn c) throws IOException {
      Conn.Response login = exchange(c, "GET", "/app/login?u=alice&p=secret", 0);
      c = login.conn();
      expect(login, "user=alice");
      tally.add("logins");
      c = afterItsEnd(c);
      if (random.nextInt(10) < 7) {
        cookie = login.cookie();
        try {
          c = request(c);
          Conn.Response logout = exchange(c, "GET", "/app/logout", 0);
          c = logout.conn();
          expect(logout, "user=null");
          tally.add("logouts");
        } finally {
          cookie = null;
        }
        c = afterItsEnd(c);
      }
      return c;
    }

    /**
     * The server ends the connection of a login or logout: the client goes on over a new one, with
     * its next request (a connection reset right after its handshake could end before the server
     * saw the handshake complete).
     */
    private Conn afterItsEnd(Conn c) throws IOException {
      if (!c.closedByServer()) {
        throw new IOException("the server kept a connection whose SA a login or logout flushed");
      }
      c.close();
      return request(open());
    }

    /**
     * Whether the server ended the connection under a request it answered: a 421, or Jetty's 500
     * for a request whose connection it closed as it arrived ({@code EofException}).
     */
    static boolean endedUnder(Conn.Response r) {
      return r.status() == 421 || r.status() == 500 && r.body().contains("EofException");
    }

    private void flush() {
      AssociationRegistry registry = server.registry();
      int n = random.nextInt(6) == 0
          ? registry.flushAll(DeletionCause.MANUAL)
          : registry.flushPeer(Peers.of(FIRST_PEER + random.nextInt(peers)).getHostAddress(),
              DeletionCause.MANUAL);
      tally.add("flushes");
      tally.add("flushedSas", n);
    }

    /** One request; returns the connection it was answered on. */
    private Conn request(Conn c) throws IOException {
      Conn.Response r;
      switch (random.nextInt(10)) {
        case 0, 1 -> {
          r = exchange(c, "GET", "/app/big?kb=32", 0);
          assertThat(r.status()).as(r.body()).isEqualTo(200);
          assertThat(r.body()).hasSize(32 * 1024);
        }
        case 2 -> {
          r = exchange(c, "POST", "/app/upload", 16 * 1024);
          expect(r, "read=" + 16 * 1024);
        }
        default -> {
          r = exchange(c, "GET", "/app/hello", 0);
          expect(r, "ok");
        }
      }
      tally.add("requests");
      return r.conn();
    }

    /**
     * Sends a request; if the server ended the connection under it (no answer, or a 421), sends it
     * again on a new connection, once, as a browser does.
     */
    private Conn.Response exchange(Conn c, String method, String path, int body)
        throws IOException {
      // The login starts a new HTTP session: Tomcat refuses a login on top of a user it restored.
      String session = path.startsWith("/app/login") ? null : cookie;
      for (int attempt = 1; ; attempt++) {
        try {
          Conn.Response r = c.exchange(method, path, body, session);
          if (!endedUnder(r) || attempt == ATTEMPTS) {
            return r;
          }
        } catch (IOException e) {
          if (attempt == ATTEMPTS) {
            throw e;
          }
        }
        // The server ended the connection under the request: again on a new one.
        c.session().invalidate();
        quietReset(c);
        tally.add("retries");
        c = open();
      }
    }

    // -------------------------------------------------------------------------------------------
    // HTTP/2

    void runHttp2(long deadline) {
      Http2Client lingering = null;
      while (System.nanoTime() < deadline) {
        Http2Client h2;
        try {
          h2 = openHttp2();
        } catch (Exception e) {
          tally.failed("open h2", e);
          continue;
        }
        try {
          lingering = useHttp2(h2, lingering);
        } catch (Exception | AssertionError e) {
          tally.failed("use h2", e);
          quietClose(h2);
        }
      }
      quietClose(lingering);
    }

    private Http2Client openHttp2() throws Exception {
      for (int attempt = 1; ; attempt++) {
        try {
          Http2Client h2 = Http2Client.connect(context, from.getHostAddress(), server.port(),
              protocol);
          tally.add("connections");
          tally.add("h2Connections");
          return h2;
        } catch (ExecutionException e) {
          if (!(e.getCause() instanceof IOException)) {
            throw e;
          }
          tally.add("refusedHandshakes");
          if (attempt == ATTEMPTS) {
            throw e;
          }
          tally.add("retries");
        }
      }
    }

    private Http2Client useHttp2(Http2Client h2, Http2Client lingering) throws Exception {
      if (random.nextInt(25) == 0) {
        flush();
      }
      for (int i = 0, bursts = 1 + random.nextInt(3); i < bursts; i++) {
        h2 = burst(h2);
      }
      if (random.nextInt(4) == 0) {
        Answered login = stream(h2, "/app/login?u=alice&p=secret");
        expectReply(login.reply(), "user=alice");
        tally.add("logins");
        h2 = afterItsEnd(login.h2());
        if (random.nextInt(10) < 7) {
          cookie = cookieOf(login.reply());
          try {
            Answered logout = stream(h2, "/app/logout");
            expectReply(logout.reply(), "user=null");
            tally.add("logouts");
            h2 = afterItsEnd(logout.h2());
          } finally {
            cookie = null;
          }
        }
      }
      if (random.nextInt(5) == 0) {
        // Keep this one open for a while, next to the following connections.
        quietClose(lingering);
        return h2;
      }
      h2.close();
      return lingering;
    }

    /** A burst of streams at once; returns the connection they were answered on. */
    private Http2Client burst(Http2Client h2) throws Exception {
      List<String> paths = new ArrayList<>();
      for (int i = 0, n = 2 + random.nextInt(7); i < n; i++) {
        paths.add(switch (random.nextInt(10)) {
          case 0, 1 -> "/app/big?kb=32";
          case 2 -> "/app/upload";
          default -> "/app/hello";
        });
      }
      List<CompletableFuture<Http2Client.Reply>> sent = new ArrayList<>();
      for (String path : paths) {
        sent.add(send(h2, path));
      }
      for (int i = 0; i < paths.size(); i++) {
        Http2Client.Reply r = answer(sent.get(i));
        for (int attempt = 2; (r == null || r.status() == 421) && attempt <= ATTEMPTS; attempt++) {
          // A stream the server refused (its GOAWAY) or answered 421: again on a new connection.
          tally.add("retries");
          h2.sslSession().invalidate();
          quietClose(h2);
          h2 = openHttp2();
          r = answer(send(h2, paths.get(i)));
        }
        if (r == null) {
          throw new IOException("no answer to " + paths.get(i) + " in " + ATTEMPTS + " attempts");
        }
        switch (paths.get(i)) {
          case "/app/big?kb=32" -> {
            assertThat(r.status()).as(r.body()).isEqualTo(200);
            assertThat(r.body()).hasSize(32 * 1024);
          }
          case "/app/upload" -> expectReply(r, "read=" + 16 * 1024);
          default -> expectReply(r, "ok");
        }
        tally.add("requests");
        tally.add("h2Streams");
      }
      return h2;
    }

    private CompletableFuture<Http2Client.Reply> send(Http2Client h2, String path) {
      return path.equals("/app/upload") ? h2.request("POST", path, new byte[16 * 1024],
          "content-type", "application/octet-stream") : h2.get(path, headers());
    }

    /** One stream's answer and the connection it came on. */
    private record Answered(Http2Client h2, Http2Client.Reply reply) {}

    /** One stream, sent again on a new connection if the server ended this one under it. */
    private Answered stream(Http2Client h2, String path) throws Exception {
      String[] headers = path.startsWith("/app/login") ? new String[0] : headers();
      Http2Client.Reply r = answer(h2.get(path, headers));
      for (int attempt = 2; (r == null || r.status() == 421) && attempt <= ATTEMPTS; attempt++) {
        tally.add("retries");
        h2.sslSession().invalidate();
        quietClose(h2);
        h2 = openHttp2();
        r = answer(h2.get(path, headers));
      }
      if (r == null) {
        throw new IOException("no answer to " + path + " in " + ATTEMPTS + " attempts");
      }
      return new Answered(h2, r);
    }

    /** The answer, or {@code null} if the stream failed because the server ended the connection. */
    private static Http2Client.Reply answer(CompletableFuture<Http2Client.Reply> reply)
        throws InterruptedException, TimeoutException {
      try {
        return reply.get(WAIT_SECONDS, TimeUnit.SECONDS);
      } catch (ExecutionException e) {
        return null;
      }
    }

    /**
     * The server ends the connection of a login or logout with a GOAWAY: the client goes on over a
     * new connection, with its next streams.
     */
    private Http2Client afterItsEnd(Http2Client h2) throws Exception {
      h2.goAway().get(WAIT_SECONDS, TimeUnit.SECONDS);
      h2.closed().get(WAIT_SECONDS, TimeUnit.SECONDS);
      h2.close();
      return burst(openHttp2());
    }

    private String[] headers() {
      return cookie == null ? new String[0] : new String[] {"cookie", "JSESSIONID=" + cookie};
    }

    private static String cookieOf(Http2Client.Reply r) {
      String set = r.headers().get("set-cookie");
      if (set == null || !set.startsWith("JSESSIONID=")) {
        return null;
      }
      int end = set.indexOf(';');
      return set.substring("JSESSIONID=".length(), end < 0 ? set.length() : end);
    }

    private static void expectReply(Http2Client.Reply r, String body) {
      assertThat(r.status()).as(r.body()).isEqualTo(200);
      assertThat(r.body()).isEqualTo(body);
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

    private static void quietClose(Http2Client h2) {
      if (h2 == null) {
        return;
      }
      try {
        h2.close();
      } catch (Exception ignored) {
        // already gone
      }
    }
  }
}
