package dev.tether.it;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.util.Base64;
import java.util.List;
import java.util.Map;
import javax.net.ssl.SSLContext;

/**
 * The operator's view of an {@link Endpoint}: {@code GET /tether/associations} and
 * {@code /tether/stats} of the shop with the admin's HTTP BASIC credentials, over a TLS context of its
 * own and from its own address ({@link Peers#ADMIN}), so that its connections never resume, count
 * towards or flush the SAs under test. Each request uses a fresh connection that it closes.
 */
final class AdminClient {
  private static final String AUTHORIZATION = "Basic " + Base64.getEncoder().encodeToString(
      "admin:tether-admin".getBytes(StandardCharsets.UTF_8));

  private final SSLContext context;

  AdminClient(SSLContext context) {
    this.context = context;
  }

  /** Returns the SA table of the endpoint's registry, narrowed to the SAs of {@code peer}. */
  @SuppressWarnings("unchecked")
  List<Map<String, Object>> associationsOf(Endpoint endpoint, String peer) throws IOException {
    List<Object> all = (List<Object>) get(endpoint, "/tether/associations");
    return all.stream().map(o -> (Map<String, Object>) o).filter(sa -> peer.equals(sa.get("peer")))
        .toList();
  }

  /** Returns the statistics of the endpoint's registry. */
  @SuppressWarnings("unchecked")
  Map<String, Object> stats(Endpoint endpoint) throws IOException {
    return (Map<String, Object>) get(endpoint, "/tether/stats");
  }

  private Object get(Endpoint endpoint, String path) throws IOException {
    try (ShopConnection c = ShopConnection.open(context, Peers.ADMIN, endpoint.port(), "TLSv1.3")) {
      ShopConnection.Response r = c.get(TetherShop.CONTEXT + path, "Authorization", AUTHORIZATION,
          "Connection", "close");
      if (r.status() != 200) {
        throw new AssertionError("GET " + path + " on " + endpoint.name() + " answered " + r);
      }
      return JsonParser.parse(r.body());
    }
  }
}
