package dev.tether.tomcat;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.util.LinkedHashMap;
import java.util.Locale;
import java.util.Map;
import javax.net.ssl.SSLContext;
import javax.net.ssl.SSLSession;
import javax.net.ssl.SSLSocket;

/**
 * HTTP/1.1 over a JDK {@link SSLSocket}, one connection at a time, so that a test decides exactly
 * which requests share a connection. Like a browser, it opens a new connection (from the same
 * context, so it may resume) when the server answered {@code Connection: close}, and counts them.
 * Clients built from one {@link SSLContext} resume each other's sessions.
 */
final class HttpsClient implements AutoCloseable {
  private final SSLContext context;
  private final int port;
  private final String protocol;
  private SSLSocket socket;
  private InputStream in;
  private OutputStream out;
  private boolean closedByServer;
  private int connections;
  private String cookie;

  private HttpsClient(SSLContext context, int port, String protocol) throws IOException {
    this.context = context;
    this.port = port;
    this.protocol = protocol;
    connect();
  }

  static HttpsClient open(SSLContext context, int port, String protocol) throws IOException {
    return new HttpsClient(context, port, protocol);
  }

  private void connect() throws IOException {
    SSLSocket s = (SSLSocket) context.getSocketFactory().createSocket("localhost", port);
    s.setEnabledProtocols(new String[] {protocol});
    s.setSoTimeout(10_000);
    s.startHandshake();
    socket = s;
    in = s.getInputStream();
    out = s.getOutputStream();
    closedByServer = false;
    connections++;
  }

  /** Returns how many connections this client opened: one, plus one per {@code Connection: close}. */
  int connections() {
    return connections;
  }

  /** Returns whether the last response ended the connection ({@code Connection: close}). */
  boolean closedByServer() {
    return closedByServer;
  }

  SSLSession session() {
    return socket.getSession();
  }

  Socket socket() {
    return socket;
  }

  /** Sends this cookie header (e.g. {@code JSESSIONID=...}) with every request; set-cookie updates it. */
  HttpsClient cookie(String cookie) {
    this.cookie = cookie;
    return this;
  }

  String cookie() {
    return cookie;
  }

  Response get(String path, String... headers) throws IOException {
    return send("GET", path, null, headers);
  }

  Response postForm(String path, String body, String... headers) throws IOException {
    return send("POST", path, body, headers);
  }

  Response send(String method, String path, String body, String... headers) throws IOException {
    if (closedByServer) {
      socket.close();
      connect();
    }
    StringBuilder req = new StringBuilder(method).append(' ').append(path).append(" HTTP/1.1\r\n")
        .append("Host: localhost\r\n");
    for (String h : headers) {
      req.append(h).append("\r\n");
    }
    if (cookie != null) {
      req.append("Cookie: ").append(cookie).append("\r\n");
    }
    byte[] payload = body == null ? new byte[0] : body.getBytes(StandardCharsets.UTF_8);
    if (body != null) {
      req.append("Content-Type: application/x-www-form-urlencoded\r\n")
          .append("Content-Length: ").append(payload.length).append("\r\n");
    }
    req.append("\r\n");
    out.write(req.toString().getBytes(StandardCharsets.ISO_8859_1));
    out.write(payload);
    out.flush();
    Response r = read();
    closedByServer = "close".equalsIgnoreCase(r.headers().get("connection"));
    String set = r.headers().get("set-cookie");
    if (set != null) {
      cookie = set.split(";", 2)[0];
    }
    return r;
  }

  private Response read() throws IOException {
    String status = line();
    if (status == null) {
      throw new IOException("connection closed before a response");
    }
    int code = Integer.parseInt(status.split(" ")[1]);
    Map<String, String> headers = new LinkedHashMap<>();
    for (String l = line(); l != null && !l.isEmpty(); l = line()) {
      int colon = l.indexOf(':');
      headers.put(l.substring(0, colon).trim().toLowerCase(Locale.ROOT), l.substring(colon + 1).trim());
    }
    ByteArrayOutputStream body = new ByteArrayOutputStream();
    if (headers.containsKey("content-length")) {
      body.write(in.readNBytes(Integer.parseInt(headers.get("content-length"))));
    } else if ("chunked".equalsIgnoreCase(headers.get("transfer-encoding"))) {
      for (int n = Integer.parseInt(line().trim(), 16); n > 0; n = Integer.parseInt(line().trim(), 16)) {
        body.write(in.readNBytes(n));
        line();
      }
      line();
    }
    return new Response(code, headers, body.toString(StandardCharsets.UTF_8));
  }

  private String line() throws IOException {
    StringBuilder sb = new StringBuilder();
    int c;
    while ((c = in.read()) != -1) {
      if (c == '\n') {
        return sb.toString();
      }
      if (c != '\r') {
        sb.append((char) c);
      }
    }
    return sb.length() == 0 ? null : sb.toString();
  }

  /** Resets the connection (RST) instead of closing it. */
  void abort() throws IOException {
    socket.setSoLinger(true, 0);
    socket.close();
  }

  @Override
  public void close() throws IOException {
    socket.close();
  }

  record Response(int status, Map<String, String> headers, String body) {
    /** Returns the value of {@code key=value} in the test servlet's {@code ;}-separated body. */
    String field(String key) {
      for (String part : body.trim().split(";")) {
        if (part.startsWith(key + "=")) {
          return part.substring(key.length() + 1);
        }
      }
      return null;
    }
  }
}
