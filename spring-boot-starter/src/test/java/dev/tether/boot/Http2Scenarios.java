package dev.tether.boot;

import static java.util.concurrent.TimeUnit.SECONDS;
import static org.assertj.core.api.Assertions.assertThat;

import dev.tether.AssociationRegistry;
import dev.tether.DeletionCause;
import dev.tether.SecurityAssociation;
import dev.tether.boot.sample.SampleShop;
import dev.tether.testing.Curl;
import dev.tether.testing.Http2Client;
import dev.tether.testing.Http2Client.Reply;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.Base64;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.IntStream;
import javax.net.ssl.SSLContext;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;
import org.springframework.beans.factory.annotation.Autowired;
import org.springframework.boot.test.context.SpringBootTest;
import org.springframework.boot.test.context.SpringBootTest.WebEnvironment;
import org.springframework.boot.test.system.CapturedOutput;
import org.springframework.boot.test.system.OutputCaptureExtension;
import org.springframework.boot.test.web.server.LocalServerPort;
import org.springframework.test.context.DynamicPropertyRegistry;
import org.springframework.test.context.DynamicPropertySource;

/**
 * The sample shop with {@code server.http2.enabled=true}: Spring Boot sets up HTTP/2 on the
 * container (Tomcat's {@code Http2Protocol}, Jetty's ALPN and HTTP/2 factories) and Tether follows
 * its connections. Real h2 clients: {@code curl --http2} and Jetty's {@code HTTP2Client} (which sees
 * the streams, the GOAWAY and the close), each from a loopback address of the test's own.
 * Subclasses pick the container.
 */
@SpringBootTest(classes = SampleShop.class, webEnvironment = WebEnvironment.RANDOM_PORT, properties = {
    "server.http2.enabled=true",
    "tether.policies=classpath:sample-policies.conf",
    "management.endpoints.web.exposure.include=health,tether",
    "management.endpoint.tether.access=unrestricted",
    "logging.level.dev.tether.boot=DEBUG"})
@ExtendWith(OutputCaptureExtension.class)
abstract class Http2Scenarios {
  private static final Duration WAIT = Duration.ofSeconds(10);
  private static final String BASIC_ALICE = "Basic " + Base64.getEncoder()
      .encodeToString("alice:secret".getBytes(StandardCharsets.UTF_8));
  private static final Pattern CSRF = Pattern.compile("name=\"_csrf\"[^>]*value=\"([^\"]+)\"");
  @LocalServerPort
  int port;
  @Autowired
  AssociationRegistry registry;

  @DynamicPropertySource
  static void tls(DynamicPropertyRegistry properties) {
    ApplicationScenarios.serverSsl(properties);
  }

  @Test
  void curlHttp2_isServedOverH2_onAnSaOfItsOwn() throws Exception {
    Curl.Response r = Curl.get(port, TestTls.PEM, "TLSv1.3", "/", "--http2");
    assertThat(r.version()).isEqualTo("2");
    assertThat(r.status()).isEqualTo(200);
    assertThat(r.headers()).doesNotContainKey("connection");
    String sa = field(r.body(), "sa");
    assertThat(sa).isNotBlank();
    assertThat(registry.find(sa)).hasValueSatisfying(a -> assertThat(a.peer()).isEqualTo("127.0.0.1"));
  }

  @Test
  void anH2Connection_getsOneSa_forAllItsStreams() throws Exception {
    String peer = "127.0.3.1";
    try (Http2Client h2 = Http2Client.connect(TestTls.client(), peer, port, "TLSv1.3")) {
      List<CompletableFuture<Reply>> streams = IntStream.range(0, 8).mapToObj(i -> h2.get("/"))
          .toList();
      SecurityAssociation sa = null;
      for (CompletableFuture<Reply> stream : streams) {
        Reply reply = stream.get(10, SECONDS);
        assertThat(reply.status()).isEqualTo(200);
        if (sa == null) {
          sa = only(peer);
        }
        assertThat(reply.field("sa")).isEqualTo(sa.id());
        assertThat(reply.field("policy")).isEqualTo("browse");
      }
      assertThat(only(peer).id()).isEqualTo(sa.id());
      assertThat(registry.stats().leases()).isEqualTo(1);
    }
  }

