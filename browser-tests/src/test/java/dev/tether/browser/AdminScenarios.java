package dev.tether.browser;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import dev.tether.DeletionCause;
import dev.tether.SecurityAssociation;
import dev.tether.browser.Journal.Kind;
import dev.tether.browser.PeerRelay.Link;
import java.time.Duration;
import java.util.List;
import java.util.Set;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.stream.Collectors;
import org.assertj.core.api.SoftAssertions;
import org.junit.jupiter.api.MethodOrderer;
import org.junit.jupiter.api.Order;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestMethodOrder;
import org.openqa.selenium.By;
import org.openqa.selenium.Dimension;
import org.openqa.selenium.StaleElementReferenceException;
import org.openqa.selenium.support.ui.ExpectedConditions;
import org.openqa.selenium.support.ui.WebDriverWait;

/**
 * The administrator in headless Chromium: a login under {@code require-own-association = true}
 * that meets no 421 at all, and the SA dashboard updating live while another browser shops, with its
 * flush buttons. Subclasses choose the container.
 */
@TestMethodOrder(MethodOrderer.OrderAnnotation.class)
abstract class AdminScenarios extends Scenarios {

  @Test
  @Order(1)
  void adminLogin_underRequireOwnAssociation_endsTheBrowsersConnections_andMeetsNo421() {
    try (Visitor admin = shop.visitor("admin-login", "127.0.0.14")) {
      String peer = admin.peer();
      admin.open("/");
      Set<String> before = liveSas(peer);
      assertThat(before).as("the browser's SAs before the login").isNotEmpty();
      int mark = shop.journal().mark();
      admin.clickLogIn();
      List<Link> open = admin.openConnections();
      AtomicInteger held = new AtomicInteger();
      admin.onResponse("*/j_security_check*", status -> {
        held.incrementAndGet();
        assertThat(status).as("the login's answer").isEqualTo(303);
        assertThat(shop.shop().registry().policyFor(peer).name())
            .as("the policy new connections from %s negotiate under", peer).isEqualTo(OPERATORS);
        assertThat(liveSas(peer)).as("the address's SAs when the redirect arrives")
            .doesNotContainAnyElementsOf(before);
        assertServerEnds(open, "when the login was sent, by the time its redirect arrives");
      });
      admin.submitLogin("admin", BrowserShop.ADMIN_PASSWORD);
      admin.verifyPausedResponses();
      assertThat(held).as("login responses held in the browser").hasValue(1);
      String title = admin.title();
      String shown = admin.find("body").getText();
      admin.chromium().screenshot("after-login");

      NetLog net = admin.quit();
      shop.awaitQuiet(peer);
      assertThat(before).allSatisfy(id ->
          assertThat(shop.journal().deletion(id)).as("why SA %s went", id)
              .isEqualTo(DeletionCause.LOGIN));
      assertThat(negotiatedSince(mark, peer)).as("SAs negotiated after the login")
          .allSatisfy(sa -> assertThat(sa.policy()).isEqualTo(OPERATORS));
      assertThat(shop.journal().since(mark, peer)).as("resumptions of the flushed SAs")
          .noneMatch(e -> e.kind() == Kind.REUSED && before.contains(e.id()));
      // The login's response ends its connection and the server ends the browser's other
      // connections (on SAs the login deleted) at once, so the browser's next request opens a
      // connection under the administrators' policy: no request of the browser meets a 421.
      SoftAssertions.assertSoftly(soft -> {
        soft.assertThat(title).as("the title of the page the login landed on, which says: %s",
            shown).isEqualTo("Account · Tether shop");
        soft.assertThat(net.misdirected()).as("421s the browser received (%s)", net).isZero();
        soft.assertThat(shop.journal().since(mark, peer)).as("requests the shop refused")
            .noneMatch(e -> e.kind() == Kind.REFUSED);
        soft.check(() -> assertLoginEndsItsConnection(net));
        soft.check(() -> assertNoLateTicket(admin, net));
      });
    }
  }

