package dev.tether.tomcat;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import dev.tether.AssociationRegistry;
import dev.tether.DeletionCause;
import dev.tether.RefusalReason;
import dev.tether.SecurityAssociation;
import dev.tether.testing.WebClient;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import javax.net.ssl.SSLContext;
import org.apache.catalina.Context;
import org.apache.catalina.Valve;
import org.apache.catalina.authenticator.FormAuthenticator;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Policies and login-driven flushes on a real Tomcat with real clients: anonymous browsing shares an
 * SA, a FORM login flushes the peer before its redirect leaves and binds the peer to the user's
 * policy, a request on an SA of another policy gets 421 and a closed connection, a logout flushes
 * and unbinds, and a BASIC monitor logs in once.
 */
class TomcatTetherPolicyTest {
  private static final String PEER = "127.0.0.1";

  @TempDir
  Path dir;
  private TetherServer server;
  private AssociationRegistry registry;
  private final SSLContext browserTls = TetherServer.clientContext();

  @BeforeEach
  void start() throws Exception {
    server = PolicyApp.start(dir);
    registry = server.registry();
  }

  @AfterEach
  void stop() throws Exception {
    server.close();
  }

  private long deleted(DeletionCause cause) {
    return registry.stats().deletedByCause().get(cause);
  }

  private String sClient(String protocol, String... extra) throws Exception {
    return OpenSsl.sClient(server.port(), TetherServer.pem(), protocol, extra);
  }

  @Test
  void anonymousBrowsing_sharesOneSaAcrossResumedConnections() throws Exception {
    Path s1 = dir.resolve("s1");
    Path s2 = dir.resolve("s2");
    List<String> first = OpenSsl.handshakes(sClient("TLSv1.3", "-sess_out", s1.toString()));
    List<String> second = OpenSsl.handshakes(sClient("TLSv1.3", "-sess_in", s1.toString(),
        "-sess_out", s2.toString()));
    List<String> third = OpenSsl.handshakes(sClient("TLSv1.3", "-sess_in", s2.toString()));

    assertThat(first).containsExactly("New");
    assertThat(second).containsExactly("Reused");
    assertThat(third).containsExactly("Reused");
    assertThat(registry.associations()).singleElement().satisfies(sa -> {
      assertThat(sa.policy()).isEqualTo("browse");
      assertThat(sa.reuses()).isEqualTo(2);
    });
    assertThat(registry.stats().flushed()).isZero();
  }

  @Test
  void formLogin_flushesPeerBeforeTheRedirect_andNewConnectionsNegotiateUnderTheUsersPolicy()
      throws Exception {
    Path anon = dir.resolve("anon");
    assertThat(OpenSsl.handshakes(sClient("TLSv1.3", "-sess_out", anon.toString())))
        .containsExactly("New");
    assertThat(OpenSsl.handshakes(sClient("TLSv1.2"))).containsExactly("New");
    WebClient browser = new WebClient(browserTls, server.port());
    assertThat(WebClient.field(browser.get("/shop/page"), "policy")).isEqualTo("browse");
    long saBefore = registry.associations().size();

    HttpResponse<String> login = browser.formLogin("/shop", "admin", "secret");

    // The moment the redirect arrives, every SA of the peer is gone and the peer is bound.
    assertThat(login.statusCode()).isEqualTo(303);
    assertThat(login.headers().firstValue("connection")).as("the login's SA does not fit admin")
        .hasValue("close");
    assertThat(deleted(DeletionCause.LOGIN)).isEqualTo(saBefore);
    assertThat(registry.policies().boundPrincipal(PEER)).isEqualTo("admin");
    assertThat(registry.policyFor(PEER).name()).isEqualTo("admin");

    String again = sClient("TLSv1.3", "-sess_in", anon.toString());
    assertThat(OpenSsl.handshakes(again)).as("the flushed SA cannot be resumed").containsExactly("New");
    assertThat(again).contains("Protocol  : TLSv1.3");
    HttpResponse<String> page = browser.get("/shop/secure/page");
    assertThat(page.statusCode()).as(page.body()).isEqualTo(200);
    assertThat(WebClient.field(page, "user")).isEqualTo("admin");
    assertThat(WebClient.field(page, "policy")).isEqualTo("admin");
    assertThat(WebClient.field(page, "protocol")).isEqualTo("TLSv1.3");
    await().untilAsserted(() -> assertThat(registry.associations())
        .extracting(SecurityAssociation::policy).containsOnly("admin"));
    String tls12 = sClient("TLSv1.2");
    assertThat(tls12).as("a TLS 1.2-only client is refused while the peer is bound")
        .contains("alert protocol version").contains("Cipher is (NONE)");
    assertThat(registry.stats().refused()).isZero();
  }

  @Test
  void keptConnectionOfAnotherPolicy_gets421AndAClosedConnection_andTheRetrySucceeds()
      throws Exception {
    try (HttpsClient early = HttpsClient.open(browserTls, server.port(), "TLSv1.3")) {
      assertThat(early.get("/shop/page").field("policy")).isEqualTo("browse");
      WebClient browser = new WebClient(browserTls, server.port());
      // The operator's login flushes the peer's SAs but keeps their connections open.
      browser.formLogin("/shop", "oper", "secret");
      long logins = deleted(DeletionCause.LOGIN);

      // The admin's session arrives on a connection opened before the login, under 'browse'.
      HttpsClient.Response refused = early.get("/shop/secure/page", "Cookie: " + browser.sessionCookie());

      assertThat(refused.status()).isEqualTo(421);
      assertThat(refused.headers()).containsEntry("connection", "close");
      assertThat(refused.body()).contains("policy 'browse'").contains("policy 'operator'");
      assertThat(early.socket().getInputStream().read()).as("the server closed the connection")
          .isEqualTo(-1);
      assertThat(registry.stats().refusedByReason()).containsEntry(RefusalReason.POLICY, 1L);
      try (HttpsClient retry = HttpsClient.open(browserTls, server.port(), "TLSv1.3")) {
        HttpsClient.Response page = retry.get("/shop/secure/page", "Cookie: " + browser.sessionCookie());
        assertThat(page.status()).isEqualTo(200);
        assertThat(page.field("user")).isEqualTo("oper");
        assertThat(page.field("policy")).isEqualTo("operator");
        assertThat(registry.find(page.field("sa")).orElseThrow().principals())
            .containsExactly("oper");
      }
      assertThat(deleted(DeletionCause.LOGIN)).as("the session was not logged in again")
          .isEqualTo(logins);
    }
  }