  @Test
  void basicLoginOverH2_flushesTheSaBeforeTheResponse_endsTheConnectionWithAGoaway_andBindsThePeer()
      throws Exception {
    String peer = "127.0.3.3";
    SSLContext client = TestTls.client();
    long logins = deleted(DeletionCause.LOGIN);
    String anonymous;
    try (Http2Client h2 = Http2Client.connect(client, peer, port, "TLSv1.3")) {
      anonymous = h2.get("/").get(10, SECONDS).field("sa");
      Reply login = h2.get("/account", "Authorization", BASIC_ALICE)
          .get(10, SECONDS);
      assertThat(login.status()).isEqualTo(200);
      assertThat(login.field("user")).isEqualTo("alice");
      assertLoginEndedItsConnection(h2, login, anonymous, logins);
    }
    assertThat(registry.policies().boundPrincipal(peer)).isEqualTo("alice");

    try (Http2Client h2 = Http2Client.connect(client, peer, port, "TLSv1.3")) {
      Reply account = h2.get("/account", "Authorization", BASIC_ALICE)
          .get(10, SECONDS);
      assertThat(account.field("user")).isEqualTo("alice");
      assertThat(account.field("policy")).isEqualTo("customer");
      assertThat(account.field("resumed")).isEqualTo("false");
      // Bound to alice: no second login, the customer's SA stays.
      assertThat(registry.find(account.field("sa"))).isPresent();
      assertThat(deleted(DeletionCause.LOGIN) - logins).isEqualTo(1);
    }
  }

  @Test
  void formLoginOverH2_flushesTheSaBeforeTheRedirect_andEndsTheConnectionWithAGoaway()
      throws Exception {
    String peer = "127.0.3.9";
    long logins = deleted(DeletionCause.LOGIN);
    try (Http2Client h2 = Http2Client.connect(TestTls.client(), peer, port, "TLSv1.3")) {
      String anonymous = h2.get("/").get(10, SECONDS).field("sa");
      Reply page = h2.get("/login", "Accept", "text/html").get(10, SECONDS);
      Matcher token = CSRF.matcher(page.body());
      assertThat(token.find()).as(page.body()).isTrue();
      String cookie = page.headers().get("set-cookie").split(";", 2)[0];
      byte[] form = ("username=alice&password=secret&_csrf=" + token.group(1))
          .getBytes(StandardCharsets.UTF_8);
      Reply login = h2.request("POST", "/login", form, "Cookie", cookie, "Accept", "text/html",
          "Content-Type", "application/x-www-form-urlencoded").get(10, SECONDS);
      assertThat(login.status()).isEqualTo(302);
      assertLoginEndedItsConnection(h2, login, anonymous, logins);
    }
    assertThat(registry.policies().boundPrincipal(peer)).isEqualTo("alice");
  }

  /**
   * When the answer to a login over HTTP/2 arrives, the SA that carried the password ({@code
   * anonymous}) is gone (one more deletion by login than {@code logins}), and the connection ends
   * the HTTP/2 way: no {@code Connection} header, a GOAWAY, then the close.
   */
  private void assertLoginEndedItsConnection(Http2Client h2, Reply login, String anonymous,
      long logins) {
    assertThat(login.headers()).doesNotContainKey("connection");
    assertThat(registry.find(anonymous)).isEmpty();
    assertThat(deleted(DeletionCause.LOGIN) - logins).isEqualTo(1);
    assertThat(h2.goAway()).succeedsWithin(WAIT);
    assertThat(h2.closed()).succeedsWithin(WAIT);
  }

  @Test
  void basicCredentialsOnManyStreamsAtOnce_areOneLogin(CapturedOutput output) throws Exception {
    String peer = "127.0.3.7";
    String bob = "Basic " + Base64.getEncoder()
        .encodeToString("bob:secret".getBytes(StandardCharsets.UTF_8));
    long logins = deleted(DeletionCause.LOGIN);
    try (Http2Client h2 = Http2Client.connect(TestTls.client(), peer, port, "TLSv1.3")) {
      List<CompletableFuture<Reply>> streams = IntStream.range(0, 6)
          .mapToObj(i -> h2.get("/account", "Authorization", bob)).toList();
      for (CompletableFuture<Reply> stream : streams) {
        Reply reply = stream.get(10, SECONDS);
        // Streams that start after the login's flush are refused (421) and the connection ends.
        assertThat(reply.status()).isIn(200, 421);
        if (reply.status() == 200) {
          assertThat(reply.field("user")).isEqualTo("bob");
        }
      }
      assertThat(h2.goAway()).succeedsWithin(WAIT);
    }
    assertThat(deleted(DeletionCause.LOGIN) - logins).isEqualTo(1);
    assertThat(output.getAll().lines().filter(l -> l.contains("login of bob from " + peer)))
        .hasSize(1);
  }

