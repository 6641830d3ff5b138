package dev.tether.shop.launcher;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import dev.tether.AssociationRegistry;
import dev.tether.DeletionCause;
import dev.tether.shop.launcher.Monitor.Sa;
import java.io.IOException;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The shop started by {@link ShopLauncher#start} on each container, browsed by one shopper (a JDK
 * HttpClient that opens a new, resuming TLS connection for every page), while the administrator reads
 * the SA table through {@code /tether/associations}: one SA while browsing, flushed at login and
 * logout where the container reports them, and deleted after the grace when the shopper leaves.
 */
class ShoppingStoryTest {
  static final Duration GRACE = Duration.ofSeconds(2);
  static final String POLICIES = """
      # The shop's anonymous traffic: short grace, login flushes the connection's SA.
      [policy shoppers]
      applies-to = anonymous
      grace = 2s
      on-login = connection
      on-logout = connection
      """;

  @TempDir
  Path dir;

  @Test
  void shopping_onTomcat_oneResumedSaWhileBrowsing_flushedAtLoginAndLogout_deletedAfterGrace()
      throws Exception {
    AssociationRegistry registry;
    try (RunningShop shop = ShopLauncher.start(LauncherOptions.parse("--container", "tomcat",
        "--port", "0", "--grace", "2s", "--keystore", dir.resolve("shop.p12").toString()))) {
      registry = shop.registry();
      Deletions deletions = new Deletions();
      registry.addListener(deletions);
      Shopper alice = new Shopper(shop.uri(), shop.certificate().clientContext());
      Monitor admin = new Monitor(shop.uri(), shop.certificate().clientContext(), "tether-admin");

      HttpResponse<String> catalogue = browse(alice);
      Sa browsing = single(admin);
      HttpResponse<String> cart = alice.submit(catalogue, "/cart",
          "action", "add", "product", "key", "quantity", "2");
      Sa shopping = single(admin);

      HttpResponse<String> checkout = alice.login("/checkout", "alice", "wonderland");
      Sa loggedIn = single(admin);
      HttpResponse<String> confirmation = alice.submit(checkout, "/checkout");
      HttpResponse<String> loggedOut = alice.submit(confirmation, "/logout");
      Sa afterLogout = single(admin);

      // Browsing: three pages over three connections, one full handshake and two resumptions.
      assertThat(catalogue.body()).contains("SA " + browsing.id() + " · resumed");
      assertThat(browsing.reuses()).isEqualTo(2);
      assertThat(browsing.policy()).isEqualTo(StrongPolicy.NAME);
      assertThat(cart.body()).contains("Hardware security key");
      assertThat(shopping.id()).isEqualTo(browsing.id());
      assertThat(shopping.reuses()).as("the post and its redirect").isEqualTo(4);
      // Login: the connection's SA is flushed before the answer; the next page negotiates anew.
      assertThat(checkout.uri().getPath()).isEqualTo("/checkout");
      assertThat(checkout.body()).contains("€90.00");
      assertThat(deletions.causeOf(browsing.id())).isEqualTo(DeletionCause.LOGIN);
      assertThat(loggedIn.id()).isNotEqualTo(browsing.id());
      assertThat(confirmation.body()).contains("Thank you for your order",
          "Placed over security association " + loggedIn.id());
      // Logout: the same again.
      assertThat(loggedOut.body()).contains("You are logged out");
      assertThat(deletions.causeOf(loggedIn.id())).isEqualTo(DeletionCause.LOGOUT);
      assertThat(afterLogout.id()).isNotEqualTo(loggedIn.id());

      awaitGone(admin, deletions, afterLogout);
    }
    assertThat(registry.isClosed()).as("registry closed at stop").isTrue();
  }

  @Test
  void shopping_onJetty_oneResumedSaWhileBrowsing_underThePolicyFile_deletedAfterGrace()
      throws Exception {
    Path policies = Files.writeString(dir.resolve("policies.conf"), POLICIES);
    AssociationRegistry registry;
    try (RunningShop shop = ShopLauncher.start(LauncherOptions.parse("--port", "0",
        "--policies", policies.toString(), "--keystore", dir.resolve("shop.p12").toString()))) {
      registry = shop.registry();
      Deletions deletions = new Deletions();
      registry.addListener(deletions);
      Shopper alice = new Shopper(shop.uri(), shop.certificate().clientContext());
      Monitor admin = new Monitor(shop.uri(), shop.certificate().clientContext(), "tether-admin");

      HttpResponse<String> catalogue = browse(alice);
      Sa browsing = single(admin);
      HttpResponse<String> cart = alice.submit(catalogue, "/cart",
          "action", "add", "product", "key", "quantity", "2");
      Sa shopping = single(admin);

      HttpResponse<String> checkout = alice.login("/checkout", "alice", "wonderland");
      HttpResponse<String> confirmation = alice.submit(checkout, "/checkout");
      HttpResponse<String> loggedOut = alice.submit(confirmation, "/logout");
      List<Sa> afterLogout = admin.shopperAssociations();

      assertThat(shop.container()).isEqualTo(Container.JETTY);
      assertThat(browsing.reuses()).isEqualTo(2);
      assertThat(browsing.policy()).isEqualTo("shoppers");
      assertThat(cart.body()).contains("Hardware security key");
      assertThat(shopping.id()).isEqualTo(browsing.id());
      assertThat(shopping.reuses()).as("the post and its redirect").isEqualTo(4);
      assertThat(checkout.uri().getPath()).isEqualTo("/checkout");
      assertThat(confirmation.body()).contains("Thank you for your order", "€90.00");
      assertThat(loggedOut.body()).contains("You are logged out");
      assertThat(afterLogout).isNotEmpty();

      awaitGone(admin, deletions, afterLogout.get(afterLogout.size() - 1));
    }
    assertThat(registry.isClosed()).as("registry closed at stop").isTrue();
  }

  /** Three page views, each on a new connection; returns the last. */
  static HttpResponse<String> browse(Shopper shopper) throws IOException, InterruptedException {
    HttpResponse<String> first = shopper.get("/");
    HttpResponse<String> cart = shopper.get("/cart");
    HttpResponse<String> last = shopper.get("/");
    assertThat(List.of(first.statusCode(), cart.statusCode(), last.statusCode()))
        .containsOnly(200);
    assertThat(last.body()).contains("Hardware security key");
    return last;
  }

  /** The shopper's one SA in the table. */
  static Sa single(Monitor admin) throws IOException, InterruptedException {
    List<Sa> sas = admin.shopperAssociations();
    assertThat(sas).as("the shopper's SAs").hasSize(1);
    return sas.get(0);
  }

  /**
   * The shopper has left (every connection closed): its last SA waits out the grace, then the
   * table no longer shows it.
   */
  static void awaitGone(Monitor admin, Deletions deletions, Sa last) {
    await().atMost(Duration.ofSeconds(20)).pollInterval(Duration.ofMillis(200))
        .until(() -> admin.shopperAssociations().isEmpty());
    // Listeners hear of an expiry just after the registry dropped the SA.
    await().atMost(Duration.ofSeconds(5)).until(() -> deletions.of(last.id()) != null);
    Deletions.Deletion deleted = deletions.of(last.id());
    assertThat(deleted.cause()).isEqualTo(DeletionCause.GRACE_EXPIRED);
    assertThat(deleted.sa().idleFor()).isGreaterThanOrEqualTo(GRACE);
  }
}
