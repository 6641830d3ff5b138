package dev.tether.boot;

import static dev.tether.boot.TlsBrowser.basic;
import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import dev.tether.AssociationRegistry;
import dev.tether.AssociationStats;
import dev.tether.DeletionCause;
import dev.tether.RefusalReason;
import dev.tether.SecurityAssociation;
import dev.tether.boot.TlsBrowser.Response;
import dev.tether.boot.sample.SampleShop;
import dev.tether.testing.OpenSslClient;
import dev.tether.testing.OpenSslClient.Handshake;
import io.micrometer.core.instrument.MeterRegistry;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;
import org.junit.jupiter.api.io.TempDir;
import org.springframework.beans.factory.annotation.Autowired;
import org.springframework.boot.test.context.SpringBootTest;
import org.springframework.boot.test.context.SpringBootTest.WebEnvironment;
import org.springframework.boot.test.system.CapturedOutput;
import org.springframework.boot.test.system.OutputCaptureExtension;
import org.springframework.boot.test.web.server.LocalServerPort;
import org.springframework.test.context.DynamicPropertyRegistry;
import org.springframework.test.context.DynamicPropertySource;
import tools.jackson.databind.DeserializationFeature;
import tools.jackson.databind.json.JsonMapper;

/**
 * The sample shop on a real embedded container on a random port, with real TLS clients (openssl,
 * the JDK's {@code SSLSocket}) from a loopback address of each test's own (so each test is its own
 * client address to Tether). Subclasses pick the container.
 */
@SpringBootTest(classes = SampleShop.class, webEnvironment = WebEnvironment.RANDOM_PORT, properties = {
    "tether.policies=classpath:sample-policies.conf",
    "management.endpoints.web.exposure.include=health,metrics,tether",
    "management.endpoint.tether.access=unrestricted",
    "management.endpoint.health.show-details=always",
    "logging.level.dev.tether.boot=DEBUG"})
@ExtendWith(OutputCaptureExtension.class)
abstract class ApplicationScenarios {
  @LocalServerPort
  int port;
  @Autowired
  AssociationRegistry registry;
  @Autowired
  MeterRegistry meters;

  @DynamicPropertySource
  static void tls(DynamicPropertyRegistry properties) {
    serverSsl(properties);
  }

  /** Registers {@link TestTls#serverSsl()}. */
  static void serverSsl(DynamicPropertyRegistry properties) {
    for (String p : TestTls.serverSsl()) {
      String[] kv = p.split("=", 2);
      properties.add(kv[0], () -> kv[1]);
    }
  }

  /** {@code tomcat} or {@code jetty}. */
  abstract String container();

  TlsBrowser browser(String peer) {
    return new TlsBrowser(TestTls.client(), port, peer);
  }

  /** An administrator's client: BASIC credentials, and a 421 retried on a new connection. */
  TlsBrowser admin(String peer) {
    return new TlsBrowser(TestTls.client(), port, peer).retrying421();
  }

  static final String ADMIN = basic("admin", "secret");

  @Test
  void tls13Resumption_sharesTheSa_andAFlushThroughTheActuatorEndsIt(@TempDir Path dir)
      throws Exception {
    String peer = "127.0.2.1";
    OpenSslClient openssl = new OpenSslClient(port, "TLSv1.3", TestTls.PEM, peer, "/");
    assertThat(openssl.request(null, dir.resolve("1")).handshake()).isEqualTo(Handshake.NEW);
    assertThat(openssl.request(dir.resolve("1"), dir.resolve("2")).handshake())
        .isEqualTo(Handshake.REUSED);
    SecurityAssociation sa = only(peer);
    assertThat(sa.reuses()).isEqualTo(1);
    assertThat(sa.policy()).isEqualTo("browse");

    try (TlsBrowser admin = admin("127.0.2.2")) {
      Response flushed = admin.postJson("/actuator/tether", "{\"peer\":\"" + peer + "\"}", ADMIN);
      assertThat(flushed.status()).as(flushed.body()).isEqualTo(200);
      assertThat(json(flushed.body())).isEqualTo(Map.of("flushed", 1L));
    }
    assertThat(registry.find(sa.id())).isEmpty();
    assertThat(openssl.request(dir.resolve("2"), null).handshake()).isEqualTo(Handshake.NEW);
  }

  @Test
  void tls12Reconnections_resumeOneSa() throws Exception {
    String peer = "127.0.2.10";
    OpenSslClient.Result result =
        new OpenSslClient(port, "TLSv1.2", TestTls.PEM, peer, "/").reconnect();
    assertThat(result.handshakes()).containsExactly(Handshake.NEW, Handshake.REUSED,
        Handshake.REUSED, Handshake.REUSED, Handshake.REUSED, Handshake.REUSED);
    assertThat(only(peer).reuses()).isEqualTo(5);
  }

