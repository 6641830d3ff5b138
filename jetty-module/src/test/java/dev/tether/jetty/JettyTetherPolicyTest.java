package dev.tether.jetty;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import dev.tether.AssociationRegistry;
import dev.tether.AssociationStats;
import dev.tether.DeletionCause;
import dev.tether.RefusalReason;
import dev.tether.SecurityAssociation;
import dev.tether.testing.OpenSslClient;
import dev.tether.testing.OpenSslClient.Handshake;
import dev.tether.testing.OpenSslClient.Result;
import dev.tether.testing.WebClient;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import javax.net.ssl.SSLContext;
import javax.net.ssl.SSLSocket;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Policies and login-driven flushes on a real Jetty with real clients: anonymous browsing shares an
 * SA, a FORM login flushes the peer before its redirect leaves and binds the peer to the user's
 * policy, a request on an SA of another policy gets 421 and a new connection, a logout flushes and
 * unbinds, and a BASIC monitor logs in once.
 */
class JettyTetherPolicyTest {
  @TempDir
  Path dir;
  private PolicyServer server;
  private AssociationRegistry registry;
  private final SSLContext browserTls = TestServer.CERT.clientContext();

  @BeforeEach
  void start() throws Exception {
    server = new PolicyServer(dir).start();
    registry = server.registry();
  }

  @AfterEach
  void stop() throws Exception {
    server.close();
  }

  private OpenSslClient openssl(String protocol) throws Exception {
    return new OpenSslClient(server.port(), protocol, TestServer.pem());
  }

  private long deleted(DeletionCause cause) {
    return registry.stats().deletedByCause().get(cause);
  }

  @Test
  void anonymousBrowsing_sharesOneSaAcrossResumedConnections() throws Exception {
    OpenSslClient openssl = openssl("TLSv1.3");
    Result first = openssl.request(null, dir.resolve("s1"));
    Result second = openssl.request(dir.resolve("s1"), dir.resolve("s2"));
    Result third = openssl.request(dir.resolve("s2"), null);

    assertThat(first.handshake()).as(first.output()).isEqualTo(Handshake.NEW);
    assertThat(second.handshake()).as(second.output()).isEqualTo(Handshake.REUSED);
    assertThat(third.handshake()).as(third.output()).isEqualTo(Handshake.REUSED);
    assertThat(registry.associations()).singleElement().satisfies(sa -> {
      assertThat(sa.policy()).isEqualTo("browse");
      assertThat(sa.reuses()).isEqualTo(2);
      assertThat(sa.principals()).isEmpty();
    });
    assertThat(registry.stats().flushed()).isZero();
  }

  @Test
  void formLogin_flushesPeerBeforeTheRedirect_andNewConnectionsNegotiateUnderTheUsersPolicy()
      throws Exception {
    OpenSslClient tls13 = openssl("TLSv1.3");
    Result anonymous = tls13.request(null, dir.resolve("anon"));
    assertThat(anonymous.handshake()).as(anonymous.output()).isEqualTo(Handshake.NEW);
    assertThat(openssl("TLSv1.2").request(null, null).handshake()).isEqualTo(Handshake.NEW);
    WebClient browser = new WebClient(browserTls, server.port());
    assertThat(WebClient.field(browser.get("/page"), "policy")).isEqualTo("browse");
    long saBefore = registry.associations().size();

    HttpResponse<String> login = browser.formLogin("admin", "secret");

    // The moment the redirect arrives, every SA of the peer is gone and the peer is bound.
    assertThat(login.statusCode()).isBetween(302, 303);
    assertThat(deleted(DeletionCause.LOGIN)).isEqualTo(saBefore);
    assertThat(registry.associations()).isEmpty();
    assertThat(registry.policies().boundPrincipal("127.0.0.1")).isEqualTo("admin");
    assertThat(registry.policyFor("127.0.0.1").name()).isEqualTo("admin");

    Result again = tls13.request(dir.resolve("anon"), null);
    assertThat(again.handshake()).as("the flushed SA cannot be resumed: " + again.output())
        .isEqualTo(Handshake.NEW);
    assertThat(again.protocols()).containsExactly("TLSv1.3");
    await().untilAsserted(() -> assertThat(registry.associations())
        .extracting(SecurityAssociation::policy).containsOnly("admin"));
    Result tls12 = openssl("TLSv1.2").request(null, null);
    assertThat(tls12.output()).as("a TLS 1.2-only client is refused while the peer is bound")
        .contains("alert protocol version").contains("Cipher is (NONE)");
    await().untilAsserted(() -> assertThat(registry.stats().handshakeFailures()).isEqualTo(1));
  }

