package dev.tether.it;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.net.URI;
import java.net.URLEncoder;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.stream.Collectors;
import javax.net.ssl.SSLContext;
import javax.net.ssl.SSLParameters;
import javax.net.ssl.SSLSession;
import javax.net.ssl.SSLSocket;
import dev.tether.testing.Http2Client;

/**
 * One real client connection to the shop from a given {@link SSLContext} (so that it resumes the
 * sessions its context cached), bound to a chosen loopback address (so that the server sees it as a
 * peer of its own), speaking keep-alive HTTP/1.1 over a JDK {@link SSLSocket} or, for the HTTP/2
 * axis, HTTP/2 (ALPN {@code h2}) through Jetty's {@code HTTP2Client} ({@link Http2Client}), every
 * request a stream of the one connection. The test decides exactly when the connection opens and
 * closes, which a pooling HTTP client does not let it do.
 *
 * <p>Not thread-safe: one test thread drives one connection.
 */
final class ShopConnection implements AutoCloseable {
  private static final Pattern TOKEN = Pattern.compile("name=\"token\" value=\"([^\"]+)\"");
  private static final Pattern SESSION = Pattern.compile("JSESSIONID=([^;]+)");
  private static final long WAIT_SECONDS = 20;

  private final Socket plain;
  private final SSLSocket tls;
  private final Http2Client h2;
  private final String host;
  private String cookie;

  private ShopConnection(Socket plain, SSLSocket tls, String host) {
    this.plain = plain;
    this.tls = tls;
    this.h2 = null;
    this.host = host;
  }

  private ShopConnection(Http2Client h2, String host) {
    this.plain = null;
    this.tls = null;
    this.h2 = h2;
    this.host = host;
  }

  /**
   * Connects from {@code peer} to the server on 127.0.0.1:{@code port} offering only {@code protocol}
   * and ALPN {@code h2}, and completes the handshake and the HTTP/2 preface.
   */
  static ShopConnection openHttp2(SSLContext context, String peer, int port, String protocol)
      throws IOException {
    try {
      return new ShopConnection(Http2Client.connect(context, peer, port, protocol),
          "localhost:" + port);
    } catch (IOException | RuntimeException e) {
      throw e;
    } catch (ExecutionException e) {
      // The handshake's own failure (an SSLHandshakeException naming the alert), as SSLSocket says it.
      if (e.getCause() instanceof IOException cause) {
        throw cause;
      }
      throw new IOException("no HTTP/2 connection to port " + port + ": " + e.getCause(), e);
    } catch (Exception e) {
      throw new IOException("no HTTP/2 connection to port " + port + ": " + e, e);
    }
  }

  /** Returns whether this connection speaks HTTP/2. */
  boolean isHttp2() {
    return h2 != null;
  }

  /**
   * Connects from {@code peer} to the server on 127.0.0.1:{@code port} offering only {@code protocol}
   * and completes the handshake; by then the session of an earlier connection of the same context has
   * been offered for resumption.
   */
  static ShopConnection open(SSLContext context, String peer, int port, String protocol)
      throws IOException {
    Socket plain = new Socket();
    try {
      plain.bind(new InetSocketAddress(peer, 0));
      plain.connect(new InetSocketAddress("127.0.0.1", port), 10_000);
      plain.setSoTimeout(20_000);
      SSLSocket tls = (SSLSocket) context.getSocketFactory()
          .createSocket(plain, "localhost", port, true);
      SSLParameters params = tls.getSSLParameters();
      params.setProtocols(new String[] {protocol});
      tls.setSSLParameters(params);
      tls.startHandshake();
      return new ShopConnection(plain, tls, "localhost:" + port);
    } catch (IOException | RuntimeException e) {
      plain.close();
      throw e;
    }
  }

  /** Returns the client's TLS session of this connection. */
  SSLSession session() {
    return h2 != null ? h2.sslSession() : tls.getSession();
  }

  /**
   * Returns whether this connection resumed the session of {@code earlier}: TLS 1.2 resumes the same
   * session id, TLS 1.3 makes a new session that keeps the creation time of its lineage.
   */
  boolean resumed(ShopConnection earlier) {
    SSLSession a = earlier.session();
    SSLSession b = session();
    return Arrays.equals(a.getId(), b.getId()) || a.getCreationTime() == b.getCreationTime();
  }

