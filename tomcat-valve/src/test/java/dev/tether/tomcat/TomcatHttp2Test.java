package dev.tether.tomcat;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.awaitility.Awaitility.await;

import dev.tether.AssociationStats;
import dev.tether.DeletionCause;
import dev.tether.RefusalReason;
import dev.tether.SaPolicy;
import dev.tether.testing.Curl;
import dev.tether.testing.H2load;
import dev.tether.testing.Http2Client;
import dev.tether.testing.WebClient;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Base64;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import javax.net.ssl.SSLParameters;
import org.eclipse.jetty.http2.ErrorCode;
import org.eclipse.jetty.http2.frames.GoAwayFrame;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * HTTP/2 over TLS on Tomcat's stock {@code Http2Protocol}, with real h2 clients (the JDK
 * {@code HttpClient}, Jetty's {@code HTTP2Client}, {@code curl --http2}, {@code h2load}), TLS 1.2 and
 * 1.3: each stream's request carries its connection's SA; a login on one stream while another is in
 * flight flushes the SA, is reported once, lets the other stream finish, refuses the streams that
 * start after it with 421 (no {@code Connection} header) and ends the connection with a GOAWAY; an
 * idle connection whose SA an operator flushes gets a GOAWAY and closes; a request refused for its
 * policy gets 421 and a GOAWAY, and its retry on a new connection succeeds. Every lease is released.
 */
class TomcatHttp2Test {
  private static final String ALICE = "Basic "
      + Base64.getEncoder().encodeToString("alice:secret".getBytes(StandardCharsets.UTF_8));
  private static final Duration WAIT = Duration.ofSeconds(20);

  @TempDir
  Path dir;
  private TetherServer server;

  @AfterEach
  void stop() throws Exception {
    if (server == null) {
      return;
    }
    await().atMost(WAIT).until(() -> server.stats().leases() == 0);
    AssociationStats s = server.stats();
    assertThat(s.released()).as("every lease released once: " + s)
        .isEqualTo(s.negotiated() + s.reused());
    server.close();
  }

  private TetherServer start(String protocol) throws Exception {
    server = TetherServer.builder().protocols(protocol).http2().start();
    return server;
  }

  @ParameterizedTest
  @ValueSource(strings = {"TLSv1.2", "TLSv1.3"})
  void jdkHttpClient_streamsAtOnceOnOneConnection_eachCarriesTheConnectionsSa(String protocol)
      throws Exception {
    start(protocol);
    SSLParameters params = new SSLParameters();
    params.setProtocols(new String[] {protocol});
    HttpClient client = HttpClient.newBuilder().version(HttpClient.Version.HTTP_2)
        .sslContext(TetherServer.clientContext()).sslParameters(params).build();
    List<CompletableFuture<HttpResponse<String>>> pages = new ArrayList<>();
    // One request first, so that the client has its connection before the others go out at once.
    pages.add(client.sendAsync(request("/app/page"), HttpResponse.BodyHandlers.ofString()));
    pages.get(0).get(20, TimeUnit.SECONDS);
    for (int i = 0; i < 10; i++) {
      pages.add(client.sendAsync(request("/app/page"), HttpResponse.BodyHandlers.ofString()));
    }

    String sa = null;
    for (CompletableFuture<HttpResponse<String>> f : pages) {
      HttpResponse<String> page = f.get(20, TimeUnit.SECONDS);
      assertThat(page.version()).isEqualTo(HttpClient.Version.HTTP_2);
      assertThat(page.statusCode()).isEqualTo(200);
      assertThat(WebClient.field(page, "sa")).isNotEqualTo("null");
      sa = sa == null ? WebClient.field(page, "sa") : sa;
      assertThat(WebClient.field(page, "sa")).isEqualTo(sa);
      assertThat(WebClient.field(page, "resumed")).isEqualTo("false");
    }
    assertThat(server.stats().negotiated()).isEqualTo(1);
    assertThat(server.registry().find(sa).orElseThrow().references()).isEqualTo(1);
    assertThat(server.registry().find(sa).orElseThrow().protocol()).isEqualTo(protocol);
    // The JDK client keeps its connection; the flush ends it with a GOAWAY, and the client leaves.
    server.registry().flushAll(DeletionCause.MANUAL);
  }

