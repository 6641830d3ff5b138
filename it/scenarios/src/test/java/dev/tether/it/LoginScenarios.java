package dev.tether.it;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.tether.DeletionCause;
import dev.tether.PolicyEngine;
import dev.tether.RefusalReason;
import dev.tether.SecurityAssociation;
import dev.tether.testing.OpenSslClient;
import java.nio.file.Path;
import java.util.List;
import java.util.Set;
import javax.net.ssl.SSLHandshakeException;
import org.junit.jupiter.api.Order;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * 6. Logins and logouts flush SAs as the user's policy says, before their response leaves the server.
 *
 * <ul>
 *   <li>Under the built-in default policy ({@code graceful} connector): a login flushes the SA it came
 *       over, and nothing else changes.
 *   <li>Under the shop's policy file ({@code immediate} connector, {@link ShopPolicies}): a customer's
 *       login flushes every SA of the client's address and binds the address to the {@code customer}
 *       policy, whose requests travel only on its own SAs (421 elsewhere) and whose SAs are TLS 1.3
 *       only; the connections of the flushed SAs end (the login's own after its response, idle ones
 *       at once); the customer's logout flushes the address again and unbinds it.
 * </ul>
 *
 * <p>{@link ShopScenarios} runs these in every combination; each test is a client of its own.
 */
public interface LoginScenarios extends ShopTest {

  @Test
  @Order(6)
  default void formLogin_underTheDefaultPolicy_flushesItsConnectionsSaBeforeTheResponse()
      throws Exception {
    TetherShop shop = shop();
    Endpoint endpoint = shop.graceful();
    ShopClient client = new ShopClient(shop, protocol(), http2());

    try (ShopConnection first = client.visit(endpoint)) {
      String id = endpoint.associationsOf(client.peer()).get(0).id();
      ShopConnection.Response login = first.formLogin(TetherShop.CONTEXT, "alice", "wonderland");

      // Read at once, without waiting: the flush was done before the response was sent.
      assertThat(endpoint.journal().deletionCause(id)).as("SA %s", id)
          .isEqualTo(DeletionCause.LOGIN);
      assertThat(endpoint.associationsOf(client.peer())).isEmpty();
      assertThat(login.status()).as(login.toString()).isBetween(300, 399);
      // The connection ends with the login's response: nothing more travels on the deleted SA.
      assertEndsItsConnection(login);
      assertThat(first.closedByServer()).as("login connection closed by the server").isTrue();

      try (ShopConnection next = client.open(endpoint).withCookie(first.cookie())) {
        // Only the TLS association is renegotiated: the user's HTTP session goes on.
        assertThat(next.get(TetherShop.CONTEXT + "/account").body()).contains("alice");
        assertThat(next.resumed(first)).as("client resumed the flushed SA").isFalse();
        assertThat(endpoint.associationsOf(client.peer())).singleElement().satisfies(sa -> {
          assertThat(sa.id()).isNotEqualTo(id);
          assertThat(sa.reuses()).isZero();
          assertThat(sa.policy()).isEqualTo("default");
        });
      }
    }
  }

  @Test
  @Order(6)
  default void customerLogin_flushesEverySaOfTheAddressBeforeTheResponse_andItsNextSasAreTheCustomers(
      @TempDir Path dir) throws Exception {
    TetherShop shop = shop();
    Endpoint endpoint = shop.immediate();
    ShopClient alice = new ShopClient(shop, protocol(), http2());
    String peer = alice.peer();
    // Another browser at alice's address, holding a session it would like to resume.
    OpenSslClient otherBrowser = openssl(shop, endpoint, peer, protocol());
    Path browsing = serverResumes() ? dir.resolve("browsing.pem") : null;
    String cookie;

    try (ShopConnection first = alice.visit(endpoint);
        ShopConnection second = alice.visit(endpoint);
        OpenSslClient.Held other = otherBrowser.open(null, browsing)) {
      await().until(() -> endpoint.associationsOf(peer).stream()
          .mapToInt(SecurityAssociation::references).sum() == 3);
      List<SecurityAssociation> anonymous = endpoint.associationsOf(peer);
      assertThat(anonymous).hasSizeGreaterThan(1).allSatisfy(sa ->
          assertThat(sa.policy()).isEqualTo(ShopPolicies.BROWSE));

      long refused = refusals(endpoint);
      ShopConnection.Response login = first.formLogin(TetherShop.CONTEXT, "alice", "wonderland");
      cookie = first.cookie();

      // Read at once: every SA of the address was flushed, and the address bound, before the response.
      assertThat(login.status()).as(login.toString()).isBetween(300, 399);
      assertFlushed(endpoint, anonymous, DeletionCause.LOGIN);
      assertThat(endpoint.associationsOf(peer)).isEmpty();
      PolicyEngine policies = endpoint.registry().policies();
      assertThat(policies.boundPrincipal(peer)).isEqualTo("alice");
      assertThat(policies.policyFor(peer).name()).isEqualTo(ShopPolicies.CUSTOMER);

      // Alice's requests never travel on an SA negotiated under 'browse': the login's connection
      // ends with its response, and the address's other connections, idle, at once.
      assertEndsItsConnection(login);
      assertThat(first.closedByServer()).as("login connection closed by the server").isTrue();
      assertThat(second.closedByServer()).as("idle connection closed by the server").isTrue();
      await().until(() -> !other.isAlive());
      assertThat(refusals(endpoint)).as("no request was refused").isEqualTo(refused);
    }

    // The address's next connections negotiate under 'customer': TLS 1.3 only.
    if (!protocol().equals(ShopPolicies.CUSTOMER_PROTOCOL)) {
      long failures = endpoint.registry().stats().handshakeFailures();
      assertThatThrownBy(() -> alice.open(endpoint).close()).as("a %s-only client", protocol())
          .isInstanceOf(SSLHandshakeException.class).hasMessageContaining("protocol_version");
      await().until(
          () -> endpoint.registry().stats().handshakeFailures() == failures + 1);
    }
    Set<String> before = endpoint.journal().negotiatedFor(peer);
    OpenSslClient.Result next = openssl(shop, endpoint, peer, ShopPolicies.CUSTOMER_PROTOCOL)
        .request(protocol().equals(ShopPolicies.CUSTOMER_PROTOCOL) ? browsing : null, null);
    assertThat(next.handshake()).as(next.output()).isEqualTo(OpenSslClient.Handshake.NEW);
    assertThat(next.protocols()).containsExactly(ShopPolicies.CUSTOMER_PROTOCOL);
    await().untilAsserted(() -> assertThat(endpoint.journal().negotiatedFor(peer))
        .filteredOn(id -> !before.contains(id)).singleElement()
        .extracting(id -> endpoint.journal().negotiation(id)).satisfies(sa -> {
          assertThat(sa.policy()).isEqualTo(ShopPolicies.CUSTOMER);
          assertThat(sa.protocol()).isEqualTo(ShopPolicies.CUSTOMER_PROTOCOL);
        }));

    // Alice's browser goes on over a new connection: same HTTP session, an SA of her policy.
    try (ShopConnection c = alice.open(endpoint, ShopPolicies.CUSTOMER_PROTOCOL).withCookie(cookie)) {
      assertThat(c.get(TetherShop.CONTEXT + "/account").body()).contains("alice");
      assertThat(endpoint.associationsOf(peer)).filteredOn(sa -> sa.principals().contains("alice"))
          .singleElement().satisfies(sa -> {
            assertThat(sa.policy()).isEqualTo(ShopPolicies.CUSTOMER);
            assertThat(sa.protocol()).isEqualTo(ShopPolicies.CUSTOMER_PROTOCOL);
            assertThat(sa.reuses()).isZero();
          });
    }
  }