  /** Sends the session cookie of this connection's user (if any) with every request from now on. */
  ShopConnection withCookie(String sessionCookie) {
    this.cookie = sessionCookie;
    return this;
  }

  /** Returns the session cookie this connection holds, or {@code null}. */
  String cookie() {
    return cookie;
  }

  Response get(String path, String... headers) throws IOException {
    return send("GET", path, null, headers);
  }

  /** Gets a page, following one redirect (Jetty redirects to the login page, Tomcat forwards). */
  Response page(String path) throws IOException {
    Response r = get(path);
    return r.status() / 100 == 3 ? get(r.location()) : r;
  }

  /** Posts a form; values are URL-encoded. */
  Response post(String path, Map<String, String> form, String... headers) throws IOException {
    String body = form.entrySet().stream()
        .map(e -> enc(e.getKey()) + "=" + enc(e.getValue()))
        .collect(Collectors.joining("&"));
    String[] all = Arrays.copyOf(headers, headers.length + 2);
    all[headers.length] = "Content-Type";
    all[headers.length + 1] = "application/x-www-form-urlencoded";
    return send("POST", path, body.getBytes(StandardCharsets.UTF_8), all);
  }

  /**
   * Logs in with the container's FORM login: a protected page, then {@code j_security_check}, whose
   * redirect is returned unfollowed.
   */
  Response formLogin(String context, String user, String password) throws IOException {
    Response form = page(context + "/account");
    if (!form.body().contains("j_security_check")) {
      throw new AssertionError("expected the login page, got " + form.status() + ":\n" + form.body());
    }
    Map<String, String> credentials = new LinkedHashMap<>();
    credentials.put("j_username", user);
    credentials.put("j_password", password);
    return post(context + "/j_security_check", credentials);
  }

  /** Posts the logout form of {@code page} (with the page's anti-forgery token). */
  Response logout(String context, Response page) throws IOException {
    Matcher m = TOKEN.matcher(page.body());
    if (!m.find()) {
      throw new AssertionError("no form token in the page:\n" + page.body());
    }
    return post(context + "/logout", Map.of("token", m.group(1)));
  }

  private Response send(String method, String path, byte[] body, String... headers)
      throws IOException {
    Response response = h2 != null ? sendHttp2(method, path, body, headers)
        : sendHttp11(method, path, body, headers);
    response.header("Set-Cookie").map(SESSION::matcher).filter(Matcher::find)
        .ifPresent(m -> cookie = m.group(1));
    return response;
  }

  private Response sendHttp2(String method, String path, byte[] body, String... headers)
      throws IOException {
    List<String> all = new ArrayList<>();
    for (int i = 0; i < headers.length; i += 2) {
      all.add(headers[i].toLowerCase(java.util.Locale.ROOT));
      all.add(headers[i + 1]);
    }
    if (cookie != null) {
      all.add("cookie");
      all.add("JSESSIONID=" + cookie);
    }
    try {
      Http2Client.Reply reply = h2.request(method, path, body, all.toArray(String[]::new))
          .get(WAIT_SECONDS, TimeUnit.SECONDS);
      List<String[]> fields = new ArrayList<>();
      reply.headers().forEach((name, value) -> fields.add(new String[] {name, value}));
      return new Response(reply.status(), fields, reply.body());
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new IOException(e);
    } catch (ExecutionException | TimeoutException e) {
      throw new IOException(method + " " + path + " over HTTP/2: " + e, e);
    }
  }

  private Response sendHttp11(String method, String path, byte[] body, String... headers)
      throws IOException {
    StringBuilder head = new StringBuilder(method).append(' ').append(path).append(" HTTP/1.1\r\n")
        .append("Host: ").append(host).append("\r\n");
    for (int i = 0; i < headers.length; i += 2) {
      head.append(headers[i]).append(": ").append(headers[i + 1]).append("\r\n");
    }
    if (cookie != null) {
      head.append("Cookie: JSESSIONID=").append(cookie).append("\r\n");
    }
    if (body != null) {
      head.append("Content-Length: ").append(body.length).append("\r\n");
    }
    head.append("\r\n");
    OutputStream out = tls.getOutputStream();
    out.write(head.toString().getBytes(StandardCharsets.ISO_8859_1));
    if (body != null) {
      out.write(body);
    }
    out.flush();
    return read(tls.getInputStream());
  }