  @Test
  void formLogin_flushesTheSaBeforeTheRedirect_andTheNextConnectionIsTheCustomers(
      CapturedOutput output) throws Exception {
    String peer = "127.0.2.3";
    try (TlsBrowser browser = browser(peer)) {
      Response home = browser.get("/");
      String anonymous = home.field("sa");
      assertThat(home.field("policy")).isEqualTo("browse");
      long before = deleted(DeletionCause.LOGIN);
      long ended = registry.stats().endedConnections();

      Response login = browser.formLogin("alice", "secret");
      // When the redirect arrives, the SA that carried the password is gone, and the connection ends.
      assertThat(login.status()).isEqualTo(302);
      assertThat(registry.find(anonymous)).isEmpty();
      assertThat(deleted(DeletionCause.LOGIN) - before).isEqualTo(1);
      assertThat(login.ended()).isTrue();
      assertThat(registry.stats().endedConnections() - ended).isEqualTo(1);

      Response account = browser.get("/account");
      assertThat(account.field("user")).isEqualTo("alice");
      assertThat(account.field("policy")).isEqualTo("customer");
      assertThat(account.field("resumed")).isEqualTo("false");
      assertThat(account.connection()).isEqualTo(login.connection() + 1);
      assertThat(registry.find(account.field("sa")).orElseThrow().principals())
          .containsExactly("alice");
      assertThat(registry.policies().boundPrincipal(peer)).isEqualTo("alice");
    }
    assertThat(count(output, "login of alice from " + peer)).isEqualTo(1);
    assertThat(count(output, "logout of")).isZero();
  }

  @Test
  void customersFormLogin_flushesThePeersOtherSas_beforeTheRedirect_soNoTls13TicketResumesThem(
      @TempDir Path dir) throws Exception {
    String peer = "127.0.2.14";
    OpenSslClient openssl = new OpenSslClient(port, "TLSv1.3", TestTls.PEM, peer, "/");
    assertThat(openssl.request(null, dir.resolve("tab")).handshake()).isEqualTo(Handshake.NEW);
    String otherTab = only(peer).id();
    long stale = registry.stats().staleResumptions();
    try (TlsBrowser browser = browser(peer)) {
      browser.get("/");
      Response login = browser.formLogin("alice", "secret");
      assertThat(login.status()).isEqualTo(302);
      assertThat(registry.find(otherTab)).isEmpty();
    }
    // The ticket the other tab kept from before the login no longer resumes anything.
    assertThat(openssl.request(dir.resolve("tab"), null).handshake()).isEqualTo(Handshake.NEW);
    assertThat(registry.stats().staleResumptions()).isEqualTo(stale);
  }

  @Test
  void formLogin_underAPolicyThatKeepsOpenConnections_flushesTheSa_andTheConnectionGoesOn()
      throws Exception {
    String peer = "127.0.2.13";
    try (TlsBrowser browser = browser(peer)) {
      String anonymous = browser.get("/").field("sa");
      long ended = registry.stats().endedConnections();

      Response login = browser.formLogin("carol", "secret");
      assertThat(login.status()).isEqualTo(302);
      assertThat(login.header("Connection")).isNull();
      assertThat(registry.find(anonymous)).isEmpty();

      Response account = browser.get("/account");
      assertThat(account.field("user")).isEqualTo("carol");
      assertThat(account.field("sa")).isEqualTo(anonymous);
      assertThat(account.connection()).isEqualTo(login.connection());
      assertThat(registry.stats().endedConnections()).isEqualTo(ended);
      assertThat(registry.policies().boundPrincipal(peer)).isEqualTo("carol");
    }
  }

  @Test
  void logout_flushesThePeersSas_andUnbindsIt(CapturedOutput output) throws Exception {
    String peer = "127.0.2.4";
    try (TlsBrowser browser = browser(peer)) {
      browser.formLogin("bob", "secret");
      Response account = browser.get("/account");
      assertThat(account.field("user")).isEqualTo("bob");

      Response logout = browser.formLogout();
      assertThat(logout.status()).isEqualTo(302);
      assertThat(registry.find(account.field("sa"))).isEmpty();
      assertThat(logout.ended()).isTrue();
      assertThat(registry.policies().boundPrincipal(peer)).isNull();
      assertThat(browser.get("/").field("policy")).isEqualTo("browse");
    }
    assertThat(count(output, "logout of bob from " + peer)).isEqualTo(1);
  }

