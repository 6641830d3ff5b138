package dev.tether.shop;

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
import java.util.Base64;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Collectors;
import javax.net.ssl.SSLContext;

/** A JDK {@link HttpClient} with a cookie jar that follows redirects, like a browser. */
final class Browser {
  private static final Pattern TOKEN = Pattern.compile("name=\"token\" value=\"([^\"]+)\"");

  private final URI base;
  private final HttpClient client;

  Browser(URI base, SSLContext tls) {
    this.base = base;
    HttpClient.Builder b = HttpClient.newBuilder()
        .version(HttpClient.Version.HTTP_1_1)
        .cookieHandler(new CookieManager(null, CookiePolicy.ACCEPT_ALL))
        .followRedirects(HttpClient.Redirect.NORMAL)
        .connectTimeout(Duration.ofSeconds(10));
    if (tls != null) {
      b.sslContext(tls);
    }
    this.client = b.build();
  }

  HttpResponse<String> get(String path, String... headers) throws IOException, InterruptedException {
    HttpRequest.Builder r = HttpRequest.newBuilder(uri(path)).timeout(Duration.ofSeconds(20)).GET();
    if (headers.length > 0) {
      r.headers(headers);
    }
    return client.send(r.build(), HttpResponse.BodyHandlers.ofString());
  }

  HttpResponse<String> post(String path, Map<String, String> form, String... headers)
      throws IOException, InterruptedException {
    String body = form.entrySet().stream()
        .map(e -> enc(e.getKey()) + "=" + enc(e.getValue()))
        .collect(Collectors.joining("&"));
    HttpRequest.Builder r = HttpRequest.newBuilder(uri(path)).timeout(Duration.ofSeconds(20))
        .header("Content-Type", "application/x-www-form-urlencoded")
        .POST(HttpRequest.BodyPublishers.ofString(body));
    if (headers.length > 0) {
      r.headers(headers);
    }
    return client.send(r.build(), HttpResponse.BodyHandlers.ofString());
  }

  /** Posts a form of the page {@code page}, with the page's anti-forgery token. */
  HttpResponse<String> submit(HttpResponse<String> page, String path, String... fields)
      throws IOException, InterruptedException {
    Map<String, String> form = new LinkedHashMap<>();
    form.put("token", token(page.body()));
    for (int i = 0; i < fields.length; i += 2) {
      form.put(fields[i], fields[i + 1]);
    }
    return post(path, form);
  }

  /** Logs in through the container's FORM login, starting from a protected page; returns that page. */
  HttpResponse<String> login(String protectedPath, String user, String password)
      throws IOException, InterruptedException {
    HttpResponse<String> form = get(protectedPath);
    // Jetty redirects to the login page, Tomcat forwards to it under the protected URI.
    if (!form.body().contains("j_security_check")) {
      throw new AssertionError("expected the login page, got " + form.uri());
    }
    return post("/j_security_check", Map.of("j_username", user, "j_password", password));
  }

  static String token(String html) {
    Matcher m = TOKEN.matcher(html);
    if (!m.find()) {
      throw new AssertionError("no form token in the page");
    }
    return m.group(1);
  }

  static String basic(String user, String password) {
    return "Basic " + Base64.getEncoder().encodeToString(
        (user + ":" + password).getBytes(StandardCharsets.UTF_8));
  }

  private URI uri(String path) {
    return URI.create(base + path);
  }

  private static String enc(String s) {
    return URLEncoder.encode(s, StandardCharsets.UTF_8);
  }
}
