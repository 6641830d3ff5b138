package dev.tether.browser;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import dev.tether.SecurityAssociation;
import dev.tether.browser.Journal.Entry;
import dev.tether.browser.Journal.Kind;
import dev.tether.browser.PeerRelay.Link;
import dev.tether.browser.PeerRelay.Side;
import dev.tether.shop.launcher.Container;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Set;
import java.util.logging.Level;
import java.util.stream.Collectors;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.TestInstance;
import org.junit.jupiter.api.io.TempDir;
import org.openqa.selenium.logging.LogEntry;

/**
 * What every browser scenario class shares: one shop per class on its container, with the shop's
 * policy file, and the checks that compare the browser's view with the server's.
 *
 * <p>Each test uses a browser of its own at an address of its own, and ends by quitting it and
 * waiting until the shop has released every lease of that address; the class ends by stopping the
 * shop and checking its books ({@link BrowserShop#close()}).
 *
 * <p>The shop runs with {@code --http2 off} and offers no ALPN, so Chromium speaks HTTP/1.1 (the
 * net-log records what ALPN chose).
 * Chromium speaks HTTP/2 wherever a server offers it; an HTTP/2 axis is one more subclass per
 * container that starts the shop with HTTP/2. The connection checks read the relay, not the
 * protocol, and hold for HTTP/2 as they are; only {@link AdminScenarios#assertLoginEndsItsConnection}
 * reads an HTTP/1.1 header ({@code Connection: close}, where HTTP/2 sends GOAWAY).
 */
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
abstract class Scenarios {
  /** The policy names of the shop's policy file ({@code shop-policies.conf}). */
  static final String SHOPPERS = "shoppers";
  static final String CUSTOMERS = "customers";
  static final String OPERATORS = "operators";

  BrowserShop shop;

  abstract Container container();

  @BeforeAll
  void startShop(@TempDir Path dir) {
    shop = BrowserShop.start(container(), dir);
  }

  @AfterAll
  void stopShop() {
    if (shop != null) {
      shop.close();
    }
  }

  /** Returns the ids of the peer's SAs in the registry now (active or idle). */
  Set<String> liveSas(String peer) {
    return shop.shop().registry().associations().stream().filter(sa -> sa.peer().equals(peer))
        .map(SecurityAssociation::id).collect(Collectors.toSet());
  }

  /** Returns the SA with this id while it is in the registry, failing if it is not. */
  SecurityAssociation live(String id) {
    return shop.shop().registry().find(id)
        .orElseThrow(() -> new AssertionError("SA " + id + " is not in the registry (deleted: "
            + shop.journal().deletion(id) + ")"));
  }

  /** Returns the SAs the peer negotiated since {@code mark} (new SAs, full handshakes). */
  List<SecurityAssociation> negotiatedSince(int mark, String peer) {
    return shop.journal().since(mark, peer).stream().filter(e -> e.kind() == Kind.NEGOTIATED)
        .map(Entry::sa).toList();
  }

  /**
   * Chromium's net-log and the registry tell the same story of the browser's connections: each
   * handshake Chromium resumed is a reuse of an SA, each full one a new SA, all TLS 1.3. A
   * resumption the server counted as a new SA (a stale ticket of a deleted SA) breaks it.
   */
  void assertBrowserAndServerAgree(NetLog net, String peer) {
    List<Entry> server = shop.journal().of(peer);
    long negotiated = server.stream().filter(e -> e.kind() == Kind.NEGOTIATED).count();
    long reused = server.stream().filter(e -> e.kind() == Kind.REUSED).count();
    assertThat(net.handshakes()).as("Chromium's TLS handshakes").isNotEmpty()
        .allSatisfy(h -> assertThat(h.version()).isEqualTo("TLS 1.3"));
    assertThat(net.resumed()).as("handshakes Chromium resumed = SAs the shop reused (%s)", net)
        .isEqualTo(reused);
    assertThat(net.full()).as("full handshakes in Chromium = SAs the shop negotiated (%s)", net)
        .isEqualTo(negotiated);
  }

  /**
   * The server ends every one of these connections of the browser (all open on SAs a flush
   * deleted): the connection that carried the login or logout after its response, the others at
   * once when idle. Whatever the browser sends next goes over a new connection. Waits 10 s at most;
   * a connection the browser closed first fails the check.
   */
  static void assertServerEnds(List<Link> connections, String when) {
    assertThat(connections).as("the browser's connections open %s", when).isNotEmpty();
    await().atMost(Duration.ofSeconds(10)).untilAsserted(() ->
        assertThat(connections).as("connections still open, %s", when)
            .allSatisfy(l -> assertThat(l.endedBy()).isNotNull()));
    assertThat(connections).as("who ended the connections open %s", when)
        .allSatisfy(l -> assertThat(l.endedBy()).isEqualTo(Side.SERVER));
  }

  /**
   * Chromium closed no idle connection for bytes the server sent without ending the connection: on
   * TLS 1.3, a NewSessionTicket sent after a response, which Tether's tagging during the handshake
   * no longer causes. (Closes for a server's {@code close_notify}, a flush, are not counted.)
   */
  static void assertNoLateTicket(Visitor visitor, NetLog net) {
    assertThat(visitor.closedForLateBytes(net))
        .as("ports of idle connections Chromium closed for bytes that came after a response "
            + "(relayed: %s; %s)", visitor.connections(), net)
        .isEmpty();
  }

  /** The browser's console holds no error and no warning (CSP violations, failed loads, scripts). */
  static void assertCleanConsole(Visitor visitor) {
    List<LogEntry> bad = visitor.chromium().console().stream()
        .filter(e -> e.getLevel().intValue() >= Level.WARNING.intValue()).toList();
    assertThat(bad).as("errors and warnings in the browser's console").isEmpty();
  }

  /**
   * The page shown is one of the shop's own (a 421 is plain text, titled by its address) and says
   * nothing of a misdirected request.
   */
  static void assertShopPageShown(Visitor visitor) {
    assertThat(visitor.title()).as("the title of the page at %s", visitor.path())
        .endsWith("· Tether shop");
    assertThat(visitor.find("body").getText()).as("the page at %s", visitor.path())
        .doesNotContain("Misdirected");
  }
}
