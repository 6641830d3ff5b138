package dev.tether.shop.launcher;

import java.io.IOException;
import java.net.CookieManager;
import java.net.CookiePolicy;
import java.net.URI;
import java.net.URLEncoder;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.function.Supplier;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Collectors;
import javax.net.ssl.SSLContext;

/**
 * A browser: one JDK {@link HttpClient} with a cookie jar and one TLS client context, so that its
 * connections resume their TLS sessions. Every request says {@code Connection: close} (the JVM allows
 * the header through {@code jdk.httpclient.allowRestrictedHeaders=connection}, set by the build), so
 * each page view is a new TLS connection; redirects are followed here, with the same header.
 */
final class Shopper {
  private static final Pattern TOKEN = Pattern.compile("name=\"token\" value=\"([^\"]+)\"");
  private static final int MAX_REDIRECTS = 5;

  private final URI base;
  private final HttpClient client;
  private final boolean http2;
  /** Makes a client for one request where one client cannot carry them all (see {@link #client}). */
  private final Supplier<HttpClient> clients;
  private final boolean clientPerRequest;

  Shopper(URI base, SSLContext tls) {
    this(base, tls, HttpClient.Version.HTTP_1_1);
  }

  private Shopper(URI base, SSLContext tls, HttpClient.Version version) {
    this.base = base;
    this.http2 = version == HttpClient.Version.HTTP_2;
    CookieManager cookies = new CookieManager(null, CookiePolicy.ACCEPT_ALL);
    this.clients = () -> HttpClient.newBuilder()
        .version(version)
        .sslContext(tls)
        .cookieHandler(cookies)
        .followRedirects(HttpClient.Redirect.NEVER)
        .connectTimeout(Duration.ofSeconds(10))
        .build();
    this.client = clients.get();
    this.clientPerRequest = http2 && abortsStreamsOnGoAway();
  }

  /**
   * Whether this JDK's HTTP/2 client aborts every request in progress on a connection when a GOAWAY
   * arrives, even a graceful one, and even one sent just after the response it waits for:
   * JDK-8335181, fixed in 24 and in 21.0.6 and 17.0.17. RFC 9113 (6.8) lets those streams finish, as
   * browsers and Jetty's client do.
   */
  static boolean abortsStreamsOnGoAway() {
    Runtime.Version v = Runtime.version();
    return v.feature() == 17 ? v.update() < 17 : v.feature() == 21 ? v.update() < 6
        : v.feature() < 24;
  }

  /**
   * A browser speaking HTTP/2, as browsers do where the server offers h2: one connection for all
   * its requests, kept until the server ends it (a GOAWAY), then a new one; no
   * {@code Connection} header (HTTP/2 has none).
   */
  static Shopper http2(URI base, SSLContext tls) {
    return new Shopper(base, tls, HttpClient.Version.HTTP_2);
  }

  HttpResponse<String> get(String path) throws IOException, InterruptedException {
    return send(request(base.resolve(path)).GET().build());
  }

  HttpResponse<String> post(String path, Map<String, String> form)
      throws IOException, InterruptedException {
    String body = form.entrySet().stream()
        .map(e -> enc(e.getKey()) + "=" + enc(e.getValue()))
        .collect(Collectors.joining("&"));
    return send(request(base.resolve(path))
        .header("Content-Type", "application/x-www-form-urlencoded")
        .POST(HttpRequest.BodyPublishers.ofString(body)).build());
  }

  /** Posts a form of {@code page} to {@code path}, with the page's anti-forgery token. */
  HttpResponse<String> submit(HttpResponse<String> page, String path, String... fields)
      throws IOException, InterruptedException {
    Map<String, String> form = new LinkedHashMap<>();
    form.put("token", token(page.body()));
    for (int i = 0; i < fields.length; i += 2) {
      form.put(fields[i], fields[i + 1]);
    }
    return post(path, form);
  }

  /** Logs in with the container's FORM login, starting from a protected page; returns that page. */
  HttpResponse<String> login(String protectedPath, String user, String password)
      throws IOException, InterruptedException {
    HttpResponse<String> form = get(protectedPath);
    // Jetty redirects to the login page, Tomcat forwards to it under the protected URI.
    if (!form.body().contains("j_security_check")) {
      throw new AssertionError("expected the login page, got " + form.uri());
    }
    return post("/j_security_check", Map.of("j_username", user, "j_password", password));
  }

  private HttpResponse<String> send(HttpRequest request) throws IOException, InterruptedException {
    HttpResponse<String> response = client().send(request, HttpResponse.BodyHandlers.ofString());
    for (int i = 0; i < MAX_REDIRECTS && isRedirect(response.statusCode()); i++) {
      URI next = response.uri().resolve(response.headers().firstValue("Location").orElseThrow());
      response = client().send(request(next).GET().build(), HttpResponse.BodyHandlers.ofString());
    }
    return response;
  }

  /**
   * The client for the next request: the one client, which keeps its HTTP/2 connection for all of
   * them; on a JDK whose client {@link #abortsStreamsOnGoAway aborts streams on a GOAWAY}, a new
   * client (same cookies, same TLS context, so its connection resumes the TLS session) for each
   * request over HTTP/2, so that the GOAWAY that ends a connection after a login's response never
   * finds a request of this shopper still on it.
   */
  private HttpClient client() {
    return clientPerRequest ? clients.get() : client;
  }

  private HttpRequest.Builder request(URI uri) {
    HttpRequest.Builder b = HttpRequest.newBuilder(uri).timeout(Duration.ofSeconds(20));
    return http2 ? b : b.header("Connection", "close");
  }

  private static boolean isRedirect(int status) {
    return status == 301 || status == 302 || status == 303 || status == 307;
  }

  static String token(String html) {
    Matcher m = TOKEN.matcher(html);
    if (!m.find()) {
      throw new AssertionError("no form token in the page");
    }
    return m.group(1);
  }

  private static String enc(String s) {
    return URLEncoder.encode(s, StandardCharsets.UTF_8);
  }
}
