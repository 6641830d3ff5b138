package dev.tether.browser;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import dev.tether.DeletionCause;
import dev.tether.SecurityAssociation;
import dev.tether.browser.Journal.Kind;
import dev.tether.browser.Monitor.Row;
import dev.tether.browser.PeerRelay.Link;
import dev.tether.browser.Visitor.Footer;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import java.util.concurrent.atomic.AtomicInteger;
import org.assertj.core.api.SoftAssertions;
import org.junit.jupiter.api.MethodOrderer;
import org.junit.jupiter.api.Order;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestMethodOrder;

/**
 * A shopper in headless Chromium under the shop's policy file: the catalogue and the cart, a
 * customer's FORM login from the navbar ({@code on-login = peer}), and the logout
 * ({@code on-logout = peer}). Subclasses choose the container.
 *
 * <p>The login and logout scenarios also ask that no request after a flush travels on a deleted SA:
 * a browser keeps its connections open between pages, so the server ends those of the SAs a flush
 * deleted, and each page after the login or logout comes over a new SA.
 */
@TestMethodOrder(MethodOrderer.OrderAnnotation.class)
abstract class ShopperScenarios extends Scenarios {

  @Test
  @Order(1)
  void catalogueAndCart_theBrowsersConnectionsShareSas() {
    try (Visitor shopper = shop.visitor("shopper", "127.0.0.11")) {
      String peer = shopper.peer();
      shopper.open("/");
      assertThat(shopper.title()).startsWith("Catalogue");
      assertThat(shopper.driver().executeScript("return Array.from(document.images)"
          + ".filter(i => i.complete && i.naturalWidth > 0).length")).as("pictures shown")
          .isEqualTo(6L);
      assertThat(live(shopper.footer().sa()).policy()).isEqualTo(SHOPPERS);
      shopper.chromium().screenshot("catalogue");

      shopper.addFirstProductToCart();
      assertThat(shopper.path()).isEqualTo("/cart");
      assertThat(shopper.cartItems()).isEqualTo(1);
      assertThat(shopper.find("main").getText()).contains("Handshake mug");
      shopper.chromium().screenshot("cart");
      shopper.open("/");
      assertShopPageShown(shopper);
      assertThat(liveSas(peer)).as("the catalogue page's SA").contains(shopper.footer().sa());

      // The pages and their pictures came over several connections at once, sharing SAs: more
      // open connections (leases) than SAs in use, and connections that resumed an SA.
      await().atMost(Duration.ofSeconds(10)).untilAsserted(() -> {
        List<Row> rows = shop.monitor().associations(peer);
        assertThat(rows).isNotEmpty()
            .allSatisfy(r -> assertThat(r.policy()).isEqualTo(SHOPPERS));
        assertThat(rows.stream().mapToInt(Row::reuses).sum()).as("reuses in %s", rows)
            .isPositive();
        assertThat(rows.stream().mapToInt(Row::references).sum())
            .as("open connections (leases) in %s", rows)
            .isGreaterThan((int) rows.stream().filter(r -> r.state().equals("ACTIVE")).count());
      });
      assertCleanConsole(shopper);

      NetLog net = shopper.quit();
      assertThat(net.resumed()).as("connections Chromium resumed").isPositive();
      assertBrowserAndServerAgree(net, peer);
      assertNoLateTicket(shopper, net);
      shop.awaitQuiet(peer);
    }
  }

  @Test
  @Order(2)
  void customerLogin_deletesTheBrowsersSasBeforeTheRedirect_andTheCartSurvives() {
    try (Visitor alice = shop.visitor("customer-login", "127.0.0.12")) {
      String peer = alice.peer();
      alice.open("/");
      alice.addFirstProductToCart();
      alice.open("/");
      Set<String> before = liveSas(peer);
      assertThat(before).as("the browser's SAs before the login").isNotEmpty();

      long stale = shop.shop().registry().stats().staleResumptions();
      int mark = shop.journal().mark();
      alice.clickLogIn();
      List<Link> open = alice.openConnections();
      AtomicInteger held = new AtomicInteger();
      alice.onResponse("*/j_security_check*", status -> {
        held.incrementAndGet();
        assertThat(status).as("the login's answer").isEqualTo(303);
        for (String id : before) {
          assertThat(shop.shop().registry().find(id)).as("SA %s when the redirect arrives", id)
              .isEmpty();
          assertThat(shop.journal().deletion(id)).as("why SA %s went", id)
              .isEqualTo(DeletionCause.LOGIN);
        }
        assertServerEnds(open, "when the login was sent, by the time its redirect arrives");
      });
      alice.submitLogin("alice", "wonderland");
      alice.verifyPausedResponses();
      assertThat(held).as("login responses held in the browser").hasValue(1);

      // The HTTP session is not the TLS session: the cart survives the flush.
      assertThat(alice.path()).isEqualTo("/account");
      assertThat(alice.loggedInAs()).isEqualTo("alice");
      assertThat(alice.cartItems()).as("items in the cart after the login").isEqualTo(1);
      assertShopPageShown(alice);
      alice.chromium().screenshot("logged-in");
      List<Page> pages = new ArrayList<>(List.of(new Page("/account", alice.footer())));
      alice.open("/cart");
      assertThat(alice.find("main").getText()).contains("Handshake mug");
      pages.add(new Page("/cart", alice.footer()));
      assertCleanConsole(alice);
      assertThat(negotiatedSince(mark, peer)).as("SAs negotiated after the login")
          .allSatisfy(sa -> assertThat(sa.policy()).isEqualTo(CUSTOMERS));
      assertThat(shop.journal().since(mark, peer)).as("resumptions of the flushed SAs")
          .noneMatch(e -> e.kind() == Kind.REUSED && before.contains(e.id()));

      NetLog net = alice.quit();
      shop.awaitQuiet(peer);
      // No request after the login travels on a deleted SA: each page comes over a new SA
      // negotiated under the customers' policy; no connection resumed a flushed SA.
      SoftAssertions.assertSoftly(soft -> {
        pages.forEach(p -> assertPageOnNewSa(soft, p, peer, mark, CUSTOMERS));
        assertFlushedLineagesNotResumed(soft, net, peer, stale);
        soft.check(() -> assertNoLateTicket(alice, net));
      });
    }
  }