  @ParameterizedTest
  @ValueSource(strings = {"TLSv1.2", "TLSv1.3"})
  void curlHttp2_basicLogin_flushesTheSaOnce_andSendsNoConnectionHeader(String protocol)
      throws Exception {
    start(protocol);
    Curl.Response anonymous = Curl.get(server.port(), TetherServer.pem(), protocol, "/app/page",
        "--http2");
    assertThat(anonymous.version()).isEqualTo("2");
    assertThat(anonymous.body()).contains("user=null");

    Curl.Response login = Curl.get(server.port(), TetherServer.pem(), protocol,
        "/basic/secure/page", "--http2", "-u", "alice:secret");

    assertThat(login.version()).isEqualTo("2");
    assertThat(login.status()).isEqualTo(200);
    assertThat(login.body()).contains("user=alice");
    assertThat(login.headers()).doesNotContainKey("connection");
    assertThat(server.stats().deletedByCause()).containsEntry(DeletionCause.LOGIN, 1L);
    assertThat(server.events.seen).containsExactly("login alice");
  }

  @ParameterizedTest
  @ValueSource(strings = {"TLSv1.2", "TLSv1.3"})
  void bcjsse_curlHttp2_negotiatesH2_andTheLoginFlushesTheSaOnce(String protocol)
      throws Exception {
    server = TetherServer.builder().protocols(protocol).http2().set("provider", "bcjsse").start();

    Curl.Response login = Curl.get(server.port(), TetherServer.pem(), protocol,
        "/basic/secure/page", "--http2", "-u", "alice:secret");

    assertThat(login.version()).as("Tomcat's ALPN goes through SSLParameters, which BCJSSE honours")
        .isEqualTo("2");
    assertThat(login.status()).isEqualTo(200);
    assertThat(login.body()).contains("user=alice");
    assertThat(login.headers()).doesNotContainKey("connection");
    assertThat(server.stats().deletedByCause()).containsEntry(DeletionCause.LOGIN, 1L);
  }

  @Test
  void h2load_manyStreamsOnTwoConnections_oneSaEach() throws Exception {
    start("TLSv1.2+TLSv1.3");

    H2load.Result r = H2load.run("-n", "200", "-c", "2", "-m", "10",
        "https://127.0.0.1:" + server.port() + "/app/page");

    assertThat(r.protocol()).as(r.output()).isEqualTo("h2");
    assertThat(r.status2xx()).as(r.output()).isEqualTo(200);
    await().atMost(WAIT).until(() -> server.stats().leases() == 0);
    AssociationStats s = server.stats();
    assertThat(s.accepted()).isEqualTo(2);
    assertThat(s.negotiated() + s.reused()).isEqualTo(2);
  }

  @Test
  void h2load_basicCredentialsOnEveryStream_logInOnce_allServed() throws Exception {
    // A login that flushes nothing: every stream of the connection is served.
    server = TetherServer.builder().http2().policy(SaPolicy.builder("default")
        .appliesTo("anonymous").onLogin(SaPolicy.FlushScope.NONE).build()).start();

    H2load.Result r = H2load.run("-n", "60", "-c", "1", "-m", "10", "-H",
        "authorization: " + ALICE, "https://127.0.0.1:" + server.port() + "/basic/secure/page");

    assertThat(r.protocol()).as(r.output()).isEqualTo("h2");
    assertThat(r.status2xx()).as(r.output()).isEqualTo(60);
    assertThat(server.events.seen).as("ten streams at once, one login").containsExactly("login alice");
    assertThat(server.associations()).singleElement()
        .satisfies(sa -> assertThat(sa.principals()).containsExactly("alice"));
  }

