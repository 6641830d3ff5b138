package dev.tether.shop.launcher;

import static org.assertj.core.api.Assertions.assertThat;

import java.net.http.HttpResponse;
import java.nio.file.Path;
import java.util.Map;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;

/**
 * A customer logs in from wherever the login form is: the navbar's "Log in", the login page opened
 * by its address, or a form whose login the container no longer expects. Tomcat's FORM authenticator
 * answers a {@code POST /j_security_check} it did not ask for with 408 unless it has a landing page;
 * the shop gives it one ({@code META-INF/context.xml}) and sends a visitor who opens the login page
 * directly through {@code /account}, so that the container starts the login itself.
 */
class NavbarLoginTest {
  private static final Pattern LOG_IN_LINK = Pattern.compile("href=\"([^\"]+)\">Log in</a>");
  private static final Pattern BADGE = Pattern.compile("Cart <span class=\"badge\">(\\d+)</span>");

  @TempDir
  Path dir;

  @ParameterizedTest
  @EnumSource(Container.class)
  void navbarLogIn_logsTheCustomerIn_andKeepsTheCart(Container container) throws Exception {
    try (RunningShop shop = start(container)) {
      Shopper alice = new Shopper(shop.uri(), shop.certificate().clientContext());
      HttpResponse<String> cart = addMugToCart(alice);
      Matcher link = LOG_IN_LINK.matcher(cart.body());
      assertThat(link.find()).as("the navbar's Log in link").isTrue();

      HttpResponse<String> form = alice.get(link.group(1));
      HttpResponse<String> landed = logIn(alice, form);

      assertThat(landed.statusCode()).isEqualTo(200);
      assertThat(landed.body()).contains("Hello, alice");
      assertThat(badge(landed)).as("items in the cart").isEqualTo(1);
    }
  }

  @ParameterizedTest
  @EnumSource(Container.class)
  void loginPageOpenedByItsAddress_logsTheCustomerIn_andKeepsTheCart(Container container)
      throws Exception {
    try (RunningShop shop = start(container)) {
      Shopper alice = new Shopper(shop.uri(), shop.certificate().clientContext());
      addMugToCart(alice);

      HttpResponse<String> form = alice.get("/login");
      HttpResponse<String> landed = logIn(alice, form);

      assertThat(landed.statusCode()).isEqualTo(200);
      assertThat(landed.body()).contains("Hello, alice");
      assertThat(badge(landed)).as("items in the cart").isEqualTo(1);
    }
  }

  @ParameterizedTest
  @EnumSource(Container.class)
  void loginPostedWithoutAPageToReturnTo_isNoError_andTheCustomerGetsIn(Container container)
      throws Exception {
    try (RunningShop shop = start(container)) {
      Shopper alice = new Shopper(shop.uri(), shop.certificate().clientContext());

      // A form posted with no login under way (a form kept open past the session, a replay).
      HttpResponse<String> landed = alice.post("/j_security_check",
          Map.of("j_username", "alice", "j_password", "wonderland"));
      if (landed.body().contains("j_security_check")) {
        // Tomcat: its landing page asks for the login again, now with a page to return to.
        landed = logIn(alice, landed);
      }

      assertThat(landed.statusCode()).isEqualTo(200);
      // Jetty logs in and lands on the catalogue; Tomcat, after the second form, on the account.
      assertThat(landed.body()).as("the navbar of %s", landed.uri())
          .contains("class=\"user\">alice</a>");
    }
  }

  private RunningShop start(Container container) throws LaunchException {
    return ShopLauncher.start(LauncherOptions.parse("--container",
        container.name().toLowerCase(java.util.Locale.ROOT), "--port", "0",
        "--keystore", dir.resolve("shop.p12").toString()));
  }

  private static HttpResponse<String> addMugToCart(Shopper shopper) throws Exception {
    HttpResponse<String> catalogue = shopper.get("/");
    HttpResponse<String> cart = shopper.submit(catalogue, "/cart", "action", "add",
        "product", "mug", "quantity", "1");
    assertThat(badge(cart)).as("items in the cart").isEqualTo(1);
    return cart;
  }

  /** Fills the login form of {@code form} and returns the page the login lands on. */
  private static HttpResponse<String> logIn(Shopper shopper, HttpResponse<String> form)
      throws Exception {
    assertThat(form.statusCode()).as("the login form at %s", form.uri()).isEqualTo(200);
    assertThat(form.body()).as("the login form at %s", form.uri()).contains("j_security_check");
    HttpResponse<String> landed = shopper.post("/j_security_check",
        Map.of("j_username", "alice", "j_password", "wonderland"));
    assertThat(landed.statusCode()).as("the login's answer (%s)", landed.uri())
        .isNotIn(400, 408);
    return landed;
  }

  private static int badge(HttpResponse<String> page) {
    Matcher m = BADGE.matcher(page.body());
    return m.find() ? Integer.parseInt(m.group(1)) : 0;
  }
}
