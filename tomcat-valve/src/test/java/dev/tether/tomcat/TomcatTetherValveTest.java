package dev.tether.tomcat;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.awaitility.Awaitility.await;

import dev.tether.DeletionCause;
import dev.tether.SaPolicy;
import dev.tether.Lease;
import jakarta.servlet.http.HttpServletRequest;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.Base64;
import javax.net.ssl.SSLContext;
import org.apache.catalina.LifecycleException;
import org.junit.jupiter.api.Test;

/** The valve ties requests to their SA and sees each real login once, over BASIC, FORM and the API. */
class TomcatTetherValveTest {
  private static final String ALICE = "Authorization: Basic "
      + Base64.getEncoder().encodeToString("alice:secret".getBytes(StandardCharsets.UTF_8));
  private static final String TLS = "TLSv1.3";

  @Test
  void requestAttributes_carryTheSaOfTheConnection() throws Exception {
    try (TetherServer server = TetherServer.builder().set("registryName", "shop").start();
        HttpsClient client = HttpsClient.open(TetherServer.clientContext(), server.port(), TLS)) {
      HttpsClient.Response r = client.get("/app/sa");
      assertThat(r.field("sa")).isEqualTo(server.associations().get(0).id());
      assertThat(r.field("resumed")).isEqualTo("false");
      assertThat(r.field("state")).isEqualTo("ACTIVE");
      assertThat(r.field("registry")).contains("shop");
      assertThat(client.get("/app/sa").field("sa")).isEqualTo(r.field("sa"));
    }
  }

  @Test
  void basicLogin_isSeenOncePerRealLogin_notPerRequestOrConnection() throws Exception {
    try (TetherServer server = TetherServer.builder().start()) {
      SSLContext browser = TetherServer.clientContext();
      String afterLogin = null;
      try (HttpsClient first = HttpsClient.open(browser, server.port(), TLS)) {
        assertThat(first.get("/basic/secure/page").status()).isEqualTo(401);
        HttpsClient.Response r = first.get("/basic/secure/page", ALICE);
        assertThat(r.field("user")).isEqualTo("alice");
        // The flush happened before the answer was sent, and ended the connection it flushed.
        assertThat(server.stats().deletedByCause()).containsEntry(DeletionCause.LOGIN, 1L);
        assertThat(server.events.seen).containsExactly("login alice");
        assertThat(first.closedByServer()).as("the login's connection ends").isTrue();
        for (int i = 0; i < 3; i++) {
          HttpsClient.Response again = first.get("/basic/secure/page", ALICE);
          assertThat(again.field("user")).isEqualTo("alice");
          assertThat(again.field("resumed")).as("the login flushed the first SA").isEqualTo("false");
          assertThat(afterLogin == null || afterLogin.equals(again.field("sa"))).isTrue();
          afterLogin = again.field("sa");
        }
        first.get("/basic/public");
        assertThat(first.connections()).isEqualTo(2);
      }
      try (HttpsClient second = HttpsClient.open(browser, server.port(), TLS)) {
        HttpsClient.Response r = second.get("/basic/secure/page", ALICE);
        assertThat(r.field("resumed")).isEqualTo("true");
        assertThat(r.field("sa")).isEqualTo(afterLogin);
      }
      await().atMost(Duration.ofSeconds(10)).until(() -> server.stats().leases() == 0);
      try (HttpsClient third = HttpsClient.open(browser, server.port(), TLS)) {
        HttpsClient.Response r = third.get("/basic/secure/page", ALICE);
        assertThat(r.field("resumed")).isEqualTo("true");
        assertThat(r.field("sa")).isEqualTo(afterLogin);
      }
      assertThat(server.events.seen).containsExactly("login alice");
      assertThat(server.registry().find(afterLogin).orElseThrow().principals())
          .containsExactly("alice");
    }
  }

  @Test
  void formLogin_isSeenOnce_andSessionInvalidationIsALogout() throws Exception {
    try (TetherServer server = TetherServer.builder().start()) {
      SSLContext browser = TetherServer.clientContext();
      String cookie;
      try (HttpsClient first = HttpsClient.open(browser, server.port(), TLS)) {
        assertThat(first.get("/form/secure/page").body()).isEqualTo("login-page");
        HttpsClient.Response login = first.postForm("/form/j_security_check",
            "j_username=alice&j_password=secret");
        assertThat(login.status()).isEqualTo(303);
        assertThat(server.stats().deletedByCause()).containsEntry(DeletionCause.LOGIN, 1L);
        assertThat(server.events.seen).containsExactly("login alice");
        assertThat(first.get("/form/secure/page").field("user")).isEqualTo("alice");
        assertThat(first.get("/form/secure/page").field("user")).isEqualTo("alice");
        cookie = first.cookie();
      }
      try (HttpsClient second = HttpsClient.open(browser, server.port(), TLS).cookie(cookie)) {
        assertThat(second.get("/form/secure/page").field("user")).isEqualTo("alice");
        assertThat(server.events.seen).containsExactly("login alice");
        second.get("/form/secure/page?op=invalidate");
        assertThat(server.events.seen).containsExactly("login alice", "logout alice");
        assertThat(server.stats().deletedByCause()).containsEntry(DeletionCause.LOGOUT, 1L);
      }
    }
  }

