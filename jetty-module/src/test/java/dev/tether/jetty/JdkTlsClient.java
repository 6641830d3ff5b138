package dev.tether.jetty;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.util.Arrays;
import java.util.Locale;
import javax.net.ssl.SSLContext;
import javax.net.ssl.SSLParameters;
import javax.net.ssl.SSLSession;
import javax.net.ssl.SSLSocket;

/**
 * A real JDK TLS client: {@link SSLSocket}s from one {@link SSLContext}, so that a connection resumes
 * the session of an earlier one (the JDK client caches sessions per host and port). Each connection
 * sends a keep-alive {@code GET /} and reads the answer, which also takes in a TLS 1.3 ticket.
 */
final class JdkTlsClient {
  private final SSLContext context;
  private final int port;
  private final String protocol;

  JdkTlsClient(SSLContext context, int port, String protocol) {
    this.context = context;
    this.port = port;
    this.protocol = protocol;
  }

  /** Opens a connection, completes its handshake and one request; it stays open. */
  Conn open() throws IOException {
    Socket plain = new Socket();
    plain.connect(new InetSocketAddress("127.0.0.1", port), 10_000);
    plain.setSoTimeout(20_000);
    SSLSocket tls = (SSLSocket) context.getSocketFactory().createSocket(plain, "localhost", port, true);
    SSLParameters params = tls.getSSLParameters();
    params.setProtocols(new String[] {protocol});
    tls.setSSLParameters(params);
    Conn conn = new Conn(plain, tls);
    try {
      tls.startHandshake();
      conn.get();
    } catch (IOException | RuntimeException e) {
      conn.close();
      throw e;
    }
    return conn;
  }

  /** One client connection. */
  static final class Conn implements AutoCloseable {
    private final Socket plain;
    private final SSLSocket tls;

    private Conn(Socket plain, SSLSocket tls) {
      this.plain = plain;
      this.tls = tls;
    }

    SSLSession session() {
      return tls.getSession();
    }

    /** Returns whether this connection resumed the session of {@code earlier} (same lineage). */
    boolean resumed(Conn earlier) {
      SSLSession a = earlier.session();
      SSLSession b = session();
      // TLS 1.2 resumes the same session; TLS 1.3 makes a new one with the lineage's creation time.
      return Arrays.equals(a.getId(), b.getId()) || a.getCreationTime() == b.getCreationTime();
    }

    /** Sends {@code GET /} and returns the body. */
    String get() throws IOException {
      OutputStream out = tls.getOutputStream();
      out.write("GET / HTTP/1.1\r\nHost: localhost\r\n\r\n".getBytes(StandardCharsets.US_ASCII));
      out.flush();
      InputStream in = tls.getInputStream();
      String head = readHead(in);
      int length = 0;
      for (String line : head.split("\r\n")) {
        if (line.toLowerCase(Locale.ROOT).startsWith("content-length:")) {
          length = Integer.parseInt(line.substring(15).trim());
        }
      }
      if (!head.startsWith("HTTP/1.1 200")) {
        throw new IOException("unexpected response: " + head);
      }
      return new String(in.readNBytes(length), StandardCharsets.UTF_8);
    }

    private static String readHead(InputStream in) throws IOException {
      ByteArrayOutputStream head = new ByteArrayOutputStream();
      int matched = 0;
      byte[] end = {'\r', '\n', '\r', '\n'};
      while (matched < 4) {
        int b = in.read();
        if (b < 0) {
          throw new IOException("connection closed in the response head: " + head);
        }
        head.write(b);
        matched = b == end[matched] ? matched + 1 : (b == '\r' ? 1 : 0);
      }
      return head.toString(StandardCharsets.US_ASCII);
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
  }
}