  @Test
  @Order(2)
  void dashboard_showsTheTableLive_whileAnotherBrowserShops_andItsFlushButtonsWork() {
    // The operator's browser runs where the operator's monitoring script runs: an address the
    // script's logins bound to the administrators' policy, so every connection of the browser is
    // negotiated under it and the login needs no 421 (that path is the test above).
    shop.monitor().stats();
    assertThat(shop.shop().registry().policyFor(Monitor.PEER).name()).isEqualTo(OPERATORS);
    try (Visitor admin = shop.visitor("dashboard", Monitor.PEER);
        Visitor shopper = shop.visitor("dashboard-shopper", "127.0.0.16")) {
      admin.open("/admin/associations");
      admin.await("input[name=j_username]");
      admin.submitLogin("admin", BrowserShop.ADMIN_PASSWORD);
      assertShopPageShown(admin);
      assertThat(admin.path()).isEqualTo("/admin/associations");
      // The login flushed the address's SAs and the server ended their connections: the
      // dashboard came over an SA negotiated since, under the administrators' policy.
      assertThat(live(admin.footer().sa()).policy()).as("the policy of the dashboard page's SA")
          .isEqualTo(OPERATORS);
      admin.await("#status.live.ok");
      admin.await("#counters .counter");
      long negotiated = counter(admin, "negotiated");

      // Another browser shops; the dashboard shows its SAs without a reload.
      shopper.open("/");
      shopper.addFirstProductToCart();
      Set<String> shopperSas = liveSas(shopper.peer());
      assertThat(shopperSas).isNotEmpty();
      await().atMost(Duration.ofSeconds(15)).untilAsserted(() -> {
        assertThat(rows(admin)).as("the table").filteredOn(r -> r.get(1).equals(shopper.peer()))
            .extracting(r -> r.get(0)).containsExactlyInAnyOrderElementsOf(liveSas(shopper.peer()));
        assertThat(counter(admin, "negotiated")).isGreaterThanOrEqualTo(negotiated + shopperSas.size());
        assertThat(admin.findAll("#chart-sas path.series")).isNotEmpty();
        assertThat(admin.findAll("#chart-handshakes path.series")).isNotEmpty();
      });
      assertThat(admin.find("#status").getText()).startsWith("live · registry shop");
      // A few more polls draw the charts' lines; then the whole page, for the README.
      await().atMost(Duration.ofSeconds(15)).until(() -> String.valueOf(admin.driver()
          .executeScript("const p = document.querySelector('#chart-sas path.series.active');"
              + " return p ? p.getAttribute('d') : '';")).chars().filter(c -> c == 'L').count() >= 3);
      admin.driver().manage().window().setSize(new Dimension(1280, 1500));
      admin.chromium().screenshot("dashboard");

      // "Flush" deletes one SA; "Flush peer" every SA of the address, after a confirmation.
      String one = shopperSas.iterator().next();
      int mark = shop.journal().mark();
      clickInRow(admin, one, "Flush");
      await().atMost(Duration.ofSeconds(10)).untilAsserted(() -> {
        assertThat(shop.journal().deletion(one)).isEqualTo(DeletionCause.MANUAL);
        assertThat(rows(admin)).extracting(r -> r.get(0)).doesNotContain(one);
        assertThat(admin.find("#status").getText()).startsWith("flushed 1 SA(s)");
      });
      Set<String> rest = liveSas(shopper.peer());
      if (!rest.isEmpty()) {
        List<Link> open = shopper.openConnections();
        clickInRow(admin, rest.iterator().next(), "Flush peer");
        new WebDriverWait(admin.driver(), Duration.ofSeconds(10))
            .until(ExpectedConditions.alertIsPresent()).accept();
        await().atMost(Duration.ofSeconds(10)).untilAsserted(() -> {
          assertThat(liveSas(shopper.peer())).isEmpty();
          assertThat(rows(admin)).extracting(r -> r.get(1)).doesNotContain(shopper.peer());
        });
        assertThat(rest).allSatisfy(id ->
            assertThat(shop.journal().deletion(id)).isEqualTo(DeletionCause.MANUAL));
        assertServerEnds(open, "in the shopper's browser at the peer flush");
      }
      // The shopper goes on: the HTTP session (and its cart) is not the TLS session, and no new
      // connection resumes a flushed SA.
      shopper.open("/cart");
      assertShopPageShown(shopper);
      assertThat(shopper.cartItems()).isEqualTo(1);
      assertThat(shop.journal().since(mark, shopper.peer()))
          .noneMatch(e -> e.kind() == Kind.REUSED && shopperSas.contains(e.id()));

      // "Flush all" deletes every SA of the registry, the dashboard's own too, and keeps polling.
      Set<String> all = shop.shop().registry().associations().stream()
          .map(SecurityAssociation::id).collect(Collectors.toSet());
      admin.find("#flush-all").click();
      new WebDriverWait(admin.driver(), Duration.ofSeconds(10))
          .until(ExpectedConditions.alertIsPresent()).accept();
      await().atMost(Duration.ofSeconds(10)).untilAsserted(() -> assertThat(all)
          .allSatisfy(id -> assertThat(shop.journal().deletion(id)).isNotNull()));
      String status = admin.find("#status").getText();
      await().atMost(Duration.ofSeconds(10)).untilAsserted(() -> {
        assertThat(admin.find("#status").getText()).isNotEqualTo(status).contains("live");
        assertThat(admin.find("#status").getAttribute("class")).contains("ok");
      });
      assertCleanConsole(admin);
      assertCleanConsole(shopper);

      NetLog adminNet = admin.quit();
      NetLog shopperNet = shopper.quit();
      shop.awaitQuiet(admin.peer());
      shop.awaitQuiet(shopper.peer());
      assertNoLateTicket(admin, adminNet);
      assertNoLateTicket(shopper, shopperNet);
    }
  }

