package dev.tether.it;

import static org.assertj.core.api.Assertions.assertThat;

import dev.tether.AssociationStats;
import dev.tether.DeletionCause;
import dev.tether.SecurityAssociation;
import dev.tether.testing.OpenSslClient;
import dev.tether.tls.TlsProvider;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.MethodOrderer;
import org.junit.jupiter.api.Order;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestMethodOrder;
import org.junit.jupiter.api.io.TempDir;

/**
 * The patent's flow (FIG. 3 and 4) on the shop, for one container, one TLS provider and one TLS
 * protocol; each subclass names its combination ({@code JettyJdkTls12IT}) and says how its container
 * starts and stops. One container serves every test of a class; each test is a client of its own
 * (its own TLS context and loopback address), and reads the server through the registry of the
 * connector it used (in this JVM) and through the shop's {@code /tether/associations} JSON.
 *
 * <p>Where the server cannot resume (Bouncy Castle's provider on TLS 1.3 keeps no server-side
 * sessions), every connection is its own SA, deleted at its close whatever the grace, and the tests
 * assert that instead.
 *
 * <p>Scenarios 1-4 and 7 are here, 5 in {@link GraceScenarios}, 6 in {@link LoginScenarios}. The tests
 * run in the order of the scenarios' numbers; the last one stops the container.
 */
@TestMethodOrder(MethodOrderer.OrderAnnotation.class)
public abstract class ShopScenarios implements GraceScenarios, LoginScenarios {
  private final TlsProvider provider;
  private final String protocol;
  private final boolean http2;

  protected ShopScenarios(TlsProvider provider, String protocol) {
    this(provider, protocol, false);
  }

  /** The scenarios with shoppers speaking HTTP/2 ({@code http2}) or HTTP/1.1. */
  protected ShopScenarios(TlsProvider provider, String protocol, boolean http2) {
    this.provider = provider;
    this.protocol = protocol;
    this.http2 = http2;
  }

  @Override
  public boolean http2() {
    return http2;
  }

  @Override
  public String protocol() {
    return protocol;
  }

  @Override
  public TlsProvider provider() {
    return provider;
  }

  /** Stops the container the way its operator would; the test then inspects what is left. */
  protected abstract void stopContainer() throws Exception;

  private TetherShop started() throws Exception {
    TetherShop shop = shop();
    assertThat(shop.provider()).as("provider of %s", shop).isEqualTo(provider);
    return shop;
  }

  // ---------------------------------------------------------------------------------------------
  // 1. S1 socket created; S2a no SA covers it; S2b-S2d negotiate; S2e correlate, count 1

  @Test
  @Order(1)
  void firstConnection_negotiatesOneSa_withCountOne() throws Exception {
    TetherShop shop = started();
    Endpoint endpoint = shop.immediate();
    ShopClient client = new ShopClient(shop, protocol, http2);

    try (ShopConnection first = client.visit(endpoint)) {
      List<SecurityAssociation> sas = endpoint.associationsOf(client.peer());
      List<Map<String, Object>> table = admin(shop).associationsOf(endpoint, client.peer());

      assertThat(first.session().getProtocol()).isEqualTo(protocol);
      assertThat(sas).singleElement().satisfies(sa -> {
        assertThat(sa.references()).isEqualTo(1);
        assertThat(sa.reuses()).isZero();
        assertThat(sa.state()).isEqualTo(SecurityAssociation.State.ACTIVE);
        assertThat(sa.protocol()).isEqualTo(protocol);
        assertThat(sa.policy()).isEqualTo(ShopPolicies.BROWSE);
      });
      String id = sas.get(0).id();
      assertThat(endpoint.journal().negotiatedFor(client.peer())).containsExactly(id);
      assertThat(table).singleElement().satisfies(row -> {
        assertThat(row).containsEntry("id", id).containsEntry("references", 1L)
            .containsEntry("reuses", 0L).containsEntry("state", "ACTIVE")
            .containsEntry("protocol", protocol).containsEntry("policy", ShopPolicies.BROWSE);
      });
    }
  }

  // ---------------------------------------------------------------------------------------------
  // 2. A second, concurrent connection: S2a an SA covers it; S2e same SA, count 2, no negotiation