  private static Response read(InputStream in) throws IOException {
    String statusLine = line(in);
    if (!statusLine.startsWith("HTTP/1.1 ")) {
      throw new IOException("not an HTTP/1.1 response: " + statusLine);
    }
    int status = Integer.parseInt(statusLine.substring(9, 12));
    List<String[]> headers = new ArrayList<>();
    for (String l = line(in); !l.isEmpty(); l = line(in)) {
      int colon = l.indexOf(':');
      headers.add(new String[] {l.substring(0, colon).trim(), l.substring(colon + 1).trim()});
    }
    Response r = new Response(status, headers, "");
    byte[] body;
    if (r.header("Transfer-Encoding").filter(v -> v.equalsIgnoreCase("chunked")).isPresent()) {
      ByteArrayOutputStream buf = new ByteArrayOutputStream();
      for (int size = chunkSize(line(in)); size > 0; size = chunkSize(line(in))) {
        buf.write(in.readNBytes(size));
        line(in);
      }
      while (!line(in).isEmpty()) {
        // trailers
      }
      body = buf.toByteArray();
    } else {
      body = in.readNBytes(r.header("Content-Length").map(Integer::parseInt).orElse(0));
    }
    return new Response(status, headers, new String(body, StandardCharsets.UTF_8));
  }

  private static int chunkSize(String line) {
    int semi = line.indexOf(';');
    return Integer.parseInt((semi < 0 ? line : line.substring(0, semi)).trim(), 16);
  }

  private static String line(InputStream in) throws IOException {
    ByteArrayOutputStream buf = new ByteArrayOutputStream();
    for (int b = in.read(); b != '\n'; b = in.read()) {
      if (b < 0) {
        throw new IOException("connection closed by the server");
      }
      if (b != '\r') {
        buf.write(b);
      }
    }
    return buf.toString(StandardCharsets.ISO_8859_1);
  }

  private static String enc(String s) {
    return URLEncoder.encode(s, StandardCharsets.UTF_8);
  }

  /**
   * Returns whether the server has ended the connection: the next read finds the end of the stream
   * (waiting for it at most the socket's read timeout) instead of more bytes. Over HTTP/2: the
   * server sent its GOAWAY and the connection closed (within the same time).
   */
  boolean closedByServer() throws IOException {
    if (h2 == null) {
      return tls.getInputStream().read() < 0;
    }
    try {
      h2.goAway().get(WAIT_SECONDS, TimeUnit.SECONDS);
      h2.closed().get(WAIT_SECONDS, TimeUnit.SECONDS);
      return true;
    } catch (TimeoutException e) {
      return false;
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new IOException(e);
    } catch (ExecutionException e) {
      throw new IOException(e);
    }
  }

  /** Ends the connection with a TLS close_notify and a TCP close (HTTP/2: a GOAWAY first). */
  @Override
  public void close() throws IOException {
    if (h2 == null) {
      tls.close();
      return;
    }
    try {
      h2.close();
    } catch (Exception e) {
      throw new IOException(e);
    }
  }

  /** One HTTP response. */
  record Response(int status, List<String[]> headers, String body) {
    /** Returns the path of the {@code Location} header. */
    String location() {
      String location = header("Location").orElseThrow(() -> new AssertionError("no Location: " + this));
      return location.startsWith("/") ? location : URI.create(location).getRawPath();
    }

    Optional<String> header(String name) {
      return headers.stream().filter(h -> h[0].equalsIgnoreCase(name)).map(h -> h[1]).findFirst();
    }

    @Override
    public String toString() {
      return status + " " + headers.stream().map(h -> h[0] + ": " + h[1])
          .collect(Collectors.joining(", ")) + "\n" + body;
    }
  }
}
