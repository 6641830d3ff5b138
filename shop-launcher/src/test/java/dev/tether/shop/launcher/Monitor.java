package dev.tether.shop.launcher;

import java.io.IOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Base64;
import java.util.List;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import javax.net.ssl.SSLContext;
import javax.net.ssl.SSLParameters;

/**
 * The administrator reading the SA table through {@code GET /tether/associations} with HTTP BASIC.
 * It has its own TLS client context and speaks TLS 1.2 only, so its SAs are never the shopper's
 * (TLS 1.3) and it never resumes the shopper's sessions.
 */
final class Monitor {
  static final String SHOPPER_PROTOCOL = "TLSv1.3";
  private static final Pattern OBJECT = Pattern.compile("\\{[^{}]*\\}");

  private final URI base;
  private final HttpClient client;
  private final String authorization;

  Monitor(URI base, SSLContext tls, String password) {
    this.base = base;
    SSLParameters params = tls.getDefaultSSLParameters();
    params.setProtocols(new String[] {"TLSv1.2"});
    this.client = HttpClient.newBuilder()
        .version(HttpClient.Version.HTTP_1_1)
        .sslContext(tls)
        .sslParameters(params)
        .connectTimeout(Duration.ofSeconds(10))
        .build();
    this.authorization = "Basic " + Base64.getEncoder().encodeToString(
        ("admin:" + password).getBytes(StandardCharsets.UTF_8));
  }

  /** The shopper's SAs in the table, oldest first. */
  List<Sa> shopperAssociations() throws IOException, InterruptedException {
    return associations().stream().filter(sa -> sa.protocol().equals(SHOPPER_PROTOCOL)).toList();
  }

  /** Every SA in the table, oldest first. */
  List<Sa> associations() throws IOException, InterruptedException {
    HttpResponse<String> r = get("/tether/associations");
    if (r.statusCode() != 200) {
      throw new AssertionError("GET /tether/associations: " + r.statusCode() + " " + r.body());
    }
    List<Sa> list = new ArrayList<>();
    Matcher m = OBJECT.matcher(r.body());
    while (m.find()) {
      list.add(Sa.parse(m.group()));
    }
    return list;
  }

  HttpResponse<String> get(String path) throws IOException, InterruptedException {
    HttpRequest request = HttpRequest.newBuilder(base.resolve(path))
        .timeout(Duration.ofSeconds(20))
        .header("Authorization", authorization)
        .header("Connection", "close")
        .GET().build();
    return client.send(request, HttpResponse.BodyHandlers.ofString());
  }

  /** One row of the SA table, the fields the tests look at. */
  record Sa(String id, String protocol, String policy, String principals, String state,
      int references, int reuses) {
    static Sa parse(String json) {
      return new Sa(text(json, "id"), text(json, "protocol"), text(json, "policy"),
          raw(json, "principals"), text(json, "state"), Integer.parseInt(raw(json, "references")),
          Integer.parseInt(raw(json, "reuses")));
    }

    private static String text(String json, String field) {
      Matcher m = Pattern.compile("\"" + field + "\":\"([^\"]*)\"").matcher(json);
      if (!m.find()) {
        throw new AssertionError("no " + field + " in " + json);
      }
      return m.group(1);
    }

    private static String raw(String json, String field) {
      Matcher m = Pattern.compile("\"" + field + "\":(\\[[^\\]]*\\]|[^,}]+)").matcher(json);
      if (!m.find()) {
        throw new AssertionError("no " + field + " in " + json);
      }
      return m.group(1);
    }
  }
}