  @Test
  void customerLogin_isReportedOnce_andEndsTheConnectionItFlushed() throws Exception {
    WebClient browser = new WebClient(browserTls, server.port());
    HttpResponse<String> login = browser.formLogin("/shop", "alice", "secret");
    assertThat(login.headers().firstValue("connection")).hasValue("close");
    assertThat(deleted(DeletionCause.LOGIN)).isEqualTo(1);

    String sa = null;
    for (int i = 0; i < 3; i++) {
      HttpResponse<String> page = browser.get("/shop/secure/page");
      assertThat(page.statusCode()).isEqualTo(200);
      assertThat(WebClient.field(page, "user")).isEqualTo("alice");
      assertThat(WebClient.field(page, "policy")).as("negotiated after the login")
          .isEqualTo("customer");
      assertThat(sa == null || sa.equals(WebClient.field(page, "sa"))).isTrue();
      sa = WebClient.field(page, "sa");
    }

    HttpResponse<String> open = browser.get("/shop/page");
    assertThat(WebClient.field(open, "user")).as("a page outside the constraint knows the user too")
        .isEqualTo("alice");

    assertThat(deleted(DeletionCause.LOGIN)).isEqualTo(1);
    assertThat(deleted(DeletionCause.LOGOUT)).isZero();
    assertThat(registry.policies().boundPrincipal(PEER)).isEqualTo("alice");
    assertThat(registry.stats().refused()).isZero();
  }

  @Test
  void logout_flushesAsConfigured_andUnbindsThePeer() throws Exception {
    WebClient browser = new WebClient(browserTls, server.port());
    browser.formLogin("/shop", "admin", "secret");
    assertThat(WebClient.field(browser.get("/shop/secure/page"), "policy")).isEqualTo("admin");
    long deletedBefore = registry.stats().deleted();

    HttpResponse<String> logout = browser.post("/shop/logout", "");

    assertThat(logout.statusCode()).isEqualTo(302);
    assertThat(deleted(DeletionCause.LOGOUT)).isEqualTo(1);
    assertThat(registry.stats().deleted()).isEqualTo(deletedBefore + 1);
    assertThat(registry.policies().boundPrincipal(PEER)).isNull();
    assertThat(registry.policyFor(PEER).name()).isEqualTo("browse");
    String tls12 = sClient("TLSv1.2");
    assertThat(OpenSsl.handshakes(tls12)).as(tls12).containsExactly("New");
    assertThat(tls12).contains("Protocol  : TLSv1.2");
    assertThat(WebClient.field(browser.get("/shop/page"), "user")).isEqualTo("null");
    assertThat(deleted(DeletionCause.LOGOUT)).as("reported once").isEqualTo(1);
  }

  @Test
  void basicMonitorScraping_logsInOnce_notOnEveryScrape() throws Exception {
    for (int i = 0; i < 4; i++) {
      // A fresh client per scrape, as a cron job would be; they share the TLS session cache.
      WebClient monitor = new WebClient(browserTls, server.port());
      HttpResponse<String> stats = monitor.get("/shop/tether/stats",
          WebClient.basic("admin", "secret"));
      assertThat(stats.statusCode()).as(stats.body()).isEqualTo(200);
    }

    assertThat(deleted(DeletionCause.LOGIN)).as("the first scrape flushed its SA").isEqualTo(1);
    assertThat(deleted(DeletionCause.LOGOUT)).isZero();
    assertThat(registry.policies().boundPrincipal(PEER)).isEqualTo("admin");
    assertThat(registry.stats().refused()).isZero();
    assertThat(registry.associations()).extracting(SecurityAssociation::policy).containsOnly("admin");
  }

  @Test
  void policyCheck_sitsAfterTheAuthenticator_lastBeforeTheApplication() {
    Valve[] valves = ((Context) server.tomcat.getHost().findChild("/shop")).getPipeline().getValves();
    int authenticator = -1;
    for (int i = 0; i < valves.length; i++) {
      if (valves[i] instanceof FormAuthenticator) {
        authenticator = i;
      }
    }
    assertThat(authenticator).isNotNegative();
    assertThat(valves[valves.length - 2]).isInstanceOf(TomcatPolicyCheck.class);
    assertThat(valves).filteredOn(v -> v instanceof TomcatPolicyCheck).hasSize(1);
    assertThat(valves.length - 2).isGreaterThan(authenticator);
  }

  @Test
  void policyFile_isReadFromTheConnectorAttribute() throws Exception {
    assertThat(registry.policies().policies().policies()).extracting(p -> p.name())
        .containsExactly("browse", "customer", "admin", "operator");
    assertThat(server.protocol().getPolicies()).isEqualTo(dir.resolve("policies.conf").toString());
    assertThat(Files.exists(dir.resolve("policies.conf"))).isTrue();
  }
}
