package dev.tether.shop;

import static org.assertj.core.api.Assertions.assertThat;

import com.github.benmanes.caffeine.cache.Scheduler;
import dev.tether.AssociationRegistry;
import dev.tether.DeletionCause;
import dev.tether.SaPolicy;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/** The SA dashboard and the JSON of {@code /tether/*}, over real TLS with real SAs. */
class DashboardTest {
  private static final String FLUSH = "X-Tether-Flush";
  private static AssociationRegistry registry;
  private static ShopServer server;

  @BeforeAll
  static void start() throws Exception {
    // Logins flush nothing here: these tests are about the dashboard, and a login's flush of the
    // connection's SA (the default policy) is the shop's and the launcher's tests' business.
    SaPolicy quiet = SaPolicy.builder("default").appliesTo("anonymous")
        .onLogin(SaPolicy.FlushScope.NONE).onLogout(SaPolicy.FlushScope.NONE).build();
    registry = AssociationRegistry.builder().name("dashboard-test").grace(Duration.ofSeconds(30))
        .defaultPolicy(quiet).scheduler(Scheduler.disabledScheduler()).build();
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

  private Browser admin() throws Exception {
    Browser b = browser();
    b.login("/account", "admin", "tether-admin");
    return b;
  }

  @SuppressWarnings("unchecked")
  private static <T> T json(HttpResponse<String> r) {
    assertThat(r.headers().firstValue("Content-Type")).hasValueSatisfying(
        ct -> assertThat(ct).startsWith("application/json"));
    return (T) JsonParser.parse(r.body());
  }

  private static String saOf(HttpResponse<String> page) {
    return ShopTest.footer(page.body()).replaceAll("(?s).*SA ([0-9a-f]{8}).*", "$1");
  }

  @Test
  void dashboard_forAdmin_isThePageAroundTheScript() throws Exception {
    Browser admin = admin();

    HttpResponse<String> page = admin.get("/admin/associations");

    assertThat(page.statusCode()).isEqualTo(200);
    assertThat(page.body()).contains("Security associations", "data-api=\"/shop/tether\"",
        "id=\"chart-sas\"", "id=\"chart-handshakes\"", "id=\"sa-table\"", "id=\"flush-all\"",
        "src=\"/shop/static/dashboard.js\"").doesNotContain("id=\"no-registry\"");
  }

  @Test
  void dashboard_forCustomer_isForbiddenAndAnonymousGetsTheLoginForm() throws Exception {
    Browser alice = browser();
    alice.login("/account", "alice", "wonderland");

    assertThat(alice.get("/admin/associations").statusCode()).isEqualTo(403);
    assertThat(browser().get("/admin/associations").uri().getPath()).isEqualTo("/shop/login");
  }

  @Test
  void associations_forAdminSession_listTheConnectionsSaWithEveryField() throws Exception {
    Browser admin = admin();
    String id = saOf(admin.get("/account"));

    List<Map<String, Object>> list = json(admin.get("/tether/associations"));

    assertThat(list).anySatisfy(sa -> {
      assertThat(sa).containsOnlyKeys("id", "peer", "protocol", "cipherSuite", "policy",
          "principals", "state", "references", "reuses", "created", "lastUsed", "idleSince",
          "ageMillis", "idleMillis");
      assertThat(sa).containsEntry("id", id).containsEntry("peer", "127.0.0.1")
          .containsEntry("protocol", "TLSv1.3").containsEntry("policy", "default")
          .containsEntry("principals", List.of("admin")); // recorded by TetherLoginFilter
      assertThat((String) sa.get("created")).matches("\\d{4}-\\d\\d-\\d\\dT.*Z");
      assertThat(sa.get("state")).isIn("ACTIVE", "IDLE");
    });
    // The connection that carried this very request holds its SA.
    assertThat(list).anySatisfy(sa -> {
      assertThat(sa).containsEntry("state", "ACTIVE").containsEntry("idleSince", null)
          .containsEntry("idleMillis", 0L);
      assertThat((Long) sa.get("references")).isPositive();
    });
  }

  @Test
  void stats_forAdminSession_reportCountersAndMaps() throws Exception {
    Browser admin = admin();

    Map<String, Object> stats = json(admin.get("/tether/stats"));

    assertThat(stats).containsEntry("registry", "dashboard-test")
        .containsKeys("active", "idle", "leases", "negotiated", "reused", "deleted", "flushed",
            "refused", "handshakeFailures", "deletedByCause", "refusedByReason");
    assertThat((Long) stats.get("negotiated")).isPositive();
    @SuppressWarnings("unchecked")
    Map<String, Object> byCause = (Map<String, Object>) stats.get("deletedByCause");
    assertThat(byCause).containsKey("MANUAL");
  }

  @Test
  void tether_forCustomer_isForbiddenWithJson() throws Exception {
    Browser alice = browser();
    alice.login("/account", "alice", "wonderland");

    HttpResponse<String> r = alice.get("/tether/stats");

    assertThat(r.statusCode()).isEqualTo(403);
    Map<String, Object> body = json(r);
    assertThat(body).containsEntry("error", "role 'admin' required");
  }

  @Test
  void tether_anonymous_isChallengedForBasic() throws Exception {
    HttpResponse<String> r = browser().get("/tether/associations");

    assertThat(r.statusCode()).isEqualTo(401);
    assertThat(r.headers().firstValue("WWW-Authenticate"))
        .hasValue("Basic realm=\"Tether shop\", charset=\"UTF-8\"");
  }

  @Test
  void tether_basicCredentials_adminReadsCustomerForbiddenWrongPasswordChallenged() throws Exception {
    Browser script = browser();
    HttpResponse<String> ok = script.get("/tether/stats", "Authorization",
        Browser.basic("admin", "tether-admin"));
    HttpResponse<String> customer = browser().get("/tether/stats", "Authorization",
        Browser.basic("bob", "builder"));
    HttpResponse<String> wrong = browser().get("/tether/stats", "Authorization",
        Browser.basic("admin", "guess"));

    assertThat(ok.statusCode()).isEqualTo(200);
    assertThat(this.<Map<String, Object>>json(ok)).containsEntry("registry", "dashboard-test");
    assertThat(customer.statusCode()).isEqualTo(403);
    assertThat(wrong.statusCode()).isEqualTo(401);
    // The BASIC login lasted for its request only, even for a client that keeps cookies.
    assertThat(script.get("/tether/stats").statusCode()).isEqualTo(401);
  }

  @Test
  void flush_withoutTheHeader_isForbiddenAndFlushesNothing() throws Exception {
    Browser admin = admin();
    String id = saOf(admin.get("/account"));

    HttpResponse<String> r = admin.post("/tether/flush", Map.of("id", id));

    assertThat(r.statusCode()).isEqualTo(403);
    assertThat(this.<Map<String, Object>>json(r).get("error").toString()).contains(FLUSH);
    assertThat(registry.find(id)).isPresent();
  }

  @Test
  void flush_byId_deletesThatSaAndTheNextConnectionNegotiatesAfresh() throws Exception {
    javax.net.ssl.SSLContext tls = server.clientContext();
    Browser victim = new Browser(server.base(), tls);
    String id = saOf(victim.get("/"));
    long manual = registry.stats().deletedByCause().get(DeletionCause.MANUAL);

    HttpResponse<String> r = browser().post("/tether/flush", Map.of("id", id),
        FLUSH, "1", "Authorization", Browser.basic("admin", "tether-admin"));

    assertThat(r.statusCode()).isEqualTo(200);
    assertThat(r.body()).isEqualTo("{\"flushed\":1}");
    assertThat(registry.find(id)).isEmpty();
    assertThat(registry.stats().deletedByCause().get(DeletionCause.MANUAL)).isEqualTo(manual + 1);
    // A new connection from the same client cannot resume the flushed SA.
    String next = ShopTest.footer(new Browser(server.base(), tls).get("/").body());
    assertThat(next).doesNotContain("SA " + id).contains("new (full handshake)");
  }

  @Test
  void flush_all_fromAdminSession_deletesEverySa() throws Exception {
    Browser admin = admin();
    browser().get("/");

    HttpResponse<String> r = admin.post("/tether/flush", Map.of("all", "true"), FLUSH, "1");

    Map<String, Object> body = json(r);
    assertThat(r.statusCode()).isEqualTo(200);
    assertThat((Long) body.get("flushed")).isGreaterThanOrEqualTo(2);
  }

  @Test
  void flush_byPeerAndBadRequests() throws Exception {
    Browser admin = admin();
    String basic = Browser.basic("admin", "tether-admin");

    HttpResponse<String> peer = admin.post("/tether/flush", Map.of("peer", "192.0.2.99"), FLUSH, "1");
    HttpResponse<String> none = admin.post("/tether/flush", Map.of(), FLUSH, "1");
    HttpResponse<String> get = browser().get("/tether/flush", "Authorization", basic);
    HttpResponse<String> unknown = browser().get("/tether/nothing", "Authorization", basic);

    assertThat(peer.body()).isEqualTo("{\"flushed\":0}");
    assertThat(none.statusCode()).isEqualTo(400);
    assertThat(get.statusCode()).isEqualTo(405);
    assertThat(get.headers().firstValue("Allow")).hasValue("POST");
    assertThat(unknown.statusCode()).isEqualTo(404);
  }
}