  @Test
  void anAdministratorOnABrowsingSa_gets421AndAGoaway_andTheRetryOnANewH2ConnectionIsServed()
      throws Exception {
    String peer = "127.0.3.8";
    String admin = ApplicationScenarios.ADMIN.substring("Authorization: ".length());
    SSLContext client = TestTls.client();
    String browsing;
    try (Http2Client h2 = Http2Client.connect(client, peer, port, "TLSv1.3")) {
      browsing = h2.get("/").get(10, SECONDS).field("sa");
      Reply refused = h2.get("/admin", "Authorization", admin).get(10, SECONDS);
      assertThat(refused.status()).isEqualTo(421);
      assertThat(refused.headers()).doesNotContainKey("connection");
      assertThat(refused.body()).contains("negotiated under policy 'browse'");
      assertThat(h2.goAway()).succeedsWithin(WAIT);
      assertThat(h2.closed()).succeedsWithin(WAIT);
    }
    try (Http2Client h2 = Http2Client.connect(client, peer, port, "TLSv1.3")) {
      Reply served = h2.get("/admin", "Authorization", admin).get(10, SECONDS);
      assertThat(served.status()).isEqualTo(200);
      assertThat(served.field("user")).isEqualTo("admin");
      assertThat(served.field("policy")).isEqualTo("admin");
      assertThat(served.field("sa")).isNotEqualTo(browsing);
    }
  }

  @Test
  void curlBasicLoginOverH2_flushesTheSa() throws Exception {
    long logins = deleted(DeletionCause.LOGIN);
    Curl.Response r = Curl.get(port, TestTls.PEM, "TLSv1.2", "/account", "--http2",
        "-u", "bob:secret");
    assertThat(r.version()).isEqualTo("2");
    assertThat(r.status()).isEqualTo(200);
    assertThat(field(r.body(), "user")).isEqualTo("bob");
    assertThat(r.headers()).doesNotContainKey("connection");
    assertThat(registry.find(field(r.body(), "sa"))).isEmpty();
    assertThat(deleted(DeletionCause.LOGIN) - logins).isPositive();
  }

  @Test
  void anActuatorFlush_endsTheH2ConnectionWithAGoaway_andTheNextConnectionIsANewSa()
      throws Exception {
    String peer = "127.0.3.5";
    SSLContext client = TestTls.client();
    String flushed;
    try (Http2Client h2 = Http2Client.connect(client, peer, port, "TLSv1.3")) {
      flushed = h2.get("/").get(10, SECONDS).field("sa");
      try (TlsBrowser admin = new TlsBrowser(client, port, "127.0.3.6").retrying421()) {
        // The administrator's first connection gets the 421 and ends; the retry is an admin SA.
        assertThat(admin.get("/actuator/health", ApplicationScenarios.ADMIN).status())
            .isEqualTo(200);
        long ended = registry.stats().endedConnections();
        TlsBrowser.Response r = admin.postJson("/actuator/tether", "{\"peer\":\"" + peer + "\"}",
            ApplicationScenarios.ADMIN);
        assertThat(r.status()).as(r.body()).isEqualTo(200);
        assertThat(ApplicationScenarios.json(r.body())).isEqualTo(Map.of("flushed", 1L));
        assertThat(h2.goAway()).succeedsWithin(WAIT);
        assertThat(h2.closed()).succeedsWithin(WAIT);
        assertThat(registry.find(flushed)).isEmpty();
        assertThat(registry.stats().endedConnections() - ended).isEqualTo(1);
      }
    }
    try (Http2Client h2 = Http2Client.connect(client, peer, port, "TLSv1.3")) {
      Reply next = h2.get("/").get(10, SECONDS);
      assertThat(next.status()).isEqualTo(200);
      assertThat(next.field("sa")).isNotEqualTo(flushed);
      assertThat(next.field("resumed")).isEqualTo("false");
    }
  }

  @AfterEach
  void booksBalance() {
    ApplicationScenarios.assertBalanced(registry);
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

  /** A {@code name=value} field of the sample shop's {@code ;}-separated page. */
  static String field(String body, String name) {
    for (String part : body.trim().split(";")) {
      if (part.startsWith(name + "=")) {
        return part.substring(name.length() + 1);
      }
    }
    return null;
  }
}