  /**
   * The login's response tells the browser that its connection ends: in HTTP/1.1 with
   * {@code Connection: close} (HTTP/2 would end it with GOAWAY instead).
   */
  static void assertLoginEndsItsConnection(NetLog net) {
    assertThat(net.responses("/j_security_check")).as("the login's response")
        .first().satisfies(login -> assertThat(login.has("Connection", "close"))
            .as("Connection: close in %s", login.headers()).isTrue());
  }

  /** Returns the dashboard's table: per row its id, peer, protocol, cipher suite and policy. */
  @SuppressWarnings("unchecked")
  static List<List<String>> rows(Visitor admin) {
    return (List<List<String>>) admin.driver().executeScript("return Array.from("
        + "document.querySelectorAll('#sa-table tbody tr[data-id]')).map(tr => "
        + "Array.from(tr.cells).slice(0, 5).map(td => td.textContent))");
  }

  /**
   * Clicks a button of the table's row for SA {@code id}. The dashboard redraws its table at every
   * poll, so a row found may be replaced before the click lands: then it tries again.
   */
  static void clickInRow(Visitor admin, String id, String button) {
    await().atMost(Duration.ofSeconds(10)).ignoreException(StaleElementReferenceException.class)
        .until(() -> {
          admin.find("#sa-table tbody tr[data-id='" + id + "']")
              .findElement(By.xpath(".//button[text()='" + button + "']")).click();
          return true;
        });
  }

  /** Returns the value of one of the dashboard's counters ("negotiated", "reused", ...). */
  static long counter(Visitor admin, String name) {
    Object value = admin.driver().executeScript("for (const c of document.querySelectorAll("
        + "'#counters .counter')) { if (c.querySelector('.name').textContent === arguments[0]) "
        + "{ return c.querySelector('.value').textContent; } } return null;", name);
    if (value == null) {
      throw new AssertionError("the dashboard has no counter " + name);
    }
    return Long.parseLong(value.toString().strip());
  }
}
