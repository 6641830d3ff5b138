package dev.tether.benchmarks.connections;

import dev.tether.benchmarks.Args;
import dev.tether.certificates.SelfSignedCertificate;
import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStream;
import java.io.InputStreamReader;
import java.io.OutputStream;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Map;
import java.util.concurrent.atomic.AtomicLong;
import javax.net.ssl.SSLContext;
import javax.net.ssl.SSLSessionContext;
import javax.net.ssl.SSLSocket;

/**
 * The benchmark's Java TLS client, a process of its own: every request is a new TLS connection
 * ({@code Connection: close}), from a few threads, each thread one client with its own
 * {@link SSLContext}. It stays up between rounds so that it is warmed up alike for every variant.
 *
 * <p>Commands on standard input, one line each; it answers
 * {@code connections=<ok> failures=<n> nanos=<elapsed>}:
 * <pre>
 * run port=8443 protocol=TLSv1.3 mode=full threads=4 seconds=5 connections=0
 * quit
 * </pre>
 * {@code mode=full}: after each connection the thread forgets its session, so every connection is a
 * full handshake (a new client each time). {@code mode=resume}: the thread keeps its sessions, so it
 * reconnects by resuming (a client coming back). A run ends after {@code seconds} or, if it is not 0,
 * after {@code connections} connections.
 */
public final class TlsClient {
  private static final byte[] REQUEST = ("GET /ok HTTP/1.1\r\nHost: localhost\r\n"
      + "Connection: close\r\n\r\n").getBytes(StandardCharsets.US_ASCII);

  private final SelfSignedCertificate certificate;

  TlsClient(SelfSignedCertificate certificate) {
    this.certificate = certificate;
  }

  public static void main(String[] args) throws Exception {
    Map<String, String> options = Args.parse(args);
    TlsClient client = new TlsClient(SelfSignedCertificate.loadOrCreate(
        Path.of(Args.required(options, "keystore")),
        Args.required(options, "password").toCharArray()));
    System.out.println("ready");
    System.out.flush();
    BufferedReader in = new BufferedReader(new InputStreamReader(System.in, StandardCharsets.UTF_8));
    for (String line; (line = in.readLine()) != null && !line.equals("quit"); ) {
      String answer;
      try {
        answer = client.run(Args.parse(toOptions(line)));
      } catch (RuntimeException | InterruptedException e) {
        answer = "error=" + e;
      }
      System.out.println(answer);
      System.out.flush();
    }
    System.exit(0);
  }

  private static String[] toOptions(String line) {
    String[] words = line.trim().split("\\s+");
    List<String> options = new ArrayList<>();
    for (int i = 1; i < words.length; i++) {
      options.add("--" + words[i]);
    }
    return options.toArray(String[]::new);
  }

  String run(Map<String, String> o) throws InterruptedException {
    int port = (int) Args.number(o, "port", 0, 1);
    String protocol = o.getOrDefault("protocol", "TLSv1.3");
    boolean full = switch (o.getOrDefault("mode", "full")) {
      case "full" -> true;
      case "resume" -> false;
      default -> throw new IllegalArgumentException("mode must be full or resume");
    };
    int threads = (int) Args.number(o, "threads", 4, 1);
    long seconds = Args.number(o, "seconds", 5, 0);
    long limit = Args.number(o, "connections", 0, 0);
    long deadline = System.nanoTime() + seconds * 1_000_000_000L;
    AtomicLong issued = new AtomicLong();
    AtomicLong ok = new AtomicLong();
    AtomicLong failed = new AtomicLong();
    List<Thread> workers = new ArrayList<>();
    long start = System.nanoTime();
    for (int t = 0; t < threads; t++) {
      SSLContext context = certificate.clientContext();
      Thread worker = new Thread(() -> {
        while ((limit == 0 || issued.incrementAndGet() <= limit)
            && (seconds == 0 || System.nanoTime() - deadline < 0)) {
          try {
            connect(context, port, protocol);
            ok.incrementAndGet();
          } catch (IOException | RuntimeException e) {
            failed.incrementAndGet();
          }
          if (full) {
            forget(context.getClientSessionContext());
          }
        }
      }, "client-" + t);
      worker.start();
      workers.add(worker);
    }
    for (Thread w : workers) {
      w.join();
    }
    long nanos = System.nanoTime() - start;
    return "connections=" + ok.get() + " failures=" + failed.get() + " nanos=" + nanos;
  }

  /** One request on a new TLS connection; throws unless the answer is 200. */
  static void connect(SSLContext context, int port, String protocol) throws IOException {
    Socket plain = new Socket();
    plain.setTcpNoDelay(true);
    plain.connect(new InetSocketAddress("127.0.0.1", port), 10_000);
    plain.setSoTimeout(10_000);
    // Named "localhost" so that the JDK caches and offers the session for this server.
    try (SSLSocket tls = (SSLSocket) context.getSocketFactory()
        .createSocket(plain, "localhost", port, true)) {
      tls.setEnabledProtocols(new String[] {protocol});
      tls.startHandshake();
      OutputStream out = tls.getOutputStream();
      out.write(REQUEST);
      out.flush();
      InputStream in = tls.getInputStream();
      byte[] buffer = new byte[512];
      int n = 0;
      for (int r; n < buffer.length && (r = in.read(buffer, n, buffer.length - n)) > 0; ) {
        n += r;
      }
      while (in.read(buffer) > 0) {
        // drain to the server's close
      }
      String head = new String(buffer, 0, Math.min(n, 12), StandardCharsets.US_ASCII);
      if (!head.startsWith("HTTP/1.1 200")) {
        throw new IOException("unexpected answer '" + head + "'");
      }
    }
  }

  /** Forgets every session of the client, so that its next connection is a full handshake. */
  static void forget(SSLSessionContext sessions) {
    for (byte[] id : Collections.list(sessions.getIds())) {
      var session = sessions.getSession(id);
      if (session != null) {
        session.invalidate();
      }
    }
  }
}
