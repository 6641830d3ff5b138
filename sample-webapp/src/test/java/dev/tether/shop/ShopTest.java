package dev.tether.shop;

import static org.assertj.core.api.Assertions.assertThat;

import com.github.benmanes.caffeine.cache.Scheduler;
import dev.tether.AssociationRegistry;
import dev.tether.SecurityAssociation;
import java.net.http.HttpResponse;
import java.time.Duration;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/** The shop's pages in a real Jetty over real TLS, browsed by the JDK HttpClient. */
class ShopTest {
  private static AssociationRegistry registry;
  private static ShopServer server;

  @BeforeAll
  static void start() throws Exception {
    registry = AssociationRegistry.builder().name("shop-test").grace(Duration.ofSeconds(30))
        .scheduler(Scheduler.disabledScheduler()).build();
    server = ShopServer.https(registry);
  }

  @AfterAll
  static void stop() throws Exception {
    server.close();
    registry.close();
  }

  private Browser browser() {
    return new Browser(server.base(), server.clientContext());
  }

  @Test
  void catalogue_listsProductsAndFooterShowsTheConnectionsNewSa() throws Exception {
    HttpResponse<String> page = browser().get("/");

    assertThat(page.statusCode()).isEqualTo(200);
    assertThat(page.headers().firstValue("Content-Type")).hasValueSatisfying(
        ct -> assertThat(ct).startsWith("text/html").containsIgnoringCase("utf-8"));
    assertThat(page.body()).contains("Handshake mug", "Hardware security key", "€45.00",
        "Add to cart");
    String footer = footer(page.body());
    assertThat(footer).contains("TLSv1.3").contains("new (full handshake)");
    String id = footer.replaceAll("(?s).*SA ([0-9a-f]{8}).*", "$1");
    // The JDK client may close an idle TLS 1.3 connection at once ("connection closed locally"),
    // so the SA is active or, its lease released, idle within its grace.
    assertThat(registry.find(id)).hasValueSatisfying(sa -> {
      assertThat(sa.state()).isIn(SecurityAssociation.State.ACTIVE, SecurityAssociation.State.IDLE);
      assertThat(sa.peer()).isEqualTo("127.0.0.1");
      assertThat(footer).contains(sa.cipherSuite());
    });
  }

  @Test
  void footer_newClientResumingTheTlsSession_showsTheSameSaResumed() throws Exception {
    javax.net.ssl.SSLContext shared = server.clientContext();
    String first = footer(new Browser(server.base(), shared).get("/").body());
    String second = footer(new Browser(server.base(), shared).get("/").body());

    assertThat(first).contains("new (full handshake)");
    String id = first.replaceAll("(?s).*SA ([0-9a-f]{8}).*", "$1");
    assertThat(second).contains("SA " + id).contains("resumed");
    assertThat(registry.find(id)).hasValueSatisfying(sa -> assertThat(sa.reuses()).isEqualTo(1));
  }

  @Test
  void shopping_addToCartLoginCheckoutConfirmationLogout() throws Exception {
    Browser b = browser();
    HttpResponse<String> catalogue = b.get("/");
    HttpResponse<String> cart = b.submit(catalogue, "/cart", "action", "add", "product", "mug",
        "quantity", "2");
    assertThat(cart.uri().getPath()).isEqualTo("/shop/cart");
    assertThat(cart.body()).contains("Added Handshake mug", "€24.00");
    cart = b.submit(cart, "/cart", "action", "add", "product", "cable", "quantity", "1");
    assertThat(cart.body()).contains("id=\"total\">€30.50<");

    HttpResponse<String> loginPage = b.get("/checkout");
    assertThat(loginPage.uri().getPath()).isEqualTo("/shop/login");
    assertThat(loginPage.body()).contains("j_security_check", "j_username");
    HttpResponse<String> checkout = b.post("/j_security_check",
        java.util.Map.of("j_username", "alice", "j_password", "wonderland"));
    assertThat(checkout.uri().getPath()).isEqualTo("/shop/checkout");
    assertThat(checkout.body()).contains("Please check your order, alice", "2 × Handshake mug",
        "€30.50", "Place order");

    HttpResponse<String> confirmation = b.submit(checkout, "/checkout");
    assertThat(confirmation.statusCode()).isEqualTo(200);
    assertThat(confirmation.uri().getPath()).matches("/shop/orders/\\d+");
    String orderId = confirmation.uri().getPath().replaceAll(".*/", "");
    assertThat(confirmation.body()).contains("Thank you for your order", "#" + orderId, "€30.50",
        "Placed over security association " + footer(confirmation.body())
            .replaceAll("(?s).*SA ([0-9a-f]{8}).*", "$1"));
    assertThat(b.get("/cart").body()).contains("Your cart is empty");
    assertThat(b.get("/orders").body()).contains("#" + orderId);

    HttpResponse<String> out = b.submit(confirmation, "/logout");
    assertThat(out.uri().getPath()).isEqualTo("/shop/");
    assertThat(out.body()).contains("You are logged out", "Log in").doesNotContain(">alice<");
    assertThat(b.get("/orders").uri().getPath()).isEqualTo("/shop/login");
  }

