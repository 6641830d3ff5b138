package dev.tether.jetty;

import java.io.IOException;
import java.net.CookieManager;
import java.net.URI;
import java.net.URLEncoder;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.Base64;
import javax.net.ssl.SSLContext;
import javax.net.ssl.SSLParameters;

/**
 * A browser-like JDK {@link HttpClient}: HTTP/1.1 over TLS with the test certificate trusted, a
 * cookie jar, keep-alive connections, and redirects not followed, so that a test sees each response
 * (the login's redirect, a 421) the moment it arrives. Clients made from one {@link SSLContext}
 * resume each other's TLS sessions.
 */
final class WebClient {
  private final HttpClient client;
  private final CookieManager cookies = new CookieManager();
  private final int port;

  WebClient(SSLContext context, int port, String... protocols) {
    HttpClient.Builder b = HttpClient.newBuilder()
        .version(HttpClient.Version.HTTP_1_1)
        .sslContext(context)
        .cookieHandler(cookies)
        .followRedirects(HttpClient.Redirect.NEVER)
        .connectTimeout(Duration.ofSeconds(10));
    if (protocols.length > 0) {
      SSLParameters params = new SSLParameters();
      params.setProtocols(protocols);
      b.sslParameters(params);
    }
    this.client = b.build();
    this.port = port;
  }

  HttpResponse<String> get(String path, String... headers) throws IOException, InterruptedException {
    HttpRequest.Builder r = request(path).GET();
    if (headers.length > 0) {
      r.headers(headers);
    }
    return client.send(r.build(), HttpResponse.BodyHandlers.ofString());
  }

  HttpResponse<String> post(String path, String form) throws IOException, InterruptedException {
    return client.send(request(path)
        .header("Content-Type", "application/x-www-form-urlencoded")
        .POST(HttpRequest.BodyPublishers.ofString(form)).build(), HttpResponse.BodyHandlers.ofString());
  }

  /** FORM login: the protected page (which remembers where to go), then the credentials. */
  HttpResponse<String> formLogin(String user, String password) throws IOException, InterruptedException {
    get("/secure/page");
    return post("/j_security_check", "j_username=" + URLEncoder.encode(user, StandardCharsets.UTF_8)
        + "&j_password=" + URLEncoder.encode(password, StandardCharsets.UTF_8));
  }

  /** Returns the named cookie as a {@code Cookie} header value, e.g. {@code JSESSIONID=...}. */
  String cookie(String name) {
    return cookies.getCookieStore().getCookies().stream().filter(c -> c.getName().equals(name))
        .map(c -> c.getName() + "=" + c.getValue()).findFirst().orElseThrow();
  }

  static String[] basic(String user, String password) {
    return new String[] {"Authorization", "Basic " + Base64.getEncoder()
        .encodeToString((user + ":" + password).getBytes(StandardCharsets.UTF_8))};
  }

  /** Returns the value of {@code key=value} in the test page's {@code ;}-separated body. */
  static String field(HttpResponse<String> response, String key) {
    for (String part : response.body().trim().split(";")) {
      if (part.startsWith(key + "=")) {
        return part.substring(key.length() + 1);
      }
    }
    throw new AssertionError("no " + key + " in " + response.statusCode() + " " + response.body());
  }

  private HttpRequest.Builder request(String path) {
    return HttpRequest.newBuilder(URI.create("https://localhost:" + port + path))
        .timeout(Duration.ofSeconds(20));
  }
}
