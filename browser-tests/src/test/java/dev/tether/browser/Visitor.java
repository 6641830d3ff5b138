package dev.tether.browser;

import static org.assertj.core.api.Assertions.assertThat;

import dev.tether.browser.PeerRelay.Link;
import dev.tether.browser.PeerRelay.Side;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.function.Consumer;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.awaitility.Awaitility;
import org.openqa.selenium.By;
import org.openqa.selenium.TimeoutException;
import org.openqa.selenium.WebElement;
import org.openqa.selenium.chrome.ChromeDriver;
import org.openqa.selenium.devtools.Command;
import org.openqa.selenium.devtools.DevTools;
import org.openqa.selenium.devtools.Event;
import org.openqa.selenium.support.ui.ExpectedConditions;
import org.openqa.selenium.support.ui.WebDriverWait;

/**
 * A person at a browser: one headless {@link Chromium} whose connections reach the shop from an
 * address of its own (a {@link PeerRelay}), and what they do there: open pages, click the navbar,
 * fill the login form, read a page's footer (the SA the page came over).
 *
 * <p>Not thread-safe: one test thread drives it.
 */
final class Visitor implements AutoCloseable {
  private static final Pattern SA = Pattern.compile("SA ([0-9a-f]+) · (resumed|new|deleted)");

  /**
   * What a page's footer says about the connection it came over: its SA, whether the connection
   * resumed it, and whether a flush deleted it while the page was being made (the connection ends
   * after that page).
   */
  record Footer(String sa, boolean resumed, boolean deleted) {}

  private final PeerRelay relay;
  private final Chromium chromium;
  private final String base;
  private final List<Throwable> pausedFailures = new ArrayList<>();
  private DevTools devTools;
  private NetLog netLog;

  Visitor(String name, int shopPort, String peer) {
    this.relay = PeerRelay.start(shopPort, peer);
    this.chromium = Chromium.start(name);
    // 127.0.0.1, not localhost: Chromium would try ::1 first, where the relay does not listen.
    this.base = "https://127.0.0.1:" + relay.port();
  }

  /** Returns the address the shop sees this browser at. */
  String peer() {
    return relay.peer();
  }

  ChromeDriver driver() {
    return chromium.driver();
  }

  Chromium chromium() {
    return chromium;
  }

  /** Opens a page of the shop ({@code /cart}) and waits until it is loaded. */
  void open(String path) {
    driver().get(base + path);
  }

  /** Returns the path of the page shown. */
  String path() {
    return java.net.URI.create(driver().getCurrentUrl()).getPath();
  }

  String title() {
    return driver().getTitle();
  }

  WebElement find(String css) {
    return driver().findElement(By.cssSelector(css));
  }

  List<WebElement> findAll(String css) {
    return driver().findElements(By.cssSelector(css));
  }

  /**
   * Waits up to 15 s for an element and returns it; if it does not come, the failure shows the page
   * the browser shows instead (and a screenshot of it is saved).
   */
  WebElement await(String css) {
    try {
      return new WebDriverWait(driver(), Duration.ofSeconds(15))
          .until(ExpectedConditions.visibilityOfElementLocated(By.cssSelector(css)));
    } catch (TimeoutException e) {
      Path png = chromium.screenshot("no-" + css.replaceAll("[^A-Za-z0-9]+", "-"));
      String text = driver().findElements(By.tagName("body")).stream().findFirst()
          .map(WebElement::getText).orElse("(no body)");
      throw new AssertionError("no " + css + " on " + driver().getCurrentUrl() + " (title '"
          + title() + "', screenshot " + png + "): " + text, e);
    }
  }

  /** Returns what the page's footer says about its connection's SA. */
  Footer footer() {
    String text = await("footer #sa").getText();
    Matcher m = SA.matcher(text);
    if (!m.find()) {
      throw new AssertionError("the footer names no SA: " + text);
    }
    return new Footer(m.group(1), m.group(2).equals("resumed"), m.group(2).equals("deleted"));
  }

  /** Returns the number of items the navbar's cart badge shows (0 without a badge). */
  int cartItems() {
    List<WebElement> badge = findAll("header nav .badge");
    return badge.isEmpty() ? 0 : Integer.parseInt(badge.get(0).getText().strip());
  }

  /** Adds the first product of the catalogue page shown to the cart. */
  void addFirstProductToCart() {
    find("form[action$='/cart'] button[type=submit]").click();
    await("main");
  }

  /** Clicks the navbar's "Log in" and waits for the login form. */
  void clickLogIn() {
    driver().findElement(By.linkText("Log in")).click();
    await("input[name=j_username]");
  }

  /**
   * Fills the login form shown and submits it; returns when the next page is loaded, whatever it
   * is (a shop page, or a 421 the browser did not retry).
   */
  void submitLogin(String user, String password) {
    find("input[name=j_username]").sendKeys(user);
    find("input[name=j_password]").sendKeys(password);
    WebElement form = find("main form");
    form.findElement(By.cssSelector("button[type=submit]")).click();
    new WebDriverWait(driver(), Duration.ofSeconds(15)).until(ExpectedConditions.stalenessOf(form));
    new WebDriverWait(driver(), Duration.ofSeconds(15)).until(d -> "complete".equals(
        driver().executeScript("return document.readyState")));
  }

