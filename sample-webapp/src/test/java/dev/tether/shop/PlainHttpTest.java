package dev.tether.shop;

import static org.assertj.core.api.Assertions.assertThat;

import java.net.http.HttpResponse;
import java.util.Map;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/** The shop on plain HTTP without any Tether registry: it works, and says what is missing. */
class PlainHttpTest {
  private static ShopServer server;

  @BeforeAll
  static void start() throws Exception {
    server = ShopServer.http(null);
  }

  @AfterAll
  static void stop() throws Exception {
    server.close();
  }

  private Browser browser() {
    return new Browser(server.base(), null);
  }

  @Test
  void footer_onPlainHttp_saysThereIsNoSa() throws Exception {
    HttpResponse<String> page = browser().get("/");

    assertThat(page.statusCode()).isEqualTo(200);
    assertThat(ShopTest.footer(page.body())).contains("plain HTTP: no TLS, no security association");
  }

  @Test
  void checkout_worksWithoutTether_andTheOrderSaysSo() throws Exception {
    Browser b = browser();
    b.submit(b.get("/"), "/cart", "action", "add", "product", "router", "quantity", "1");
    b.login("/checkout", "bob", "builder");

    HttpResponse<String> confirmation = b.submit(b.get("/checkout"), "/checkout");

    assertThat(confirmation.body()).contains("Thank you for your order", "€89.00",
        "without a Tether SA");
  }

  @Test
  void dashboard_withoutRegistry_explainsWhy() throws Exception {
    Browser admin = browser();
    HttpResponse<String> page = admin.login("/admin/associations", "admin", "tether-admin");

    assertThat(page.uri().getPath()).isEqualTo("/shop/admin/associations");
    assertThat(page.body()).contains("id=\"no-registry\"", "no Tether registry");
  }

  @Test
  void tether_withoutRegistry_isUnavailableWithAMessage() throws Exception {
    HttpResponse<String> r = browser().get("/tether/stats", "Authorization",
        Browser.basic("admin", "tether-admin"));
    HttpResponse<String> flush = browser().post("/tether/flush", Map.of("all", "true"),
        "X-Tether-Flush", "1", "Authorization", Browser.basic("admin", "tether-admin"));

    assertThat(r.statusCode()).isEqualTo(503);
    assertThat(r.body()).contains("dev.tether.registry");
    assertThat(flush.statusCode()).isEqualTo(503);
  }
}
