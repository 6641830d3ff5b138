package dev.tether.it;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import javax.net.ssl.SSLContext;

/**
 * One shopper: a TLS client context of its own (its session cache is what lets its connections
 * resume), a loopback address of its own, the one TLS protocol it offers, and whether it speaks
 * HTTP/2 or HTTP/1.1.
 */
final class ShopClient {
  private final SSLContext context;
  private final String peer;
  private final String protocol;
  private final boolean http2;

  ShopClient(TetherShop shop, String protocol) {
    this(shop, protocol, false);
  }

  ShopClient(TetherShop shop, String protocol, boolean http2) {
    this(shop, Peers.next(), protocol, http2);
  }

  private ShopClient(TetherShop shop, String peer, String protocol, boolean http2) {
    this.context = shop.certificate().clientContext();
    this.peer = peer;
    this.protocol = protocol;
    this.http2 = http2;
  }

  /**
   * Returns another browser at the same address: a TLS context of its own (its connections never
   * resume this one's sessions), the same peer for the server.
   */
  ShopClient otherBrowser(TetherShop shop) {
    return new ShopClient(shop, peer, protocol, http2);
  }

  /** Returns the client's address, the peer of its SAs. */
  String peer() {
    return peer;
  }

  /** Opens a connection (S1) and completes its handshake (S2). */
  ShopConnection open(Endpoint endpoint) throws IOException {
    return open(endpoint, protocol);
  }

  /** Opens a connection offering {@code tlsProtocol} instead of the client's usual protocol. */
  ShopConnection open(Endpoint endpoint, String tlsProtocol) throws IOException {
    return http2 ? ShopConnection.openHttp2(context, peer, endpoint.port(), tlsProtocol)
        : ShopConnection.open(context, peer, endpoint.port(), tlsProtocol);
  }

  /**
   * Opens a connection and uses it (S3): the catalogue page. Reading a response also takes in the
   * TLS 1.3 session ticket the server sends after the handshake, so the next connection can resume.
   */
  ShopConnection visit(Endpoint endpoint) throws IOException {
    ShopConnection c = open(endpoint);
    try {
      ShopConnection.Response page = c.get(TetherShop.CONTEXT + "/");
      assertThat(page.status()).as("catalogue on %s", endpoint.name()).isEqualTo(200);
      assertThat(page.body()).contains("Handshake mug");
      return c;
    } catch (IOException | RuntimeException | Error e) {
      c.close();
      throw e;
    }
  }
}