  @Test
  void orders_ofAnotherCustomer_areNotFound() throws Exception {
    Browser alice = browser();
    HttpResponse<String> page = alice.submit(alice.get("/"), "/cart", "action", "add", "product",
        "book", "quantity", "1");
    alice.login("/checkout", "alice", "wonderland");
    HttpResponse<String> confirmation = alice.submit(alice.get("/checkout"), "/checkout");
    String path = confirmation.uri().getPath().substring(ShopServer.CONTEXT.length());
    assertThat(page.statusCode()).isEqualTo(200);

    Browser bob = browser();
    bob.login("/orders", "bob", "builder");
    HttpResponse<String> other = bob.get(path);

    assertThat(other.statusCode()).isEqualTo(404);
    assertThat(other.body()).contains("No such order").doesNotContain("Networking handbook");
  }

  @Test
  void login_wrongPassword_showsTheErrorPage() throws Exception {
    Browser b = browser();
    HttpResponse<String> error = b.login("/account", "alice", "not-her-password");

    assertThat(error.uri().getPath()).isEqualTo("/shop/login-error");
    assertThat(error.body()).contains("Wrong user name or password");
    assertThat(b.get("/account").uri().getPath()).isEqualTo("/shop/login");
  }

  @Test
  void account_showsRolesAndAdminLinks() throws Exception {
    Browser admin = browser();
    HttpResponse<String> page = admin.login("/account", "admin", "tether-admin");

    assertThat(page.uri().getPath()).isEqualTo("/shop/account");
    assertThat(page.body()).contains("Hello, admin", "an administrator",
        "/shop/admin/associations");
  }

  @Test
  void checkout_asAdmin_isForbidden() throws Exception {
    Browser admin = browser();
    admin.login("/account", "admin", "tether-admin");

    HttpResponse<String> page = admin.get("/checkout");

    assertThat(page.statusCode()).isEqualTo(403);
    assertThat(page.body()).contains("Not for you");
  }

  @Test
  void formPost_withoutToken_isRefused() throws Exception {
    Browser b = browser();
    b.get("/");

    HttpResponse<String> r = b.post("/cart", java.util.Map.of("action", "add", "product", "mug"));

    assertThat(r.statusCode()).isEqualTo(403);
    assertThat(r.body()).contains("Form expired");
    assertThat(b.get("/cart").body()).contains("Your cart is empty");
  }

  @Test
  void cart_unknownProduct_isABadRequest() throws Exception {
    Browser b = browser();

    HttpResponse<String> r = b.submit(b.get("/"), "/cart", "action", "add", "product", "unicorn");

    assertThat(r.statusCode()).isEqualTo(400);
    assertThat(r.body()).contains("Not added");
  }

  @Test
  void pages_carryBrowserSecurityHeaders() throws Exception {
    HttpResponse<String> page = browser().get("/");

    assertThat(page.headers().firstValue("Content-Security-Policy")).hasValue(SecurityHeadersFilter.POLICY);
    assertThat(page.headers().firstValue("X-Frame-Options")).hasValue("DENY");
    assertThat(page.headers().firstValue("Set-Cookie")).hasValueSatisfying(c ->
        assertThat(c).containsIgnoringCase("HttpOnly").containsIgnoringCase("SameSite=Lax"));
  }

  @Test
  void staticFiles_areServed() throws Exception {
    Browser b = browser();
    HttpResponse<String> css = b.get("/static/shop.css");
    HttpResponse<String> js = b.get("/static/dashboard.js");

    assertThat(css.statusCode()).isEqualTo(200);
    assertThat(css.headers().firstValue("Content-Type")).hasValueSatisfying(
        ct -> assertThat(ct).startsWith("text/css"));
    assertThat(js.statusCode()).isEqualTo(200);
    assertThat(js.body()).contains("/associations", "X-Tether-Flush");
  }

  @Test
  void unknownPage_showsTheShopsNotFoundPage() throws Exception {
    HttpResponse<String> page = browser().get("/no-such-page");

    assertThat(page.statusCode()).isEqualTo(404);
    assertThat(page.body()).contains("Not found", "Tether shop");
  }

  static String footer(String html) {
    int start = html.indexOf("<footer");
    assertThat(start).as("page has a footer").isNotNegative();
    return html.substring(start, html.indexOf("</footer>", start));
  }
}
