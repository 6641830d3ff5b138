package dev.tether.reliability;

import static org.assertj.core.api.Assertions.assertThat;

import dev.tether.testing.Http2Client;
import java.io.IOException;
import java.net.InetAddress;
import java.util.ArrayList;
import java.util.List;
import java.util.Random;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import javax.net.ssl.SSLContext;

/**
 * The churn's HTTP/2 client thread (ALPN {@code h2}, Jetty's {@link Http2Client}): bursts of 2 to 8
 * streams at once on one connection (small, 32 KiB answers, 16 KiB uploads), logins and logouts on a
 * stream of their own, flushes now and then; each connection is closed or left open next to the
 * following ones.
 *
 * <p>It goes on like the HTTP/1.1 clients ({@link Churn}) when the server ends a connection: a login
 * or logout ends its own with a GOAWAY, and the client waits for it, then goes on over a new
 * connection; the streams of a burst that a flush's GOAWAY refused, or that were answered 421, are
 * sent again together on one new connection (each replacement counted in {@code retries}; a burst
 * fails when {@value Churn#ATTEMPTS} connections in a row answer none of its streams, a single stream
 * after {@value Churn#ATTEMPTS} attempts); a resumption refused as its SA was flushed meanwhile is
 * connected again ({@code staleRetries}), up to {@value Churn#ATTEMPTS} times. Connections count in {@code connections} and
 * {@code h2Connections}, streams in {@code requests} and {@code h2Streams}.
 */
final class Http2Churn {
  private static final long WAIT_SECONDS = 20;
  /** As for the HTTP/1.1 clients: the partner client's logins flush the address's SAs often. */
  private static final int ATTEMPTS = Churn.ATTEMPTS;

  private final Container server;
  private final SSLContext context;
  private final InetAddress from;
  private final int peers;
  private final String protocol;
  private final Random random;
  private final Tally tally;
  /** The HTTP session cookie of a login until its logout ({@code JSESSIONID=...}), or null. */
  private String cookie;
  /** How the last stream that got no answer failed, for the message of a failure. */
  private String lastFailure;

  Http2Churn(Container server, SSLContext context, InetAddress from, int peers, String protocol,
      Random random, Tally tally) {
    this.server = server;
    this.context = context;
    this.from = from;
    this.peers = peers;
    this.protocol = protocol;
    this.random = random;
    this.tally = tally;
  }

  /** Runs until {@code deadline} or until the tally counts {@code connections} connections. */
  void run(long deadline, long connections) {
    Http2Client lingering = null;
    while (System.nanoTime() < deadline && tally.get("connections") < connections) {
      Http2Client h2;
      try {
        h2 = open();
      } catch (Exception e) {
        tally.failed("open h2", e);
        continue;
      }
      try {
        lingering = use(h2, lingering);
      } catch (Exception | AssertionError e) {
        tally.failed("use h2", e);
        quietClose(h2);
      }
    }
    quietClose(lingering);
  }

  /** Opens a connection; a refused resumption is retried ({@code staleRetries}), see {@link Conn}. */
  private Http2Client open() throws Exception {
    Http2Client h2 = Conn.openRetryingRefused(ATTEMPTS,
        () -> Http2Client.connect(context, from.getHostAddress(), server.port(), protocol),
        e -> e instanceof ExecutionException && e.getCause() instanceof IOException,
        () -> tally.add("staleRetries"));
    tally.add("connections");
    tally.add("h2Connections");
    return h2;
  }

