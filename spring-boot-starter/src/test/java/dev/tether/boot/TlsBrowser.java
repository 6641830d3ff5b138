package dev.tether.boot;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.InetSocketAddress;
import java.net.SocketTimeoutException;
import java.nio.charset.StandardCharsets;
import java.util.Base64;
import java.util.LinkedHashMap;
import java.util.Locale;
import java.util.Map;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import javax.net.ssl.SSLContext;
import javax.net.ssl.SSLSocket;

/**
 * A browser-like HTTP/1.1 client over the JDK's {@link SSLSocket}, connecting from a chosen loopback
 * address (so that each test is its own client address, its own peer to Tether): one keep-alive
 * connection at a time, opened again when the server ends it; a cookie jar; redirects not
 * followed. A {@code 421} is retried once on a new connection, as browsers do, when asked to.
 * Clients made from one {@link SSLContext} resume each other's TLS sessions.
 *
 * <p>Not thread-safe.
 */
final class TlsBrowser implements AutoCloseable {
  private static final Pattern CSRF =
      Pattern.compile("name=\"_csrf\" type=\"hidden\" value=\"([^\"]+)\"");

  private final SSLContext context;
  private final int port;
  private final String local;
  private final String[] protocols;
  private final Map<String, String> cookies = new LinkedHashMap<>();
  private SSLSocket socket;
  private int connections;
  private boolean retry421;

  /**
   * A response, the connection (1, 2, ...) that carried it, and whether the server ended that
   * connection after it (it said {@code Connection: close} and closed).
   */
  record Response(int status, Map<String, String> headers, String body, int connection,
      boolean ended) {
    String header(String name) {
      return headers.get(name.toLowerCase(Locale.ROOT));
    }

    /** Returns a {@code key=value} field of the sample's pages ({@code sa}, {@code user}, ...). */
    String field(String key) {
      Matcher m = Pattern.compile("(?:^|;)" + key + "=([^;\\n]*)").matcher(body);
      return m.find() ? m.group(1) : null;
    }
  }

  TlsBrowser(SSLContext context, int port, String local, String... protocols) {
    this.context = context;
    this.port = port;
    this.local = local;
    this.protocols = protocols.length == 0 ? new String[] {"TLSv1.3", "TLSv1.2"} : protocols;
  }

  /** Retries a 421 once on a new connection, as browsers do. */
  TlsBrowser retrying421() {
    retry421 = true;
    return this;
  }

  Response get(String path, String... headers) throws IOException {
    return send("GET", path, null, headers);
  }

  Response post(String path, String form, String... headers) throws IOException {
    return send("POST", path, form, headers);
  }

  Response postJson(String path, String json, String... headers) throws IOException {
    String[] all = java.util.Arrays.copyOf(headers, headers.length + 1);
    all[headers.length] = "Content-Type: application/json";
    return send("POST", path, json, all);
  }

  /** Returns the {@code Authorization} header of BASIC credentials. */
  static String basic(String user, String password) {
    return "Authorization: Basic " + Base64.getEncoder()
        .encodeToString((user + ":" + password).getBytes(StandardCharsets.UTF_8));
  }

  /** Returns the CSRF token of a page with Spring Security's hidden field. */
  static String csrf(Response page) {
    Matcher m = CSRF.matcher(page.body());
    if (!m.find()) {
      throw new AssertionError("no _csrf field in:\n" + page.body());
    }
    return m.group(1);
  }

  /** Logs in through Spring Security's form: the login page's token, then the POST. */
  Response formLogin(String user, String password) throws IOException {
    String token = csrf(get("/login"));
    return post("/login", "username=" + user + "&password=" + password + "&_csrf=" + token);
  }

  /** Logs out through Spring Security's form: the logout page's token, then the POST. */
  Response formLogout() throws IOException {
    String token = csrf(get("/logout"));
    return post("/logout", "_csrf=" + token);
  }

  /** Returns how many connections this client opened. */
  int connections() {
    return connections;
  }

  /** Returns whether the client holds an open connection. */
  boolean connected() {
    return socket != null;
  }

  Response send(String method, String path, String body, String... headers) throws IOException {
    Response r = exchange(method, path, body, headers);
    if (r.status() == 421 && retry421) {
      r = exchange(method, path, body, headers);
    }
    return r;
  }