  @Test
  @Order(6)
  default void customerLogout_flushesEverySaOfTheAddressBeforeTheResponse_andUnbindsIt()
      throws Exception {
    TetherShop shop = shop();
    Endpoint endpoint = shop.immediate();
    ShopClient alice = new ShopClient(shop, protocol(), http2());
    String peer = alice.peer();
    String cookie;
    try (ShopConnection login = alice.visit(endpoint)) {
      login.formLogin(TetherShop.CONTEXT, "alice", "wonderland");
      cookie = login.cookie();
    }

    try (ShopConnection c = alice.open(endpoint, ShopPolicies.CUSTOMER_PROTOCOL).withCookie(cookie);
        ShopConnection other = alice.otherBrowser(shop).open(endpoint,
            ShopPolicies.CUSTOMER_PROTOCOL)) {
      ShopConnection.Response account = c.get(TetherShop.CONTEXT + "/account");
      assertThat(account.body()).contains("alice");
      assertThat(other.get(TetherShop.CONTEXT + "/").status()).isEqualTo(200);
      List<SecurityAssociation> customers = endpoint.associationsOf(peer);
      assertThat(customers).hasSize(2).allSatisfy(sa ->
          assertThat(sa.policy()).isEqualTo(ShopPolicies.CUSTOMER));

      ShopConnection.Response logout = c.logout(TetherShop.CONTEXT, account);

      // Read at once, as for the login.
      assertThat(logout.status()).as(logout.toString()).isBetween(300, 399);
      assertFlushed(endpoint, customers, DeletionCause.LOGOUT);
      assertThat(endpoint.associationsOf(peer)).isEmpty();
      assertThat(endpoint.registry().policies().boundPrincipal(peer)).isNull();
      assertThat(endpoint.registry().policyFor(peer).name()).isEqualTo(ShopPolicies.BROWSE);
    }

    // Unbound: the address negotiates under 'browse' again, with the client's own protocol (TLS 1.2
    // works again), and the HTTP session is over.
    try (ShopConnection next = alice.visit(endpoint)) {
      assertThat(next.session().getProtocol()).isEqualTo(protocol());
      assertThat(endpoint.associationsOf(peer)).singleElement().satisfies(sa -> {
        assertThat(sa.policy()).isEqualTo(ShopPolicies.BROWSE);
        assertThat(sa.protocol()).isEqualTo(protocol());
        assertThat(sa.reuses()).isZero();
      });
      assertThat(next.withCookie(cookie).page(TetherShop.CONTEXT + "/account").body())
          .contains("j_security_check");
    }
  }

  private static long refusals(Endpoint endpoint) {
    return endpoint.registry().stats().refusedByReason().getOrDefault(RefusalReason.POLICY, 0L);
  }

  /**
   * Asserts that every SA was deleted before the response (read at once from the registry) and
   * announced with {@code cause}. The announcement may come a moment after the response: the
   * registry's listeners run one thread at a time, and when the flush ends several connections, the
   * thread of one of them, releasing its lease, may be delivering events as the flush announces the
   * next deletion, and then delivers that one too.
   */
  private void assertFlushed(Endpoint endpoint, List<SecurityAssociation> sas,
      DeletionCause cause) {
    assertThat(sas).allSatisfy(sa -> assertThat(endpoint.registry().find(sa.id()))
        .as("SA %s", sa.id()).isEmpty());
    await().untilAsserted(() -> assertThat(sas).allSatisfy(sa ->
        assertThat(endpoint.journal().deletionCause(sa.id())).as("SA %s", sa.id())
            .isEqualTo(cause)));
  }
}
