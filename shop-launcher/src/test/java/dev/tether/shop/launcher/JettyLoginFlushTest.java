package dev.tether.shop.launcher;

import static dev.tether.shop.launcher.ShoppingStoryTest.browse;
import static dev.tether.shop.launcher.ShoppingStoryTest.single;
import static org.assertj.core.api.Assertions.assertThat;

import dev.tether.DeletionCause;
import dev.tether.shop.launcher.Monitor.Sa;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Login and logout on Jetty flush the shopper's SA as the policy file says ({@code on-login} and
 * {@code on-logout} = {@code connection}), as they do on Tomcat. This needs tether-jetty to report
 * FORM logins and logouts to the registry; until it does, the shopper keeps one SA through login
 * and logout, and this test fails.
 */
class JettyLoginFlushTest {
  @TempDir
  Path dir;

  @Test
  void loginAndLogout_onJetty_flushTheShoppersSa_asThePolicyFileSays() throws Exception {
    Path policies = Files.writeString(dir.resolve("policies.conf"), ShoppingStoryTest.POLICIES);
    try (RunningShop shop = ShopLauncher.start(LauncherOptions.parse("--port", "0",
        "--policies", policies.toString(), "--keystore", dir.resolve("shop.p12").toString()))) {
      Deletions deletions = new Deletions();
      shop.registry().addListener(deletions);
      Shopper alice = new Shopper(shop.uri(), shop.certificate().clientContext());
      Monitor admin = new Monitor(shop.uri(), shop.certificate().clientContext(), "tether-admin");

      browse(alice);
      Sa browsing = single(admin);
      HttpResponse<String> checkout = alice.login("/checkout", "alice", "wonderland");
      Sa loggedIn = single(admin);
      HttpResponse<String> loggedOut = alice.submit(checkout, "/logout");
      Sa afterLogout = single(admin);

      assertThat(checkout.uri().getPath()).isEqualTo("/checkout");
      assertThat(loggedOut.body()).contains("You are logged out");
      assertThat(deletions.causeOf(browsing.id())).as("the SA the login arrived on")
          .isEqualTo(DeletionCause.LOGIN);
      assertThat(loggedIn.id()).isNotEqualTo(browsing.id());
      assertThat(deletions.causeOf(loggedIn.id())).as("the SA the logout arrived on")
          .isEqualTo(DeletionCause.LOGOUT);
      assertThat(afterLogout.id()).isNotEqualTo(loggedIn.id());
    }
  }
}
