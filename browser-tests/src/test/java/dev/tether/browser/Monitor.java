package dev.tether.browser;

import dev.tether.testing.JsonParser;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.Base64;
import java.util.List;
import java.util.Map;
import javax.net.ssl.SSLContext;

/**
 * The operator's script: reads {@code GET /tether/associations} and {@code /tether/stats} as
 * {@code admin} with HTTP BASIC, from an address of its own (through a {@link PeerRelay}), so that
 * its login and its SAs never touch the browsers'. Each read is a connection of its own
 * ({@code Connection: close}, allowed by {@code jdk.httpclient.allowRestrictedHeaders=connection},
 * which the build sets), so the script holds no connection between reads. Its first read is its
 * login (BASIC): served on the connection it came over, which ends with it, and from then on the
 * address is bound to the administrators' policy; any answer but 200 fails the read, a 421 too.
 *
 * <p>Thread-safe.
 */
final class Monitor implements AutoCloseable {
  static final String PEER = "127.0.0.2";

  /** One row of {@code /tether/associations}. */
  record Row(String id, String peer, String protocol, String policy, List<String> principals,
      String state, int references, int reuses) {}

  private final PeerRelay relay;
  private final URI base;
  private final HttpClient client;
  private final String authorization;

  Monitor(int shopPort, SSLContext tls, String adminPassword) {
    this.relay = PeerRelay.start(shopPort, PEER);
    this.base = URI.create("https://localhost:" + relay.port() + "/");
    this.client = HttpClient.newBuilder().version(HttpClient.Version.HTTP_1_1).sslContext(tls)
        .connectTimeout(Duration.ofSeconds(10)).build();
    this.authorization = "Basic " + Base64.getEncoder()
        .encodeToString(("admin:" + adminPassword).getBytes(StandardCharsets.UTF_8));
  }

  /** Returns every SA in the table, oldest first. */
  @SuppressWarnings("unchecked")
  List<Row> associations() {
    List<Object> list = (List<Object>) JsonParser.parse(get("/tether/associations"));
    return list.stream().map(o -> {
      Map<String, Object> m = (Map<String, Object>) o;
      return new Row((String) m.get("id"), (String) m.get("peer"), (String) m.get("protocol"),
          (String) m.get("policy"), ((List<Object>) m.get("principals")).stream()
              .map(String::valueOf).toList(), (String) m.get("state"),
          ((Long) m.get("references")).intValue(), ((Long) m.get("reuses")).intValue());
    }).toList();
  }

  /** Returns the SAs of one peer address, oldest first. */
  List<Row> associations(String peer) {
    return associations().stream().filter(r -> r.peer().equals(peer)).toList();
  }

  /** Returns {@code /tether/stats} as a map (numbers are {@code Long}s). */
  @SuppressWarnings("unchecked")
  Map<String, Object> stats() {
    return (Map<String, Object>) JsonParser.parse(get("/tether/stats"));
  }

  private String get(String path) {
    try {
      HttpResponse<String> r = client.send(HttpRequest.newBuilder(base.resolve(path))
          .timeout(Duration.ofSeconds(20)).header("Authorization", authorization)
          .header("Connection", "close").GET().build(),
          HttpResponse.BodyHandlers.ofString());
      if (r.statusCode() != 200) {
        throw new AssertionError("GET " + path + ": " + r.statusCode() + " " + r.body());
      }
      return r.body();
    } catch (IOException e) {
      throw new UncheckedIOException("GET " + path, e);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new IllegalStateException(e);
    }
  }

  @Override
  public void close() {
    relay.close();
  }
}