  private Http2Client use(Http2Client h2, Http2Client lingering) throws Exception {
    if (random.nextInt(25) == 0) {
      Churn.flush(server, random, peers, tally);
    }
    for (int i = 0, bursts = 1 + random.nextInt(3); i < bursts; i++) {
      h2 = burst(h2);
    }
    if (random.nextInt(4) == 0) {
      Answered login = stream(h2, "/app/login?u=alice&p=secret");
      expect(login.reply(), "user=alice");
      tally.add("logins");
      h2 = afterItsEnd(login.h2());
      if (random.nextInt(10) < 7) {
        cookie = cookieOf(login.reply());
        try {
          Answered logout = stream(h2, "/app/logout");
          expect(logout.reply(), "user=null");
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
    List<Http2Client.Reply> replies = new ArrayList<>(paths.size());
    List<CompletableFuture<Http2Client.Reply>> sent = new ArrayList<>(paths.size());
    for (String path : paths) {
      sent.add(send(h2, path));
      replies.add(null);
    }
    // A flush may end each new connection too (the partner client's logins flush the peer's SAs
    // several times a second): the burst fails only when connections in a row answer none of it.
    for (int fruitless = 0; ; ) {
      int answered = 0;
      int unanswered = 0;
      for (int i = 0; i < paths.size(); i++) {
        if (replies.get(i) == null) {
          Http2Client.Reply r = answer(sent.get(i));
          replies.set(i, r == null || r.status() == 421 ? null : r);
          if (replies.get(i) == null) {
            unanswered++;
          } else {
            answered++;
          }
        }
      }
      if (unanswered == 0) {
        break;
      }
      fruitless = answered > 0 ? 0 : fruitless + 1;
      if (fruitless == ATTEMPTS) {
        throw new IOException(unanswered + " streams of a burst unanswered on " + ATTEMPTS
            + " connections in a row: " + lastFailure);
      }
      // A flush ended the connection (GOAWAY, or 421): the streams it refused, on a new one.
      tally.add("retries");
      quietClose(h2);
      h2 = open();
      for (int i = 0; i < paths.size(); i++) {
        if (replies.get(i) == null) {
          sent.set(i, send(h2, paths.get(i)));
        }
      }
    }
    for (int i = 0; i < paths.size(); i++) {
      Http2Client.Reply r = replies.get(i);
      switch (paths.get(i)) {
        case "/app/big?kb=32" -> {
          assertThat(r.status()).as(r.body()).isEqualTo(200);
          assertThat(r.body()).hasSize(32 * 1024);
        }
        case "/app/upload" -> expect(r, "read=" + 16 * 1024);
        default -> expect(r, "ok");
      }
      tally.add("requests");
      tally.add("h2Streams");
    }
    return h2;
  }

  private CompletableFuture<Http2Client.Reply> send(Http2Client h2, String path) {
    return path.equals("/app/upload") ? h2.request("POST", path, new byte[16 * 1024],
        "content-type", "application/octet-stream") : h2.get(path, headers(path));
  }

  /** One stream's answer and the connection it came on. */
  private record Answered(Http2Client h2, Http2Client.Reply reply) {}

  /** One stream, sent again on a new connection if the server ended this one under it. */
  private Answered stream(Http2Client h2, String path) throws Exception {
    Http2Client.Reply r = answer(send(h2, path));
    for (int attempt = 2; (r == null || r.status() == 421) && attempt <= ATTEMPTS; attempt++) {
      tally.add("retries");
      quietClose(h2);
      h2 = open();
      r = answer(send(h2, path));
    }
    if (r == null) {
      throw new IOException("no answer to " + path + " in " + ATTEMPTS + " attempts: "
          + lastFailure);
    }
    return new Answered(h2, r);
  }

  /** The answer, or {@code null} if the stream failed because the server ended the connection. */
  private Http2Client.Reply answer(CompletableFuture<Http2Client.Reply> reply)
      throws InterruptedException, TimeoutException {
    try {
      Http2Client.Reply r = reply.get(WAIT_SECONDS, TimeUnit.SECONDS);
      if (r.status() == 421) {
        lastFailure = "421";
      }
      return r;
    } catch (ExecutionException e) {
      lastFailure = String.valueOf(e.getCause());
      return null;
    }
  }

  /**
   * The server ends the connection of a login or logout with a GOAWAY: the client waits for it and
   * for the close, then goes on over a new connection, with its next streams.
   */
  private Http2Client afterItsEnd(Http2Client h2) throws Exception {
    h2.goAway().get(WAIT_SECONDS, TimeUnit.SECONDS);
    h2.closed().get(WAIT_SECONDS, TimeUnit.SECONDS);
    h2.close();
    return burst(open());
  }

  /** The request's headers: the session cookie, but not on a login (it starts a new session). */
  private String[] headers(String path) {
    return cookie == null || path.startsWith("/app/login") ? new String[0]
        : new String[] {"cookie", cookie};
  }

  private static String cookieOf(Http2Client.Reply r) {
    String set = r.headers().get("set-cookie");
    return set == null ? null : set.split(";", 2)[0];
  }

  private static void expect(Http2Client.Reply r, String body) {
    assertThat(r.status()).as(r.body()).isEqualTo(200);
    assertThat(r.body()).isEqualTo(body);
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
