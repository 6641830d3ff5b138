package dev.tether.reliability;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.util.Locale;
import java.util.function.Predicate;
import javax.net.ssl.SSLContext;
import javax.net.ssl.SSLParameters;
import javax.net.ssl.SSLSession;
import javax.net.ssl.SSLSocket;

/**
 * One client TLS connection (a JDK {@link SSLSocket}) from a chosen loopback address, speaking
 * HTTP/1.1 with keep-alive, so a test decides which requests share a connection and how it ends:
 * {@link #close()} (close_notify and FIN) or {@link #reset()} (RST, nothing else).
 *
 * <p>Not thread-safe: one connection belongs to one client thread.
 */
final class Conn implements AutoCloseable {
  private static final int TIMEOUT_MILLIS = 20_000;

  private final Socket plain;
  private final SSLSocket tls;
  private final InputStream in;
  private final OutputStream out;
  private boolean ending;
  /** The session cookie to send ({@code JSESSIONID=...}); kept from the answers' Set-Cookie. */
  private String cookie;

  private Conn(Socket plain, SSLSocket tls) throws IOException {
    this.plain = plain;
    this.tls = tls;
    this.in = tls.getInputStream();
    this.out = tls.getOutputStream();
  }

  /** Connects from {@code from} to the server, completes the TLS handshake, sends nothing yet. */
  static Conn open(SSLContext context, InetAddress from, int port, String protocol)
      throws IOException {
    Socket plain = tcp(from, port);
    try {
      // "localhost" names the server for SNI and keys the client's session cache.
      SSLSocket tls = (SSLSocket) context.getSocketFactory()
          .createSocket(plain, "localhost", port, true);
      SSLParameters params = tls.getSSLParameters();
      params.setProtocols(new String[] {protocol});
      tls.setSSLParameters(params);
      tls.startHandshake();
      return new Conn(plain, tls);
    } catch (IOException | RuntimeException e) {
      plain.close();
      throw e;
    }
  }

  /** Returns a plain TCP connection from {@code from} to the server's TLS port. */
  static Socket tcp(InetAddress from, int port) throws IOException {
    Socket plain = new Socket();
    try {
      plain.setReuseAddress(true);
      plain.bind(new InetSocketAddress(from, 0));
      plain.connect(new InetSocketAddress(InetAddress.getLoopbackAddress(), port), TIMEOUT_MILLIS);
      plain.setSoTimeout(TIMEOUT_MILLIS);
      return plain;
    } catch (IOException e) {
      plain.close();
      throw e;
    }
  }

  /**
   * Reads whatever the server still sends on a raw connection (an alert, say) until it closes;
   * returns false if it kept the connection open for the whole read timeout.
   */
  static boolean closesSoon(Socket raw) {
    try {
      raw.getInputStream().transferTo(java.io.OutputStream.nullOutputStream());
      return true;
    } catch (java.net.SocketTimeoutException e) {
      return false;
    } catch (IOException e) {
      return true; // reset: closed too
    }
  }

  SSLSession session() {
    return tls.getSession();
  }

  /** Returns the plain socket under the TLS layer, to write raw bytes past it. */
  Socket plain() {
    return plain;
  }

  Response get(String path) throws IOException {
    send("GET", path, 0);
    return read();
  }

  /** Posts {@code length} bytes and returns the answer. */
  Response post(String path, int length) throws IOException {
    send("POST", path, length);
    byte[] chunk = new byte[8192];
    for (int left = length; left > 0; left -= chunk.length) {
      out.write(chunk, 0, Math.min(left, chunk.length));
    }
    out.flush();
    return read();
  }

  /** Sends a request head, announcing a body of {@code length} bytes (none sent). */
  void send(String method, String path, int length) throws IOException {
    StringBuilder head = new StringBuilder(method).append(' ').append(path)
        .append(" HTTP/1.1\r\nHost: localhost\r\n");
    if (cookie != null) {
      head.append("Cookie: ").append(cookie).append("\r\n");
    }
    if (length > 0 || method.equals("POST")) {
      head.append("Content-Type: application/octet-stream\r\nContent-Length: ").append(length)
          .append("\r\n");
    }
    out.write(head.append("\r\n").toString().getBytes(StandardCharsets.US_ASCII));
    out.flush();
  }

  /** Writes part of a request body already announced by {@link #send}. */
  void write(int bytes) throws IOException {
    out.write(new byte[bytes]);
    out.flush();
  }

  /** Reads at least {@code bytes} bytes of whatever the server sends. */
  void readSome(int bytes) throws IOException {
    if (in.readNBytes(bytes).length < bytes) {
      throw new IOException("connection closed early");
    }
  }

