package dev.tether.it;

import static org.assertj.core.api.Assertions.assertThat;

import dev.tether.DeletionCause;
import dev.tether.SecurityAssociation;
import org.junit.jupiter.api.Test;

/**
 * 6. A login under a stricter policy: the SA the user logged in over is flushed as the policy says
 * (here the default {@code on-login = connection}: that SA), before the login's response leaves the
 * server, and the next connection negotiates a new SA. The same for a logout ({@code on-logout}).
 *
 * <p>For the containers that report logins to Tether; a test class runs these by implementing the
 * interface next to {@link ShopScenarios}.
 */
public interface LoginScenarios extends ShopTest {

  @Test
  default void formLogin_flushesTheConnectionsSaBeforeItsResponse_andTheNextConnectionNegotiates()
      throws Exception {
    TetherShop shop = shop();
    Endpoint endpoint = shop.immediate();
    ShopClient client = new ShopClient(shop, protocol());

    try (ShopConnection first = client.visit(endpoint)) {
      String id = endpoint.associationsOf(client.peer()).get(0).id();
      ShopConnection.Response login = first.formLogin(TetherShop.CONTEXT, "alice", "wonderland");

      // Read at once, without waiting: the flush was done before the response was sent.
      assertThat(endpoint.journal().deletionCause(id)).as("SA %s", id)
          .isEqualTo(DeletionCause.LOGIN);
      assertThat(endpoint.associationsOf(client.peer())).isEmpty();
      assertThat(login.status()).as(login.toString()).isBetween(300, 399);
      // The connection itself goes on, logged in.
      assertThat(first.get(TetherShop.CONTEXT + "/account").body()).contains("alice");

      try (ShopConnection next = client.open(endpoint).withCookie(first.cookie())) {
        // Only the TLS association is renegotiated: the user's HTTP session goes on.
        assertThat(next.get(TetherShop.CONTEXT + "/account").body()).contains("alice");
        assertThat(next.resumed(first)).as("client resumed the flushed SA").isFalse();
        assertThat(endpoint.associationsOf(client.peer())).singleElement().satisfies(sa -> {
          assertThat(sa.id()).isNotEqualTo(id);
          assertThat(sa.reuses()).isZero();
        });
      }
    }
  }

  @Test
  default void logout_flushesTheConnectionsSaBeforeItsResponse() throws Exception {
    TetherShop shop = shop();
    Endpoint endpoint = shop.immediate();
    ShopClient client = new ShopClient(shop, protocol());

    try (ShopConnection login = client.visit(endpoint)) {
      login.formLogin(TetherShop.CONTEXT, "bob", "builder");
      try (ShopConnection c = client.open(endpoint).withCookie(login.cookie())) {
        ShopConnection.Response account = c.get(TetherShop.CONTEXT + "/account");
        SecurityAssociation sa = endpoint.associationsOf(client.peer()).get(0);
        c.logout(TetherShop.CONTEXT, account);

        assertThat(account.body()).contains("bob");
        assertThat(endpoint.journal().deletionCause(sa.id())).as("SA %s", sa.id())
            .isEqualTo(DeletionCause.LOGOUT);
      }
    }
  }
}