  @Test
  void formLogin_endsItsConnection_soTheNextRequestNegotiatesUnderTheUsersPolicy() throws Exception {
    WebClient browser = new WebClient(browserTls, server.port());
    HttpResponse<String> redirect = browser.formLogin("admin", "secret");
    assertThat(redirect.headers().firstValue("connection")).as("the login's own connection ends")
        .hasValue("close");

    // The browser follows the redirect on a new connection: a new SA, under the admin's policy.
    HttpResponse<String> page = browser.get("/secure/page");

    assertThat(page.statusCode()).as("no 421: nothing is left on the anonymous SA").isEqualTo(200);
    assertThat(WebClient.field(page, "user")).isEqualTo("admin");
    assertThat(WebClient.field(page, "policy")).isEqualTo("admin");
    assertThat(WebClient.field(page, "protocol")).isEqualTo("TLSv1.3");
    assertThat(WebClient.field(page, "resumed")).isEqualTo("false");
    assertThat(registry.find(WebClient.field(page, "sa")).orElseThrow().principals())
        .containsExactly("admin");
    assertThat(registry.stats().refused()).isZero();
  }

  @Test
  void keptConnection_ofAnotherPolicy_gets421_andTheServerClosesItAfterThe421() throws Exception {
    try (SSLSocket early = (SSLSocket) browserTls.getSocketFactory()
        .createSocket("localhost", server.port())) {
      early.setSoTimeout(20_000);
      early.startHandshake();
      // The client's handshake ends when it sends its Finished; the server takes the connection's
      // SA when it reads it. The login below must find that SA to flush it.
      await().until(() -> registry.stats().leases() == 1);
      WebClient browser = new WebClient(browserTls, server.port());
      // The operator's login flushes the peer's SAs but keeps their connections open.
      browser.formLogin("oper", "secret");
      String cookie = browser.cookie("JSESSIONID");

      // A kept-alive request (no Connection: close) with the admin's session on an anonymous SA.
      early.getOutputStream().write(("GET /secure/page HTTP/1.1\r\nHost: localhost\r\nCookie: "
          + cookie + "\r\n\r\n").getBytes(StandardCharsets.US_ASCII));
      String response = new String(early.getInputStream().readAllBytes(), StandardCharsets.UTF_8);

      assertThat(response).startsWith("HTTP/1.1 421 ").containsIgnoringCase("connection: close")
          .contains("Retry on a new connection");
    }
    assertThat(registry.stats().refusedByReason()).containsEntry(RefusalReason.POLICY, 1L);
    assertThat(deleted(DeletionCause.LOGIN)).as("the early connection's SA too").isPositive();
    assertThat(registry.associations()).extracting(SecurityAssociation::policy)
        .doesNotContain("browse");
  }

  @Test
  void customerLogin_keepsTheConnection_andTheSessionIsNotLoggedInAgain() throws Exception {
    WebClient browser = new WebClient(browserTls, server.port());
    browser.formLogin("alice", "secret");
    assertThat(deleted(DeletionCause.LOGIN)).isEqualTo(1);

    for (int i = 0; i < 3; i++) {
      HttpResponse<String> page = browser.get("/secure/page");
      assertThat(page.statusCode()).isEqualTo(200);
      assertThat(WebClient.field(page, "user")).isEqualTo("alice");
    }

    HttpResponse<String> open = browser.get("/page");
    assertThat(WebClient.field(open, "user")).as("a page outside the constraint knows the user too")
        .isEqualTo("alice");

    assertThat(deleted(DeletionCause.LOGIN)).isEqualTo(1);
    assertThat(deleted(DeletionCause.LOGOUT)).isZero();
    assertThat(registry.policies().boundPrincipal("127.0.0.1")).isEqualTo("alice");
    assertThat(registry.stats().refused()).isZero();
  }