  @Test
  void programmaticLoginLogoutAndChange_areSeenWhenTheApplicationCallsThem() throws Exception {
    // A policy that flushes nothing keeps the connection, so that the change is seen on it.
    SaPolicy quiet = SaPolicy.builder("quiet").onLogin(SaPolicy.FlushScope.NONE)
        .onLogout(SaPolicy.FlushScope.NONE).build();
    try (TetherServer server = TetherServer.builder().policy(quiet).start();
        HttpsClient client = HttpsClient.open(TetherServer.clientContext(), server.port(), TLS)) {
      assertThat(client.get("/basic/page?op=login&u=alice&p=secret").field("user"))
          .isEqualTo("alice");
      assertThat(server.events.seen).containsExactly("login alice");
      assertThat(client.get("/basic/page?op=login&u=bob&p=secret").field("user")).isEqualTo("bob");
      assertThat(server.events.seen).containsExactly("login alice", "change alice bob");
      assertThat(client.get("/basic/page?op=logout").field("user")).isEqualTo("null");
      assertThat(server.events.seen).containsExactly("login alice", "change alice bob",
          "logout bob");
      assertThat(client.connections()).isEqualTo(1);
    }
  }

  @Test
  void programmaticLogin_flushingTheConnectionsSa_endsTheConnection() throws Exception {
    try (TetherServer server = TetherServer.builder().start();
        HttpsClient client = HttpsClient.open(TetherServer.clientContext(), server.port(), TLS)) {
      HttpsClient.Response login = client.get("/basic/page?op=login&u=alice&p=secret");
      assertThat(login.field("user")).isEqualTo("alice");
      assertThat(login.headers()).containsEntry("connection", "close");
      // The next request negotiates anew; without a session the next login is a login of its own.
      assertThat(client.get("/basic/page?op=login&u=bob&p=secret").field("resumed"))
          .isEqualTo("false");
      assertThat(server.events.seen).containsExactly("login alice", "login bob");
      assertThat(client.connections()).isEqualTo(2);
      assertThat(server.stats().deletedByCause()).containsEntry(DeletionCause.LOGIN, 2L);
    }
  }

  @Test
  void failingListener_isLoggedAndTheLoginStillFlushes() throws Exception {
    TetherServer server = TetherServer.builder().build();
    server.valve.addLoginListener(new TomcatLoginListener() {
      @Override
      public void login(String principal, Lease lease, HttpServletRequest request) {
        throw new IllegalStateException("listener bug");
      }
    });
    try (server; HttpsClient client = HttpsClient.open(TetherServer.clientContext(),
        server.start().port(), TLS)) {
      assertThat(client.get("/basic/page?op=login&u=alice&p=secret").status()).isEqualTo(200);
      assertThat(server.events.seen).containsExactly("login alice");
      assertThat(server.stats().deletedByCause()).containsEntry(DeletionCause.LOGIN, 1L);
    }
  }

  @Test
  void twoServersInOneJvm_keepTheirOwnRegistries() throws Exception {
    try (TetherServer a = TetherServer.builder().start();
        TetherServer b = TetherServer.builder().start();
        HttpsClient onA = HttpsClient.open(TetherServer.clientContext(), a.port(), TLS);
        HttpsClient onB = HttpsClient.open(TetherServer.clientContext(), b.port(), TLS)) {
      assertThat(a.registry()).isNotSameAs(b.registry());
      assertThat(a.registry().name()).isEqualTo(b.registry().name());
      onB.get("/app/sa");
      onA.get("/basic/page?op=login&u=alice&p=secret");
      assertThat(a.events.seen).containsExactly("login alice");
      assertThat(b.events.seen).isEmpty();
      assertThat(a.stats().associations()).isZero();
      assertThat(b.stats().associations()).isEqualTo(1);
      assertThat(b.stats().deleted()).isZero();
    }
  }

  @Test
  void valveNamingAnUnknownRegistry_failsStartNamingTheAttribute() throws Exception {
    try (TetherServer server = TetherServer.builder().build()) {
      server.valve.setRegistryName("nosuch");
      assertThatThrownBy(server::start).isInstanceOf(LifecycleException.class)
          .satisfies(e -> assertThat(rootMessages(e)).contains("registryName=\"nosuch\""));
    }
  }

  static String rootMessages(Throwable t) {
    StringBuilder sb = new StringBuilder();
    for (Throwable c = t; c != null; c = c.getCause()) {
      sb.append(c.getMessage()).append('\n');
    }
    return sb.toString();
  }
}