  @Test
  @Order(2)
  void secondConcurrentConnection_resumesTheSameSa_withCountTwo() throws Exception {
    TetherShop shop = started();
    Endpoint endpoint = shop.immediate();
    ShopClient client = new ShopClient(shop, protocol, http2);

    try (ShopConnection first = client.visit(endpoint);
        ShopConnection second = client.visit(endpoint)) {
      List<SecurityAssociation> sas = endpoint.associationsOf(client.peer());
      List<Map<String, Object>> table = admin(shop).associationsOf(endpoint, client.peer());

      if (serverResumes()) {
        assertThat(second.resumed(first)).as("client resumed").isTrue();
        assertThat(sas).singleElement().satisfies(sa -> {
          assertThat(sa.references()).isEqualTo(2);
          assertThat(sa.reuses()).isEqualTo(1);
        });
        assertThat(endpoint.journal().negotiatedFor(client.peer())).hasSize(1);
        assertThat(table).singleElement().satisfies(row -> assertThat(row)
            .containsEntry("id", sas.get(0).id()).containsEntry("references", 2L)
            .containsEntry("reuses", 1L));
      } else {
        assertThat(second.resumed(first)).as("client resumed").isFalse();
        assertThat(sas).hasSize(2).allSatisfy(sa -> {
          assertThat(sa.references()).isEqualTo(1);
          assertThat(sa.reuses()).isZero();
        });
        assertThat(table).hasSize(2);
      }
    }
  }

  @Test
  @Order(2)
  void openssl_secondConcurrentConnection_isReused_onTheSameSa(@TempDir Path dir)
      throws Exception {
    TetherShop shop = started();
    Endpoint endpoint = shop.immediate();
    String peer = Peers.next();
    OpenSslClient openssl = openssl(shop, endpoint, peer);
    Path session = sessionFile(dir, "first.pem");

    try (OpenSslClient.Held first = openssl.open(null, session);
        OpenSslClient.Held second = openssl.open(session, null)) {
      List<SecurityAssociation> sas = endpoint.associationsOf(peer);

      assertThat(first.result().handshake()).isEqualTo(OpenSslClient.Handshake.NEW);
      assertThat(first.result().protocols()).containsExactly(protocol);
      if (serverResumes()) {
        assertThat(second.result().handshake()).as(second.output())
            .isEqualTo(OpenSslClient.Handshake.REUSED);
        assertThat(sas).singleElement().satisfies(sa -> assertThat(sa.references()).isEqualTo(2));
      } else {
        assertThat(second.result().handshake()).isEqualTo(OpenSslClient.Handshake.NEW);
        assertThat(sas).hasSize(2);
      }
    }
  }

  // ---------------------------------------------------------------------------------------------
  // 3. S4 the first connection closes; S5 another socket still uses the SA: count 1, SA kept

  @Test
  @Order(3)
  void firstConnectionCloses_countDropsToOne_andTheSaIsKept() throws Exception {
    TetherShop shop = started();
    Endpoint endpoint = shop.immediate();
    ShopClient client = new ShopClient(shop, protocol, http2);

    try (ShopConnection second = closeFirstOfTwo(client, endpoint)) {
      List<SecurityAssociation> sas = endpoint.associationsOf(client.peer());
      if (serverResumes()) {
        String id = sas.get(0).id();
        assertThat(sas).singleElement().satisfies(sa -> {
          assertThat(sa.references()).isEqualTo(1);
          assertThat(sa.state()).isEqualTo(SecurityAssociation.State.ACTIVE);
        });
        assertThat(endpoint.journal().deletionCause(id)).isNull();
        // Kept, and still resumable: a third connection joins it.
        try (ShopConnection third = client.visit(endpoint)) {
          assertThat(third.resumed(second)).isTrue();
          assertThat(endpoint.associationsOf(client.peer())).singleElement().satisfies(sa -> {
            assertThat(sa.id()).isEqualTo(id);
            assertThat(sa.references()).isEqualTo(2);
          });
        }
      } else {
        // Each connection had its own SA: the first one's went with it (grace 0).
        assertThat(sas).singleElement().satisfies(sa -> assertThat(sa.references()).isEqualTo(1));
        assertThat(endpoint.journal().negotiatedFor(client.peer())).hasSize(2)
            .anySatisfy(id -> assertThat(endpoint.journal().deletionCause(id))
                .isEqualTo(DeletionCause.LAST_CLOSE));
      }
    }
  }

  /** Opens two connections, closes the first and waits until the server has released it. */
  private ShopConnection closeFirstOfTwo(ShopClient client, Endpoint endpoint) throws Exception {
    ShopConnection second;
    try (ShopConnection first = client.visit(endpoint)) {
      second = client.visit(endpoint);
    }
    await().until(() -> endpoint.associationsOf(client.peer()).stream()
        .mapToInt(SecurityAssociation::references).sum() == 1);
    return second;
  }

  // ---------------------------------------------------------------------------------------------
  // 4. S5 no other socket uses the SA; S7 delete (grace 0); the next connection negotiates

