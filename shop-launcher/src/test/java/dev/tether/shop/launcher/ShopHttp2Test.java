package dev.tether.shop.launcher;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import dev.tether.AssociationRegistry;
import dev.tether.DeletionCause;
import dev.tether.testing.Curl;
import java.net.http.HttpClient;
import java.net.http.HttpResponse;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;

/**
 * The shop over HTTP/2 in both containers: it offers {@code h2} and {@code http/1.1} by ALPN
 * ({@code curl --http2} gets HTTP/2), a browser speaking HTTP/2 (the JDK {@code HttpClient}) shops,
 * logs in, checks out and logs out with every page over h2, the login and the logout flush their
 * connection's SA and the browser moves to a new connection (GOAWAY), and {@code --http2 off} serves
 * HTTP/1.1 only.
 */
class ShopHttp2Test {
  private static final Pattern SA = Pattern.compile("SA ([0-9a-f]{8})");

  @TempDir
  Path dir;

  private RunningShop start(Container container, String... more) throws Exception {
    List<String> args = new ArrayList<>(List.of("--container", container.name().toLowerCase(),
        "--port", "0", "--keystore", dir.resolve("shop.p12").toString()));
    args.addAll(List.of(more));
    return ShopLauncher.start(LauncherOptions.parse(args.toArray(String[]::new)));
  }

  @ParameterizedTest
  @EnumSource(Container.class)
  void shopping_overHttp2_everyPageIsH2_loginAndLogoutFlushTheirConnectionsSa(Container container)
      throws Exception {
    // Login and logout end their connection with a GOAWAY after their response (Tomcat: once the
    // stream's last frame is out), so that a client that aborts its streams on any GOAWAY
    // (JDK-8335181: the JDK's before 17.0.17) still gets that response whole.
    try (RunningShop shop = start(container)) {
      AssociationRegistry registry = shop.registry();
      Deletions deletions = new Deletions();
      registry.addListener(deletions);
      Shopper alice = Shopper.http2(shop.uri(), shop.certificate().clientContext());

      HttpResponse<String> catalogue = alice.get("/");
      String browsing = sa(catalogue);
      HttpResponse<String> cart = alice.submit(catalogue, "/cart",
          "action", "add", "product", "key", "quantity", "1");
      HttpResponse<String> checkout = alice.login("/checkout", "alice", "wonderland");
      HttpResponse<String> confirmation = alice.submit(checkout, "/checkout");
      String loggedIn = sa(confirmation);
      HttpResponse<String> loggedOut = alice.submit(confirmation, "/logout");

      for (HttpResponse<String> page : List.of(catalogue, cart, checkout, confirmation, loggedOut)) {
        assertThat(page.version()).as(page.uri().toString()).isEqualTo(HttpClient.Version.HTTP_2);
        assertThat(page.statusCode()).as(page.uri().toString()).isEqualTo(200);
      }
      assertThat(sa(cart)).as("one connection while browsing").isEqualTo(browsing);
      assertThat(deletions.causeOf(browsing)).isEqualTo(DeletionCause.LOGIN);
      assertThat(loggedIn).isNotEqualTo(browsing);
      assertThat(confirmation.body()).contains("Placed over security association " + loggedIn);
      assertThat(loggedOut.body()).contains("You are logged out");
      assertThat(deletions.causeOf(loggedIn)).isEqualTo(DeletionCause.LOGOUT);
      assertThat(sa(loggedOut)).isNotEqualTo(loggedIn);
      // The browser keeps its last connection; the registry's close at stop ends it.
      assertThat(registry.stats().deletedByCause()).containsEntry(DeletionCause.LOGIN, 1L)
          .containsEntry(DeletionCause.LOGOUT, 1L);
    }
  }

  @ParameterizedTest
  @EnumSource(Container.class)
  void h2AndHttp11_areOfferedByAlpn_andHttp2OffServesHttp11Only(Container container)
      throws Exception {
    Path pem;
    try (RunningShop shop = start(container)) {
      pem = shop.certificate().writePem(dir.resolve("shop.pem"));
      assertThat(shop.startupLines()).contains("protocols:    HTTP/2 and HTTP/1.1");
      Curl.Response h2 = Curl.get(shop.port(), pem, "TLSv1.3", "/", "--http2");
      assertThat(h2.version()).isEqualTo("2");
      assertThat(h2.status()).isEqualTo(200);
      assertThat(h2.body()).contains("Hardware security key");
      Curl.Response http11 = Curl.get(shop.port(), pem, "TLSv1.2", "/", "--http1.1");
      assertThat(http11.version()).isEqualTo("1.1");
      await().atMost(Duration.ofSeconds(20)).until(() -> shop.registry().stats().leases() == 0);
    }
    try (RunningShop shop = start(container, "--http2", "off")) {
      assertThat(shop.startupLines()).contains("protocols:    HTTP/1.1 only (--http2 off)");
      Curl.Response asked = Curl.get(shop.port(), pem, "TLSv1.3", "/", "--http2");
      assertThat(asked.version()).as("h2 is not offered").isEqualTo("1.1");
      assertThat(asked.status()).isEqualTo(200);
    }
  }

  private static String sa(HttpResponse<String> page) {
    Matcher m = SA.matcher(page.body());
    if (!m.find()) {
      throw new AssertionError("no SA in the footer of " + page.uri());
    }
    return m.group(1);
  }
}