  @Test
  @Order(3)
  void customerLogout_flushesTheAddressesSas_andTheNextConnectionNegotiatesAnew() {
    try (Visitor bob = shop.visitor("customer-logout", "127.0.0.13")) {
      String peer = bob.peer();
      bob.open("/");
      bob.addFirstProductToCart();
      bob.clickLogIn();
      bob.submitLogin("bob", "builder");
      assertThat(bob.loggedInAs()).isEqualTo("bob");
      bob.open("/");
      bob.open("/orders");
      assertShopPageShown(bob);
      Set<String> before = liveSas(peer);

      List<Link> open = bob.openConnections();
      AtomicInteger held = new AtomicInteger();
      bob.onResponse("*/logout*", status -> {
        held.incrementAndGet();
        assertThat(status).as("the logout's answer").isEqualTo(303);
        assertThat(liveSas(peer)).as("the address's SAs when the redirect arrives").isEmpty();
        for (String id : before) {
          assertThat(shop.journal().deletion(id)).as("why SA %s went", id).isNotNull();
        }
        assertServerEnds(open, "when the logout was sent, by the time its redirect arrives");
      });
      long stale = shop.shop().registry().stats().staleResumptions();
      int mark = shop.journal().mark();
      bob.clickLogOut();
      bob.verifyPausedResponses();
      assertThat(held).as("logout responses held in the browser").hasValue(1);

      assertThat(bob.find("main").getText()).contains("You are logged out");
      assertThat(bob.loggedInAs()).isNull();
      assertThat(bob.cartItems()).as("the session and its cart are gone").isZero();
      assertShopPageShown(bob);
      assertThat(shop.journal().since(mark, peer)).as("deletions at the logout")
          .filteredOn(e -> e.kind() == Kind.DELETED && before.contains(e.id()))
          .allSatisfy(e -> assertThat(e.cause()).isEqualTo(DeletionCause.LOGOUT));
      // The address is no longer bound to the customers' policy.
      assertThat(negotiatedSince(mark, peer)).as("SAs negotiated after the logout")
          .allSatisfy(sa -> assertThat(sa.policy()).isEqualTo(SHOPPERS));
      Page signedOut = new Page("/?signedOut", bob.footer());
      assertCleanConsole(bob);

      NetLog net = bob.quit();
      shop.awaitQuiet(peer);
      // The page after the logout came over a connection that negotiated a new SA.
      SoftAssertions.assertSoftly(soft -> {
        assertPageOnNewSa(soft, signedOut, peer, mark, SHOPPERS);
        assertFlushedLineagesNotResumed(soft, net, peer, stale);
        soft.check(() -> assertNoLateTicket(bob, net));
      });
    }
  }

  /** A page the browser showed, with what its footer said. */
  record Page(String path, Footer footer) {}

  /** The page came over an SA negotiated after {@code mark}, under {@code policy}, still live. */
  void assertPageOnNewSa(SoftAssertions soft, Page page, String peer, int mark, String policy) {
    soft.assertThat(page.footer().deleted()).as("%s's footer says its SA was flushed", page.path())
        .isFalse();
    List<SecurityAssociation> fresh = negotiatedSince(mark, peer);
    soft.assertThat(fresh).as("%s came over SA %s (deleted: %s); SAs negotiated since: %s",
        page.path(), page.footer().sa(), shop.journal().deletion(page.footer().sa()), fresh)
        .anySatisfy(sa -> {
          assertThat(sa.id()).isEqualTo(page.footer().sa());
          assertThat(sa.policy()).isEqualTo(policy);
        });
  }

  /**
   * No connection after the flush resumed a deleted SA: the shop counted no stale resumption, and
   * Chromium's resumed handshakes are the shop's reuses.
   */
  void assertFlushedLineagesNotResumed(SoftAssertions soft, NetLog net, String peer, long stale) {
    soft.assertThat(shop.shop().registry().stats().staleResumptions() - stale)
        .as("connections that resumed a deleted SA (staleResumptions)").isZero();
    soft.check(() -> assertBrowserAndServerAgree(net, peer));
  }
}