  @Test
  @Order(4)
  void lastConnectionCloses_withGraceZero_deletesTheSa_andTheNextConnectionNegotiates()
      throws Exception {
    TetherShop shop = started();
    Endpoint endpoint = shop.immediate();
    ShopClient client = new ShopClient(shop, protocol, http2);
    ShopConnection second = closeFirstOfTwo(client, endpoint);
    second.close();

    awaitDeletion(endpoint, client.peer());
    assertThat(endpoint.journal().negotiatedFor(client.peer())).isNotEmpty().allSatisfy(id ->
        assertThat(endpoint.journal().deletionCause(id)).isEqualTo(DeletionCause.LAST_CLOSE));
    try (ShopConnection next = client.visit(endpoint)) {
      assertThat(next.resumed(second)).as("client resumed a deleted SA").isFalse();
      assertThat(endpoint.associationsOf(client.peer())).singleElement().satisfies(sa -> {
        assertThat(sa.references()).isEqualTo(1);
        assertThat(sa.reuses()).isZero();
      });
    }
  }

  @Test
  @Order(4)
  void openssl_afterTheLastCloseWithGraceZero_cannotResume(@TempDir Path dir) throws Exception {
    TetherShop shop = started();
    Endpoint endpoint = shop.immediate();
    String peer = Peers.next();
    OpenSslClient openssl = openssl(shop, endpoint, peer);
    Path session = sessionFile(dir, "session.pem");

    OpenSslClient.Result first = openssl.request(null, session);
    awaitDeletion(endpoint, peer);
    OpenSslClient.Result second = openssl.request(session, null);

    assertThat(first.handshake()).isEqualTo(OpenSslClient.Handshake.NEW);
    if (serverResumes()) {
      assertThat(Files.size(session)).isPositive();
    } else {
      assertThat(first.output()).as("a TLS 1.3 ticket from a server without sessions")
          .doesNotContain("New Session Ticket");
    }
    assertThat(second.handshake()).as(second.output()).isEqualTo(OpenSslClient.Handshake.NEW);
    assertThat(endpoint.journal().negotiatedFor(peer)).hasSize(2);
  }

  // ---------------------------------------------------------------------------------------------
  // 7. Logout and container stop: no lease, no SA, every SA deleted

  @Test
  @Order(Integer.MAX_VALUE)
  void logoutAndContainerStop_leaveNoLeaseAndNoSa_andEverySaDeleted() throws Exception {
    TetherShop shop = started();
    Endpoint graceful = shop.graceful();
    ShopClient client = new ShopClient(shop, protocol, http2);
    String cookie;
    try (ShopConnection login = client.visit(graceful)) {
      login.formLogin(TetherShop.CONTEXT, "bob", "builder");
      cookie = login.cookie();
    }
    // The default policy (no policy file on this connector): a logout flushes its connection's SA.
    try (ShopConnection c = client.open(graceful).withCookie(cookie)) {
      ShopConnection.Response account = c.get(TetherShop.CONTEXT + "/account");
      assertThat(account.body()).contains("bob");
      String id = graceful.associationsOf(client.peer()).get(0).id();
      c.logout(TetherShop.CONTEXT, account);
      assertThat(graceful.journal().deletionCause(id)).as("SA %s", id)
          .isEqualTo(DeletionCause.LOGOUT);
      // The logout ended the connection of the SA it flushed.
      assertThat(c.closedByServer()).as("logout connection closed by the server").isTrue();
    }
    try (ShopConnection next = client.open(graceful).withCookie(cookie)) {
      assertThat(next.page(TetherShop.CONTEXT + "/account").body()).contains("j_security_check");
    }
    // Through the stop: one connection open, and (where the server resumes) one SA in its grace.
    ShopConnection open = client.visit(shop.immediate());
    String last;
    try (ShopConnection idle = client.visit(graceful)) {
      assertThat(idle.session().isValid()).isTrue();
      last = graceful.associationsOf(client.peer()).get(0).id();
    }
    if (serverResumes()) {
      await().until(() -> stateOf(graceful, last) == SecurityAssociation.State.IDLE);
    } else {
      await().until(() -> graceful.journal().deletionCause(last) == DeletionCause.LAST_CLOSE);
    }

    stopContainer();

    try {
      for (Endpoint endpoint : List.of(shop.immediate(), shop.graceful())) {
        assertThat(endpoint.registry().isClosed()).as("%s closed", endpoint.name()).isTrue();
        // Connections end, and an SA whose grace ended just before the stop is deleted, within a
        // scheduler tick of the stop.
        await().untilAsserted(() -> {
          AssociationStats stats = endpoint.registry().stats();
          assertThat(stats.leases()).as("leases on %s: %s", endpoint.name(), stats).isZero();
          assertThat(stats.active()).as("active SAs on %s: %s", endpoint.name(), stats).isZero();
          assertThat(stats.idle()).as("idle SAs on %s: %s", endpoint.name(), stats).isZero();
          assertThat(stats.deleted()).as("deleted SAs on %s: %s", endpoint.name(), stats)
              .isEqualTo(stats.negotiated());
          assertThat(endpoint.journal().deleted()).as("deleted SAs of %s", endpoint.name())
              .containsAll(endpoint.journal().negotiated());
        });
        assertThat(endpoint.registry().associations()).as(endpoint.name()).isEmpty();
      }
    } finally {
      open.close();
    }
  }
}
