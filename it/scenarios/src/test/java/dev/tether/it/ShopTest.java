package dev.tether.it;

import dev.tether.SecurityAssociation;
import dev.tether.certificates.SelfSignedCertificate;
import dev.tether.testing.OpenSslClient;
import dev.tether.tls.TlsProvider;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import org.awaitility.Awaitility;
import org.awaitility.core.ConditionFactory;

/**
 * What every scenario needs from its test class (the running shop, the TLS provider it runs and the
 * protocol its clients offer) and the helpers the scenarios share. {@link ShopScenarios},
 * {@link GraceScenarios} and {@link LoginScenarios} build on it.
 */
public interface ShopTest {
  /** Returns the shop, starting its container and deploying the WAR on first use. */
  TetherShop shop() throws Exception;

  /** Returns the one TLS protocol the clients offer: {@code TLSv1.2} or {@code TLSv1.3}. */
  String protocol();

  /** Returns the TLS provider the container's connectors run on. */
  TlsProvider provider();

  /**
   * Returns whether the shoppers speak HTTP/2 (ALPN {@code h2}, every request a stream of the one
   * connection) instead of HTTP/1.1: the HTTP/2 axis of the suite.
   */
  default boolean http2() {
    return false;
  }

  /**
   * Checks that {@code response} ends its connection: HTTP/1.1 says so ({@code Connection: close});
   * HTTP/2 has no such header (the GOAWAY does it), and none may be sent.
   */
  default void assertEndsItsConnection(ShopConnection.Response response) {
    if (http2()) {
      org.assertj.core.api.Assertions.assertThat(response.header("Connection"))
          .as(response.toString()).isEmpty();
    } else {
      org.assertj.core.api.Assertions.assertThat(response.header("Connection"))
          .as(response.toString()).hasValue("close");
    }
  }

  /**
   * Returns whether the server resumes sessions of {@link #protocol()}: Bouncy Castle's provider keeps
   * no server-side TLS 1.3 sessions, so there every connection is its own SA, deleted at its close.
   */
  default boolean serverResumes() {
    return !(provider() == TlsProvider.BCJSSE && protocol().equals("TLSv1.3"));
  }

  /** Waits for a condition of the server, polling often; long enough for a loaded machine. */
  default ConditionFactory await() {
    return Awaitility.await().atMost(Duration.ofSeconds(15)).pollInterval(Duration.ofMillis(20));
  }

  /**
   * Waits until every SA of {@code peer} was deleted, i.e. its TLS sessions invalidated; the registry's
   * table hides an SA as soon as its grace ends, the deletion follows within a scheduler tick.
   */
  default void awaitDeletion(Endpoint endpoint, String peer) {
    await().atMost(endpoint.grace().plusSeconds(10)).until(() -> endpoint.journal()
        .negotiatedFor(peer).stream().allMatch(id -> endpoint.journal().deletionCause(id) != null));
  }

  /** Returns the state of an SA, {@code DELETED} once the registry no longer has it. */
  default SecurityAssociation.State stateOf(Endpoint endpoint, String id) {
    return endpoint.registry().find(id).map(SecurityAssociation::state)
        .orElse(SecurityAssociation.State.DELETED);
  }

  /** Returns an {@code openssl s_client} from {@code peer}, offering {@link #protocol()} only. */
  default OpenSslClient openssl(TetherShop shop, Endpoint endpoint, String peer) throws IOException {
    return openssl(shop, endpoint, peer, protocol());
  }

  /** Returns an {@code openssl s_client} from {@code peer}, offering {@code tlsProtocol} only. */
  default OpenSslClient openssl(TetherShop shop, Endpoint endpoint, String peer, String tlsProtocol)
      throws IOException {
    return new OpenSslClient(endpoint.port(), tlsProtocol, pem(shop), peer,
        TetherShop.CONTEXT + "/");
  }

  /**
   * Returns where s_client keeps a session, or {@code null} where the server issues none to keep (no
   * server-side TLS 1.3 sessions: s_client would wait in vain for a ticket).
   */
  default Path sessionFile(Path dir, String name) {
    return serverResumes() ? dir.resolve(name) : null;
  }

  /** Returns the operator's JSON client for the shop. */
  default AdminClient admin(TetherShop shop) {
    return new AdminClient(shop.certificate().clientContext());
  }

  /** Returns the shop's certificate as a PEM file, for {@code openssl s_client -CAfile}. */
  static Path pem(TetherShop shop) throws IOException {
    SelfSignedCertificate certificate = shop.certificate();
    Path pem = Pems.FILES.get(certificate);
    if (pem == null) {
      pem = certificate.writePem(Files.createTempFile("tether-it", ".pem"));
      pem.toFile().deleteOnExit();
      Pems.FILES.put(certificate, pem);
    }
    return pem;
  }

  /** The PEM files written, per certificate. */
  final class Pems {
    private static final Map<SelfSignedCertificate, Path> FILES = new ConcurrentHashMap<>();

    private Pems() {}
  }
}