  @Test
  void logout_flushesAsConfigured_andUnbindsThePeer() throws Exception {
    WebClient browser = new WebClient(browserTls, server.port());
    browser.formLogin("admin", "secret");
    browser.get("/secure/page"); // 421: the browser retries on a new connection
    HttpResponse<String> page = browser.get("/secure/page");
    assertThat(WebClient.field(page, "policy")).isEqualTo("admin");
    AssociationStats before = registry.stats();

    HttpResponse<String> logout = browser.post("/logout", "");

    assertThat(logout.statusCode()).isEqualTo(302);
    assertThat(deleted(DeletionCause.LOGOUT)).isEqualTo(1);
    assertThat(registry.stats().deleted()).isEqualTo(before.deleted() + 1);
    assertThat(registry.policies().boundPrincipal("127.0.0.1")).isNull();
    assertThat(registry.policyFor("127.0.0.1").name()).isEqualTo("browse");
    Result tls12 = openssl("TLSv1.2").request(null, null);
    assertThat(tls12.handshake()).as(tls12.output()).isEqualTo(Handshake.NEW);
    assertThat(tls12.protocols()).containsExactly("TLSv1.2");
    HttpResponse<String> anonymous = browser.get("/page");
    assertThat(WebClient.field(anonymous, "user")).isEqualTo("null");
    assertThat(deleted(DeletionCause.LOGOUT)).as("reported once").isEqualTo(1);
  }

  @Test
  void basicLogin_isReportedOnce_acrossRequestsAndConnections() throws Exception {
    WebClient browser = new WebClient(browserTls, server.port());
    assertThat(browser.get("/basic/secure/page").statusCode()).isEqualTo(401);

    HttpResponse<String> first = browser.get("/basic/secure/page", WebClient.basic("alice", "secret"));

    assertThat(WebClient.field(first, "user")).isEqualTo("alice");
    assertThat(deleted(DeletionCause.LOGIN)).isEqualTo(1);
    for (int i = 0; i < 3; i++) {
      assertThat(browser.get("/basic/secure/page", WebClient.basic("alice", "secret")).statusCode())
          .isEqualTo(200);
    }
    WebClient again = new WebClient(browserTls, server.port());
    HttpResponse<String> later = again.get("/basic/secure/page", WebClient.basic("alice", "secret"));
    assertThat(WebClient.field(later, "user")).isEqualTo("alice");
    assertThat(deleted(DeletionCause.LOGIN)).isEqualTo(1);
    assertThat(deleted(DeletionCause.LOGOUT)).isZero();
    assertThat(registry.find(WebClient.field(later, "sa")).orElseThrow().principals())
        .containsExactly("alice");
  }

  @Test
  void applicationsOwnLogin_isReportedThroughTheApi_once() throws Exception {
    WebClient browser = new WebClient(browserTls, server.port());
    browser.get("/page");

    HttpResponse<String> login = browser.post("/own-login?user=root", "");

    assertThat(login.body()).isEqualTo("flushed=1;again=0");
    assertThat(deleted(DeletionCause.LOGIN)).isEqualTo(1);
    assertThat(registry.policies().boundPrincipal("127.0.0.1")).isEqualTo("root");
    assertThat(registry.policyFor("127.0.0.1").name()).isEqualTo("admin");
    assertThat(WebClient.field(browser.get("/page"), "user")).isEqualTo("null");
    assertThat(deleted(DeletionCause.LOGOUT)).as("no container user, so no logout").isZero();
  }

  @Test
  void basicMonitorScraping_logsInOnce_notOnEveryScrape() throws Exception {
    for (int i = 0; i < 4; i++) {
      // A fresh client per scrape, as a cron job would be; they share the TLS session cache.
      WebClient monitor = new WebClient(browserTls, server.port());
      HttpResponse<String> stats = monitor.get("/tether/stats", WebClient.basic("admin", "secret"));
      assertThat(stats.statusCode()).as(stats.body()).isEqualTo(200);
      assertThat(stats.body()).contains("\"registry\":\"policy\"");
    }

    assertThat(deleted(DeletionCause.LOGIN)).as("the first scrape flushed its SA").isEqualTo(1);
    assertThat(deleted(DeletionCause.LOGOUT)).isZero();
    assertThat(registry.policies().boundPrincipal("127.0.0.1")).isEqualTo("admin");
    assertThat(registry.stats().refused()).isZero();
    assertThat(registry.associations()).extracting(SecurityAssociation::policy).containsOnly("admin");
  }
}