  @Test
  void basicCredentialsOnEveryRequest_logInOncePerBinding(CapturedOutput output) throws Exception {
    String peer = "127.0.2.5";
    try (TlsBrowser browser = browser(peer)) {
      Response first = browser.get("/account", basic("alice", "secret"));
      assertThat(first.field("user")).isEqualTo("alice");
      assertThat(first.ended()).as("the login's SA was flushed").isTrue();
      for (int i = 0; i < 3; i++) {
        Response r = browser.get("/account", basic("alice", "secret"));
        assertThat(r.field("user")).isEqualTo("alice");
        assertThat(r.field("policy")).isEqualTo("customer");
        assertThat(r.ended()).isFalse();
      }
      browser.close();
      Response again = browser.get("/account", basic("alice", "secret"));
      assertThat(again.field("user")).isEqualTo("alice");
      assertThat(browser.connections()).isEqualTo(3);
    }
    assertThat(count(output, "login of alice from " + peer)).isEqualTo(1);
    assertThat(registry.policies().boundPrincipal(peer)).isEqualTo("alice");
  }

  @Test
  void adminOnABrowsingSa_isRefused421_andTheRetryNegotiatesUnderAdmin() throws Exception {
    String peer = "127.0.2.6";
    long refused = registry.stats().refusedByReason().getOrDefault(RefusalReason.POLICY, 0L);
    try (TlsBrowser browser = browser(peer)) {
      assertThat(browser.get("/").field("policy")).isEqualTo("browse");
      Response refusal = browser.get("/admin", ADMIN);
      assertThat(refusal.status()).isEqualTo(421);
      assertThat(refusal.body()).contains("negotiated under policy 'browse', but your requests"
          + " need policy 'admin'");
      assertThat(refusal.ended()).isTrue();

      Response retry = browser.get("/admin", ADMIN);
      assertThat(retry.status()).isEqualTo(200);
      assertThat(retry.field("policy")).isEqualTo("admin");
      assertThat(registry.find(retry.field("sa")).orElseThrow().protocol()).isEqualTo("TLSv1.3");
    }
    assertThat(registry.stats().refusedByReason().get(RefusalReason.POLICY)).isEqualTo(refused + 1);
  }

  @Test
  void switchUser_isALogoutOfTheAdministratorAndALoginOfTheTarget(CapturedOutput output)
      throws Exception {
    String peer = "127.0.2.7";
    try (TlsBrowser browser = browser(peer).retrying421()) {
      assertThat(browser.formLogin("admin", "secret").status()).isEqualTo(302);
      Response admin = browser.get("/admin");
      assertThat(admin.field("policy")).isEqualTo("admin");

      String token = TlsBrowser.csrf(browser.get("/logout"));
      Response switched = browser.post("/login/impersonate", "username=alice&_csrf=" + token);
      assertThat(switched.status()).as(switched.body()).isEqualTo(302);
      assertThat(registry.find(admin.field("sa"))).isEmpty();
      assertThat(switched.ended()).isTrue();

      Response account = browser.get("/account");
      assertThat(account.field("user")).isEqualTo("alice");
      assertThat(account.field("policy")).isEqualTo("customer");
      assertThat(registry.policies().boundPrincipal(peer)).isEqualTo("alice");
    }
    assertThat(count(output, "admin switched to alice from " + peer)).isEqualTo(1);
  }

  @Test
  @SuppressWarnings("unchecked")
  void actuatorEndpoint_showsTheSaTable_andFlushesOneSaById() throws Exception {
    try (TlsBrowser admin = admin("127.0.2.8"); TlsBrowser visitor = browser("127.0.2.9")) {
      String visitorSa = visitor.get("/").field("sa");
      Response report = admin.get("/actuator/tether", ADMIN);
      assertThat(report.status()).as(report.body()).isEqualTo(200);
      Map<String, Object> json = (Map<String, Object>) json(report.body());
      assertThat(json).containsEntry("registry", "default").containsEntry("cluster", null);
      assertThat((Map<String, Object>) json.get("stats")).containsKeys("active", "negotiated",
          "reused", "saved", "deletedByCause", "refusedByReason");
      List<Map<String, Object>> table = (List<Map<String, Object>>) json.get("associations");
      assertThat(table).anySatisfy(sa -> assertThat(sa).containsEntry("id", visitorSa)
          .containsEntry("peer", "127.0.2.9").containsEntry("policy", "browse")
          .containsEntry("state", "ACTIVE").containsEntry("references", 1L));
      assertThat(table).anySatisfy(sa -> assertThat(sa).containsEntry("peer", "127.0.2.8")
          .containsEntry("policy", "admin").containsEntry("principals", List.of("admin")));

      Response one = admin.get("/actuator/tether/" + visitorSa, ADMIN);
      assertThat((Map<String, Object>) json(one.body()))
          .containsEntry("id", visitorSa);
      assertThat(admin.get("/actuator/tether/no-such-sa", ADMIN).status()).isEqualTo(404);
      assertThat(admin.postJson("/actuator/tether", "{}", ADMIN).status()).isEqualTo(400);
      assertThat(admin.postJson("/actuator/tether", "{\"id\":\"" + visitorSa + "\",\"all\":true}",
          ADMIN).status()).isEqualTo(400);

      long ended = registry.stats().endedConnections();
      Response flushed = admin.postJson("/actuator/tether", "{\"id\":\"" + visitorSa + "\"}",
          ADMIN);
      assertThat(json(flushed.body())).isEqualTo(Map.of("flushed", 1L));
      assertThat(registry.find(visitorSa)).isEmpty();
      // The flush ended the visitor's idle connection: its next request negotiates a new SA.
      assertThat(visitor.serverClosed(10_000)).isTrue();
      assertThat(registry.stats().endedConnections() - ended).isEqualTo(1);
      Map<String, Object> after = (Map<String, Object>) json(admin.get("/actuator/tether", ADMIN)
          .body());
      assertThat((Map<String, Object>) after.get("stats"))
          .containsEntry("endedConnections", ended + 1);
      assertThat(meters.get("tether.connections.ended").tag("container", container())
          .functionCounter().count()).isEqualTo(ended + 1);
    }
  }