  @Test
  void h2load_basicCredentialsOnEveryStream_theLoginFlushEndsTheConnection() throws Exception {
    start("TLSv1.2+TLSv1.3");

    H2load.Result r = H2load.run("-n", "60", "-c", "1", "-m", "10", "-H",
        "authorization: " + ALICE, "https://127.0.0.1:" + server.port() + "/basic/secure/page");

    // The first login flushes the connection's SA; the streams in flight are served, those that
    // start after it get 421, and the GOAWAY ends the connection (h2load does not reconnect).
    assertThat(r.protocol()).as(r.output()).isEqualTo("h2");
    assertThat(r.status2xx()).as(r.output()).isPositive();
    assertThat(server.events.seen).containsExactly("login alice");
    assertThat(server.stats().deletedByCause()).containsEntry(DeletionCause.LOGIN, 1L);
    await().atMost(WAIT).until(() -> server.stats().leases() == 0);
    assertThat(server.statuses.keySet()).as(r.output()).isSubsetOf(200, 421);
    assertThat(server.statuses.getOrDefault(200, 0)).isEqualTo((int) r.status2xx());
    assertThat(server.statuses.getOrDefault(421, 0)).isEqualTo((int) r.status4xx());
  }

  /**
   * Stream 1 is held by the application; stream 3 logs in (and is held after it); stream 5 was sent
   * with stream 3 but waits for a free thread (two streams of a connection run at once), so it
   * starts after the login: 421. The GOAWAY leaves at the login, while streams are in flight. (Tomcat
   * refuses streams that arrive a round trip after its graceful GOAWAY with its final one, which
   * tells the client to retry them elsewhere; here its drain timeout lets stream 5 through.)
   */
  @ParameterizedTest
  @ValueSource(strings = {"TLSv1.2", "TLSv1.3"})
  void loginOnOneStream_whileAnotherRuns_goAwayAtOnce_aStreamStartingAfterGets421(String protocol)
      throws Exception {
    server = TetherServer.builder().protocols(protocol).http2().http2Execution(2).start();
    String first = "tomcat-first-" + protocol;
    String login = "tomcat-login-" + protocol;
    boolean fiveStarted;
    try (Http2Client h2 = Http2Client.connect(TetherServer.clientContext(), server.port(),
        protocol)) {
      CompletableFuture<Http2Client.Reply> one = h2.get("/app/page?op=hold&id=" + first);
      assertThat(TetherServer.hold(first).arrived().await(20, TimeUnit.SECONDS)).isTrue();
      String sa = server.associations().get(0).id();

      CompletableFuture<Http2Client.Reply> three = h2.get("/basic/secure/page?op=hold&id=" + login,
          "authorization", ALICE);
      CompletableFuture<Http2Client.Reply> five = h2.get("/app/page");
      assertThat(TetherServer.hold(login).arrived().await(20, TimeUnit.SECONDS)).isTrue();
      // Stream 5 leaves right after stream 3. If the client's thread loses its core in between, the
      // login's GOAWAY can arrive first, and the client then never starts stream 5 ("session
      // closed"): the GOAWAY did its work, and there is no stream 5 to answer.
      fiveStarted = !five.isCompletedExceptionally();

      assertThat(server.registry().find(sa)).as("the login flushed the connection's SA").isEmpty();
      assertThat(h2.goAway().get(20, TimeUnit.SECONDS).getError())
          .as("GOAWAY while two streams are in flight").isEqualTo(ErrorCode.NO_ERROR.code);
      if (fiveStarted) {
        assertThat(five).isNotDone();
      } else {
        assertThatThrownBy(five::join).hasRootCauseMessage("session closed");
      }
      assertThat(h2.closed()).isNotDone();

      TetherServer.hold(first).release().countDown();
      Http2Client.Reply stream1 = one.get(20, TimeUnit.SECONDS);
      assertThat(stream1.status()).as("the stream in flight finishes").isEqualTo(200);
      assertThat(stream1.field("sa")).isEqualTo(sa);
      assertThat(stream1.field("user")).isEqualTo("null");
      if (fiveStarted) {
        Http2Client.Reply stream5 = five.get(20, TimeUnit.SECONDS);
        assertThat(stream5.status()).as("started after the flush").isEqualTo(421);
        assertThat(stream5.headers()).doesNotContainKey("connection");
        assertThat(stream5.body()).contains("was deleted").contains("Retry on a new connection");
      }
      assertThat(h2.closed()).as("stream 3 is still in flight").isNotDone();

      TetherServer.hold(login).release().countDown();
      Http2Client.Reply stream3 = three.get(20, TimeUnit.SECONDS);
      assertThat(stream3.status()).isEqualTo(200);
      assertThat(stream3.field("user")).isEqualTo("alice");
      assertThat(stream3.field("sa")).isEqualTo(sa);
      h2.closed().get(20, TimeUnit.SECONDS);
    }
    assertThat(server.stats().deletedByCause()).containsEntry(DeletionCause.LOGIN, 1L);
    assertThat(server.events.seen).as("one login, seen once").containsExactly("login alice");
    assertThat(server.statuses).containsEntry(200, 2);
    assertThat(server.statuses.getOrDefault(421, 0)).isEqualTo(fiveStarted ? 1 : 0);
  }

