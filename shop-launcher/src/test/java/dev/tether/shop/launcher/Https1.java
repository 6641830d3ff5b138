package dev.tether.shop.launcher;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.net.URLEncoder;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Base64;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.stream.Collectors;
import javax.net.ssl.SSLContext;
import javax.net.ssl.SSLSocket;

/**
 * A small HTTP/1.1 client over {@link SSLSocket} that connects from a chosen loopback address, which
 * the JDK's {@code HttpClient} cannot: one request per connection ({@code Connection: close}), a
 * cookie jar, BASIC credentials. Its connections to one host and port resume each other's TLS
 * sessions (the context's client cache). Redirects are not followed.
 *
 * <pre>{@code
 * Https1 monitor = new Https1(certificate.clientContext(), "127.0.0.9").basic("admin", "pw");
 * Https1.Response stats = monitor.get(port, "/tether/stats");
 * }</pre>
 *
 * <p>Not thread-safe: one client per thread.
 */
final class Https1 {
  /** One response: status, headers (names in lower case, the last value wins) and body. */
  record Response(int status, Map<String, String> headers, String body) {
    String header(String name) {
      return headers.get(name.toLowerCase(Locale.ROOT));
    }
  }

  private final SSLContext context;
  private final String from;
  private final Map<String, String> cookies = new LinkedHashMap<>();
  private String authorization;

  /**
   * @param context the client's TLS context (trusting the shop's certificate)
   * @param from the loopback address to connect from, or {@code null} for the system's choice
   */
  Https1(SSLContext context, String from) {
    this.context = context;
    this.from = from;
  }

  /** Sends BASIC credentials with every request. */
  Https1 basic(String user, String password) {
    authorization = "Basic " + Base64.getEncoder().encodeToString(
        (user + ":" + password).getBytes(StandardCharsets.UTF_8));
    return this;
  }

  /** Returns the cookie {@code name} this client holds, or {@code null}. */
  String cookie(String name) {
    return cookies.get(name);
  }

  Response get(int port, String path, String... headers) throws IOException {
    return send(port, "GET", path, null, headers);
  }

  /** Posts {@code fields} (name, value, ...) as a form. */
  Response post(int port, String path, List<String> headers, String... fields) throws IOException {
    List<String> form = new ArrayList<>();
    for (int i = 0; i < fields.length; i += 2) {
      form.add(enc(fields[i]) + "=" + enc(fields[i + 1]));
    }
    List<String> all = new ArrayList<>(headers);
    all.add("Content-Type: application/x-www-form-urlencoded");
    return send(port, "POST", path, String.join("&", form), all.toArray(String[]::new));
  }

  private Response send(int port, String method, String path, String body, String... headers)
      throws IOException {
    StringBuilder request = new StringBuilder(method).append(' ').append(path)
        .append(" HTTP/1.1\r\nHost: localhost:").append(port).append("\r\nConnection: close\r\n");
    if (authorization != null) {
      request.append("Authorization: ").append(authorization).append("\r\n");
    }
    if (!cookies.isEmpty()) {
      request.append("Cookie: ").append(cookies.entrySet().stream()
          .map(e -> e.getKey() + "=" + e.getValue()).collect(Collectors.joining("; ")))
          .append("\r\n");
    }
    for (String h : headers) {
      request.append(h).append("\r\n");
    }
    byte[] content = body == null ? new byte[0] : body.getBytes(StandardCharsets.UTF_8);
    if (body != null) {
      request.append("Content-Length: ").append(content.length).append("\r\n");
    }
    request.append("\r\n");
    Socket plain = new Socket();
    if (from != null) {
      plain.bind(new InetSocketAddress(from, 0));
    }
    plain.connect(new InetSocketAddress("127.0.0.1", port), 10_000);
    plain.setSoTimeout(20_000);
    try (SSLSocket tls = (SSLSocket) context.getSocketFactory()
        .createSocket(plain, "localhost", port, true)) {
      OutputStream out = tls.getOutputStream();
      out.write(request.toString().getBytes(StandardCharsets.ISO_8859_1));
      out.write(content);
      out.flush();
      return parse(tls.getInputStream().readAllBytes());
    }
  }

  private Response parse(byte[] raw) throws IOException {
    String text = new String(raw, StandardCharsets.ISO_8859_1);
    int end = text.indexOf("\r\n\r\n");
    if (end < 0) {
      throw new IOException("no complete response: " + text);
    }
    String[] lines = text.substring(0, end).split("\r\n");
    int status = Integer.parseInt(lines[0].split(" ")[1]);
    Map<String, String> headers = new LinkedHashMap<>();
    for (int i = 1; i < lines.length; i++) {
      int colon = lines[i].indexOf(':');
      String name = lines[i].substring(0, colon).trim().toLowerCase(Locale.ROOT);
      String value = lines[i].substring(colon + 1).trim();
      headers.put(name, value);
      if (name.equals("set-cookie")) {
        String pair = value.split(";", 2)[0];
        int eq = pair.indexOf('=');
        cookies.put(pair.substring(0, eq).trim(), pair.substring(eq + 1).trim());
      }
    }
    byte[] body = java.util.Arrays.copyOfRange(raw, end + 4, raw.length);
    if ("chunked".equalsIgnoreCase(headers.get("transfer-encoding"))) {
      body = dechunk(body);
    }
    return new Response(status, headers, new String(body, StandardCharsets.UTF_8));
  }

  private static byte[] dechunk(byte[] body) throws IOException {
    ByteArrayOutputStream out = new ByteArrayOutputStream();
    InputStream in = new java.io.ByteArrayInputStream(body);
    while (true) {
      StringBuilder size = new StringBuilder();
      for (int c = in.read(); c != '\n'; c = in.read()) {
        if (c < 0) {
          return out.toByteArray();
        }
        if (c != '\r') {
          size.append((char) c);
        }
      }
      int n = Integer.parseInt(size.toString().split(";")[0].trim(), 16);
      if (n == 0) {
        return out.toByteArray();
      }
      out.write(in.readNBytes(n));
      in.skip(2);
    }
  }

  private static String enc(String s) {
    return URLEncoder.encode(s, StandardCharsets.UTF_8);
  }
}