  @Test
  @SuppressWarnings("unchecked")
  void healthIndicator_isUpWithTheRegistrysCounts() throws Exception {
    try (TlsBrowser admin = admin("127.0.2.11")) {
      Response health = admin.get("/actuator/health/tether", ADMIN);
      assertThat(health.status()).as(health.body()).isEqualTo(200);
      Map<String, Object> json = (Map<String, Object>) json(health.body());
      assertThat(json).containsEntry("status", "UP");
      assertThat((Map<String, Object>) json.get("details")).containsEntry("registry", "default")
          .containsKeys("associations", "active", "idle", "leases", "refused", "boundPeers")
          .doesNotContainKey("cluster");
    }
  }

  @Test
  @SuppressWarnings("unchecked")
  void meters_countTheConnections_taggedWithTheContainer() throws Exception {
    try (TlsBrowser admin = admin("127.0.2.12")) {
      admin.get("/actuator/health", ADMIN);
      double negotiated = meters.get("tether.associations.negotiated")
          .tag("container", container()).tag("registry", "default").functionCounter().count();
      assertThat(negotiated).isEqualTo(registry.stats().negotiated()).isPositive();

      Response metric = admin.get("/actuator/metrics/tether.associations.active", ADMIN);
      assertThat(metric.status()).as(metric.body()).isEqualTo(200);
      Map<String, Object> json = (Map<String, Object>) json(metric.body());
      assertThat((List<Map<String, Object>>) json.get("availableTags")).anySatisfy(tag ->
          assertThat(tag).containsEntry("tag", "container")
              .containsEntry("values", List.of(container())));
      assertThat((List<Map<String, Object>>) json.get("measurements")).anySatisfy(m ->
          assertThat(((Number) m.get("value")).doubleValue()).isGreaterThanOrEqualTo(1.0));
    }
  }

  /**
   * Every test leaves the books balanced once its clients are gone: no lease left, every lease
   * released, every SA deleted once flushed, every accepted connection ended one way.
   */
  @AfterEach
  void booksBalance() {
    assertBalanced(registry);
  }

  /** Asserts {@link #booksBalance()} of {@code registry}, once its connections are gone. */
  static void assertBalanced(AssociationRegistry registry) {
    await().atMost(Duration.ofSeconds(20)).until(() -> registry.stats().leases() == 0);
    registry.flushAll(DeletionCause.MANUAL);
    AssociationStats s = registry.stats();
    assertThat(s.active()).as("%s", s).isZero();
    assertThat(s.idle()).as("%s", s).isZero();
    assertThat(s.released()).as("released = negotiated + reused in %s", s)
        .isEqualTo(s.handshakes());
    assertThat(s.deleted()).as("deleted = negotiated in %s", s).isEqualTo(s.negotiated());
    long refusedConnections = s.refused() - s.refusedByReason().getOrDefault(RefusalReason.POLICY, 0L);
    assertThat(s.accepted()).as("accepted = handshakes + failures + closed early + refused in %s", s)
        .isEqualTo(s.handshakes() + s.handshakeFailures() + s.closedBeforeHandshake()
            + refusedConnections);
  }

  SecurityAssociation only(String peer) {
    List<SecurityAssociation> of = registry.associations().stream()
        .filter(sa -> sa.peer().equals(peer)).toList();
    assertThat(of).hasSize(1);
    return of.get(0);
  }

  long deleted(DeletionCause cause) {
    return registry.stats().deletedByCause().getOrDefault(cause, 0L);
  }

  /** Parses JSON; whole numbers are {@code Long}s. */
  static Object json(String text) {
    return JsonMapper.builder().enable(DeserializationFeature.USE_LONG_FOR_INTS).build()
        .readValue(text, Object.class);
  }

  static long count(CapturedOutput output, String text) {
    return output.getAll().lines().filter(l -> l.contains(text)).count();
  }
}