  @Test
  void operatorFlush_ofAnIdleHttp2Connection_sendsGoAway_andTheConnectionCloses() throws Exception {
    start("TLSv1.3");
    try (Http2Client h2 = Http2Client.connect(TetherServer.clientContext(), server.port(),
        "TLSv1.3")) {
      assertThat(h2.get("/app/page").get(20, TimeUnit.SECONDS).status()).isEqualTo(200);
      assertThat(server.stats().leases()).isEqualTo(1);

      assertThat(server.registry().flushAll(DeletionCause.MANUAL)).isEqualTo(1);

      assertThat(h2.goAway().get(20, TimeUnit.SECONDS).getError())
          .isEqualTo(ErrorCode.NO_ERROR.code);
      h2.closed().get(20, TimeUnit.SECONDS);
      await().atMost(WAIT).until(() -> server.stats().leases() == 0);
    }
  }

  @Test
  void requestOfAnotherPolicy_overHttp2_gets421AndGoAway_andTheRetryOnANewConnectionSucceeds()
      throws Exception {
    server = PolicyApp.start(dir, true);
    WebClient browser = new WebClient(TetherServer.clientContext(), server.port());
    try (Http2Client early = Http2Client.connect(TetherServer.clientContext(), server.port(),
        "TLSv1.3")) {
      assertThat(early.get("/shop/page").get(20, TimeUnit.SECONDS).field("policy"))
          .isEqualTo("browse");
      // The operator's login flushes the peer's SAs but keeps their connections open.
      browser.formLogin("/shop", "oper", "secret");

      Http2Client.Reply refused = early.get("/shop/secure/page", "cookie", browser.sessionCookie())
          .get(20, TimeUnit.SECONDS);

      assertThat(refused.status()).isEqualTo(421);
      assertThat(refused.headers()).doesNotContainKey("connection");
      assertThat(refused.body()).contains("policy 'browse'").contains("policy 'operator'");
      assertThat(early.goAway().get(20, TimeUnit.SECONDS).getError())
          .isEqualTo(ErrorCode.NO_ERROR.code);
      early.closed().get(20, TimeUnit.SECONDS);
      assertThat(server.stats().refusedByReason()).containsEntry(RefusalReason.POLICY, 1L);
    }
    try (Http2Client retry = Http2Client.connect(TetherServer.clientContext(), server.port(),
        "TLSv1.3")) {
      Http2Client.Reply page = retry.get("/shop/secure/page", "cookie", browser.sessionCookie())
          .get(20, TimeUnit.SECONDS);
      assertThat(page.status()).isEqualTo(200);
      assertThat(page.field("user")).isEqualTo("oper");
      assertThat(page.field("policy")).isEqualTo("operator");
    }
  }

  private HttpRequest request(String path) {
    return HttpRequest.newBuilder(URI.create("https://localhost:" + server.port() + path))
        .timeout(Duration.ofSeconds(20)).GET().build();
  }
}