  /** Clicks the navbar's "Log out" and waits for the page it lands on. */
  void clickLogOut() {
    find("header form[action$='/logout'] button").click();
    await("footer");
  }

  /** Returns the name the navbar shows as logged in, or {@code null}. */
  String loggedInAs() {
    List<WebElement> user = findAll("header .who a.user");
    return user.isEmpty() ? null : user.get(0).getText();
  }

  /**
   * Holds every response whose URL matches {@code urlPattern} (CDP {@code Fetch}, response stage)
   * in the browser until {@code check} has run with the paused response's status: the check sees
   * the server as it is when the response has arrived and before the browser acts on it. A check
   * that fails is reported by {@link #verifyPausedResponses()}.
   */
  @SuppressWarnings("unchecked")
  void onResponse(String urlPattern, Consumer<Integer> check) {
    if (devTools == null) {
      devTools = driver().getDevTools();
      devTools.createSession();
    }
    devTools.addListener(new Event<Map<String, Object>>("Fetch.requestPaused",
        in -> in.read(Map.class)), paused -> {
          try {
            Object status = paused.get("responseStatusCode");
            check.accept(status == null ? null : ((Number) status).intValue());
          } catch (Throwable t) {
            synchronized (pausedFailures) {
              pausedFailures.add(t);
            }
          } finally {
            devTools.send(new Command<Void>("Fetch.continueRequest",
                Map.of("requestId", paused.get("requestId"))));
          }
        });
    devTools.send(new Command<Void>("Fetch.enable", Map.of("patterns",
        List.of(Map.of("urlPattern", urlPattern, "requestStage", "Response")))));
  }

  /** Throws the first failure of an {@link #onResponse} check. */
  void verifyPausedResponses() {
    synchronized (pausedFailures) {
      if (!pausedFailures.isEmpty()) {
        AssertionError e = new AssertionError("a check made while the browser held a response failed",
            pausedFailures.get(0));
        pausedFailures.stream().skip(1).forEach(e::addSuppressed);
        throw e;
      }
    }
  }

  /** Returns the browser's connections to the shop that neither side has ended yet. */
  List<Link> openConnections() {
    return relay.openLinks();
  }

  /** Returns every connection the browser opened to the shop, in order. */
  List<Link> connections() {
    return relay.links();
  }

  /**
   * Returns the local ports of the idle connections Chromium closed for bytes that arrived while
   * the server was not ending the connection, after a response: on TLS 1.3, a NewSessionTicket sent
   * after one. A {@code close_notify} of a server ending the connection (a flush, {@code
   * Connection: close}) is no such close, and neither is a close of a connection that never carried
   * a request: Chromium opens connections ahead of need, and a TLS 1.3 server's tickets reach one
   * after the client's handshake is done; if Chromium takes it from its pool in the instant they
   * arrive, unread, it closes it as it would with any TLS 1.3 server. Read after {@link #quit()}.
   */
  List<Integer> closedForLateBytes(NetLog net) {
    List<Link> links = relay.links();
    return net.closedOnUnexpectedData().stream().filter(port -> links.stream()
        .filter(l -> l.browserPort() == port).reduce((a, b) -> b)
        .map(l -> l.endedBy() != Side.SERVER && l.carriedRequest()).orElse(true)).toList();
  }

  /**
   * Quits the browser (its connections close), waits until the relay has passed every
   * connection's end on, and returns its net-log; its figures go to {@code netlog-summary.txt}.
   */
  NetLog quit() {
    if (devTools != null) {
      devTools.close();
      devTools = null;
    }
    if (netLog == null) {
      netLog = chromium.quitAndReadNetLog();
      Awaitility.await().atMost(Duration.ofSeconds(10)).untilAsserted(() ->
          assertThat(relay.openLinks()).as("connections still open after the browser quit").isEmpty());
      List<Integer> closed = netLog.closedOnUnexpectedData();
      int unexpected = closed.size();
      int late = closedForLateBytes(netLog).size();
      long unused = relay.links().stream()
          .filter(l -> closed.contains(l.browserPort()) && !l.carriedRequest()).count();
      chromium.summarize("connections " + netLog.handshakes().size() + " (full handshakes "
          + netLog.full() + ", resumed " + netLog.resumed() + "; ALPN " + netLog.nextProtos()
          + "), 421 received " + netLog.misdirected() + " (retried " + netLog.misdirectedRetries()
          + "), idle connections Chromium closed for unexpected bytes " + unexpected + " (of them "
          + unused + " never used, " + late
          + " with the server's side open after a response: a late NewSessionTicket)");
    }
    return netLog;
  }

  @Override
  public void close() {
    try {
      quit();
    } finally {
      chromium.close();
      relay.close();
    }
  }
}