  /** Reads one response. */
  Response read() throws IOException {
    String status = line();
    if (status == null) {
      throw new IOException("connection closed before a response");
    }
    int code = Integer.parseInt(status.split(" ")[1]);
    long length = -1;
    boolean chunked = false;
    boolean closing = false;
    for (String l = line(); l != null && !l.isEmpty(); l = line()) {
      String lower = l.toLowerCase(Locale.ROOT);
      if (lower.startsWith("content-length:")) {
        length = Long.parseLong(l.substring(15).trim());
      } else if (lower.startsWith("transfer-encoding:") && lower.contains("chunked")) {
        chunked = true;
      } else if (lower.startsWith("connection:") && lower.contains("close")) {
        closing = true;
      } else if (lower.startsWith("set-cookie:")) {
        cookie = l.substring(11).trim().split(";", 2)[0];
      }
    }
    ByteArrayOutputStream body = new ByteArrayOutputStream();
    if (chunked) {
      for (int n = Integer.parseInt(line().trim(), 16); n > 0; n = Integer.parseInt(line().trim(), 16)) {
        body.write(in.readNBytes(n));
        line();
      }
      line();
    } else if (length >= 0) {
      body.write(in.readNBytes((int) length));
    }
    ending |= closing;
    return new Response(code, body.toString(StandardCharsets.UTF_8), closing);
  }

  private String line() throws IOException {
    StringBuilder sb = new StringBuilder();
    for (int c = in.read(); c != -1; c = in.read()) {
      if (c == '\n') {
        return sb.toString();
      }
      if (c != '\r') {
        sb.append((char) c);
      }
    }
    return sb.length() == 0 ? null : sb.toString();
  }

  /** Returns whether the server has closed the connection (waits up to the read timeout). */
  boolean closedByServer() {
    try {
      return in.read() < 0;
    } catch (IOException e) {
      return !(e instanceof java.net.SocketTimeoutException);
    }
  }

  /** Drops the connection with a TCP reset: no close_notify, no FIN. */
  void reset() throws IOException {
    plain.setSoLinger(true, 0);
    plain.close();
  }

  @Override
  public void close() throws IOException {
    tls.close();
  }

  /** Returns the session cookie the server set, or {@code null}. */
  String cookie() {
    return cookie;
  }

  /** Sends this session cookie with the connection's requests (a browser's next connection does). */
  Conn cookie(String cookie) {
    this.cookie = cookie;
    return this;
  }

  /** Returns whether a response announced the end of the connection ({@code Connection: close}). */
  boolean ending() {
    return ending;
  }

  /**
   * Returns whether a failure of a request on this connection is the server ending it, as it does
   * when a flush deleted the connection's SA: closed before a response, or refused with 421. A
   * browser retries such a request on a new connection, and so do the test clients.
   */
  static boolean endedByServer(IOException e) {
    String m = String.valueOf(e.getMessage());
    return m.contains("closed before a response") || m.contains("closed early")
        || m.contains("already shutdown") || m.contains("Broken pipe")
        || m.contains("Connection reset");
  }

  /** Opens a connection of some kind; {@link #openRetryingRefused} calls it. */
  @FunctionalInterface
  interface Opener<T, E extends Exception> {
    T open() throws E;
  }

  /**
   * Opens a connection, and connects again when the server refused its handshake, up to {@code
   * attempts} in all. A resumption that races with a flush of its SA is refused during its
   * handshake (the flush wins: nothing resumes a flushed SA, and its session is deleted); the next
   * attempt may offer another session a flush deleted, as the client's cache (or a partner sharing
   * it) may hold several. {@code refused} says whether a failure is such a refusal; {@code
   * onRetry} counts each one retried.
   */
  static <T, E extends Exception> T openRetryingRefused(int attempts, Opener<T, E> opener,
      Predicate<? super E> refused, Runnable onRetry) throws E {
    for (int attempt = 1; ; attempt++) {
      try {
        return opener.open();
      } catch (Exception e) {
        @SuppressWarnings("unchecked")
        E failure = (E) e; // open() throws only E and unchecked exceptions
        if (e instanceof RuntimeException || !refused.test(failure) || attempt == attempts) {
          throw failure;
        }
        onRetry.run();
      }
    }
  }

  /**
   * Returns whether opening failed because the server refused the handshake: a resumption of an SA
   * that a flush deleted meanwhile is refused, before the handshake completes.
   */
  static boolean refusedHandshake(IOException e) {
    String m = String.valueOf(e.getMessage());
    return m.contains("terminated the handshake") || m.contains("already shutdown")
        || e instanceof javax.net.ssl.SSLHandshakeException;
  }

  /**
   * An HTTP response: its status and body, and whether it announced the end of the connection.
   */
  record Response(int status, String body, boolean closing) {}
}