  private Response exchange(String method, String path, String body, String... headers)
      throws IOException {
    if (socket == null) {
      open();
    }
    StringBuilder request = new StringBuilder(method).append(' ').append(path)
        .append(" HTTP/1.1\r\nHost: localhost:").append(port).append("\r\n");
    for (String h : headers) {
      request.append(h).append("\r\n");
    }
    if (java.util.Arrays.stream(headers).noneMatch(h -> h.startsWith("Accept:"))) {
      // A browser's: Spring Security answers it with redirects rather than bare status codes.
      request.append("Accept: text/html,application/xhtml+xml,*/*;q=0.8\r\n");
    }
    if (!cookies.isEmpty()) {
      request.append("Cookie: ").append(String.join("; ", cookies.entrySet().stream()
          .map(e -> e.getKey() + "=" + e.getValue()).toList())).append("\r\n");
    }
    byte[] content = body == null ? new byte[0] : body.getBytes(StandardCharsets.UTF_8);
    if (body != null) {
      if (java.util.Arrays.stream(headers).noneMatch(h -> h.startsWith("Content-Type:"))) {
        request.append("Content-Type: application/x-www-form-urlencoded\r\n");
      }
      request.append("Content-Length: ").append(content.length).append("\r\n");
    }
    request.append("\r\n");
    OutputStream out = socket.getOutputStream();
    out.write(request.toString().getBytes(StandardCharsets.ISO_8859_1));
    out.write(content);
    out.flush();
    Response r = read(socket.getInputStream(), "HEAD".equals(method));
    if ("close".equalsIgnoreCase(r.header("Connection"))) {
      boolean ended = serverClosed(10_000);
      close();
      return new Response(r.status(), r.headers(), r.body(), r.connection(), ended);
    }
    return r;
  }

  private void open() throws IOException {
    SSLSocket s = (SSLSocket) context.getSocketFactory().createSocket();
    s.bind(new InetSocketAddress(local, 0));
    s.connect(new InetSocketAddress("127.0.0.1", port), 10_000);
    s.setSoTimeout(20_000);
    s.setEnabledProtocols(protocols);
    s.startHandshake();
    socket = s;
    connections++;
  }

  private Response read(InputStream in, boolean head) throws IOException {
    String status = line(in);
    if (status == null) {
      close();
      throw new IOException("the server closed the connection without a response");
    }
    Map<String, String> headers = new LinkedHashMap<>();
    for (String l = line(in); l != null && !l.isEmpty(); l = line(in)) {
      int colon = l.indexOf(':');
      String name = l.substring(0, colon).trim().toLowerCase(Locale.ROOT);
      String value = l.substring(colon + 1).trim();
      if (name.equals("set-cookie")) {
        String pair = value.split(";", 2)[0];
        int eq = pair.indexOf('=');
        cookies.put(pair.substring(0, eq), pair.substring(eq + 1));
      }
      headers.merge(name, value, (a, b) -> a + ", " + b);
    }
    ByteArrayOutputStream body = new ByteArrayOutputStream();
    if (!head) {
      if ("chunked".equalsIgnoreCase(headers.get("transfer-encoding"))) {
        for (int size = Integer.parseInt(line(in).split(";")[0].trim(), 16); size > 0;
            size = Integer.parseInt(line(in).split(";")[0].trim(), 16)) {
          body.write(in.readNBytes(size));
          line(in);
        }
        line(in);
      } else if (headers.containsKey("content-length")) {
        body.write(in.readNBytes(Integer.parseInt(headers.get("content-length"))));
      } else if ("close".equalsIgnoreCase(headers.get("connection"))
          && !status.contains(" 204 ") && !status.contains(" 304 ")) {
        // Neither a length nor chunks: the body ends with the connection.
        body.write(in.readAllBytes());
      }
    }
    return new Response(Integer.parseInt(status.split(" ")[1]), headers,
        body.toString(StandardCharsets.UTF_8), connections, false);
  }

  private static String line(InputStream in) throws IOException {
    ByteArrayOutputStream b = new ByteArrayOutputStream();
    for (int c = in.read(); c != -1; c = in.read()) {
      if (c == '\n') {
        String s = b.toString(StandardCharsets.ISO_8859_1);
        return s.endsWith("\r") ? s.substring(0, s.length() - 1) : s;
      }
      b.write(c);
    }
    return b.size() == 0 ? null : b.toString(StandardCharsets.ISO_8859_1);
  }

  /**
   * Returns whether the server ended the open connection: the next read finds its end (or a reset)
   * within {@code millis}.
   */
  boolean serverClosed(int millis) throws IOException {
    if (socket == null) {
      return true;
    }
    socket.setSoTimeout(millis);
    try {
      return socket.getInputStream().read() == -1;
    } catch (SocketTimeoutException open) {
      return false;
    } catch (IOException reset) {
      return true;
    } finally {
      if (!socket.isClosed()) {
        socket.setSoTimeout(20_000);
      }
    }
  }

  @Override
  public void close() throws IOException {
    if (socket != null) {
      socket.close();
      socket = null;
    }
  }
}
