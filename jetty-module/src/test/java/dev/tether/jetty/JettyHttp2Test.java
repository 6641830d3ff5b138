package dev.tether.jetty;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.awaitility.Awaitility.await;

import dev.tether.AssociationRegistry;
import dev.tether.AssociationStats;
import dev.tether.DeletionCause;
import dev.tether.RefusalReason;
import dev.tether.SecurityAssociation;
import dev.tether.testing.Curl;
import dev.tether.testing.H2load;
import dev.tether.testing.Http2Client;
import dev.tether.testing.WebClient;
import dev.tether.tls.TlsProvider;
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
import javax.net.ssl.SSLContext;
import javax.net.ssl.SSLParameters;
import org.eclipse.jetty.http2.ErrorCode;
import org.eclipse.jetty.io.ssl.SslHandshakeListener;
import org.eclipse.jetty.server.SslConnectionFactory;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * HTTP/2 over TLS on Jetty's {@code HTTP2ServerConnectionFactory} (h2 and http/1.1 by ALPN, each
 * with a configuration of its own), with real h2 clients (the JDK {@code HttpClient}, Jetty's
 * {@code HTTP2Client}, {@code curl --http2}, {@code h2load}), TLS 1.2 and 1.3: Tether's customizer
 * sits in both configurations; each stream's request carries its connection's SA; a login on one
 * stream while another is in flight is reported once, sends the GOAWAY at once and lets the other
 * stream finish; a stream that reaches Tether after its SA was flushed gets 421 without a
 * {@code Connection} header; an idle connection whose SA is flushed gets a GOAWAY and closes; a
 * request refused for its policy gets 421 and a GOAWAY, and its retry succeeds. Every lease is
 * released.
 */
class JettyHttp2Test {
  private static final String ALICE = "Basic "
      + Base64.getEncoder().encodeToString("alice:secret".getBytes(StandardCharsets.UTF_8));
  private static final Duration WAIT = Duration.ofSeconds(20);
  /** Every login flushes nothing: all streams of a connection are served. */
  private static final String NO_FLUSH = """
      [policy everyone]
      applies-to = anonymous
      grace = 60s
      on-login = none
      on-logout = none
      """;

  @TempDir
  Path dir;
  private PolicyServer server;
  private AssociationRegistry registry;
  private final SSLContext tls = TestServer.CERT.clientContext();

  @AfterEach
  void stop() throws Exception {
    if (server == null) {
      return;
    }
    await().atMost(WAIT).until(() -> registry.stats().leases() == 0);
    AssociationStats s = registry.stats();
    assertThat(s.released()).as("every lease released once: " + s)
        .isEqualTo(s.negotiated() + s.reused());
    server.close();
  }

  private void start(String policies) throws Exception {
    server = new PolicyServer(dir, policies, true);
    server.server.sslContextFactory.setIncludeProtocols("TLSv1.2", "TLSv1.3");
    server.server.flushOn(() -> server.registry());
    server.start();
    registry = server.registry();
  }

  @Test
  void customizer_isInTheConfigurationOfEveryHttpFactory_andLeavesThemAtStop() throws Exception {
    start(PolicyServer.POLICIES);
    assertThat(server.server.http2).isNotSameAs(server.server.http);
    assertThat(server.server.http2.getCustomizers()).filteredOn(c -> c instanceof RequestAttributes)
        .hasSize(1);
    assertThat(server.server.http.getCustomizers()).filteredOn(c -> c instanceof RequestAttributes)
        .hasSize(1);

    // The start line names what Tether follows on the connector.
    assertThat(TlsConnectors.httpProtocols(List.of(server.server.connector)))
        .isEqualTo("h2, http/1.1");

    TestServer jetty = server.server;
    server.close();
    server = null;

    assertThat(jetty.http2.getCustomizers()).noneMatch(c -> c instanceof RequestAttributes);
    assertThat(jetty.http.getCustomizers()).noneMatch(c -> c instanceof RequestAttributes);
  }

  /**
   * The tracker is a bean of the connector's SslConnectionFactory: it reaches the TLS connections
   * only, not the ALPN and HTTP connections nested in them, gives each its own handshake listener
   * (no bean of either kind on the connector), and leaves at stop.
   */
  @Test
  void tracker_isABeanOfTheSslConnectionFactory_notOfTheConnector_andLeavesAtStop()
      throws Exception {
    start(PolicyServer.POLICIES);
    TestServer jetty = server.server;
    SslConnectionFactory ssl = jetty.connector.getConnectionFactory(SslConnectionFactory.class);
    assertThat(ssl.getEventListeners()).filteredOn(l -> l instanceof ConnectionTracker).hasSize(1);
    assertThat(ssl.getBeans(SslHandshakeListener.class)).isEmpty();
    assertThat(jetty.connector.getEventListeners()).noneMatch(l -> l instanceof ConnectionTracker);
    assertThat(jetty.connector.getBeans(SslHandshakeListener.class)).isEmpty();
    Curl.Response page = Curl.get(server.port(), TestServer.pem(), "TLSv1.3", "/page", "--http2");
    assertThat(page.version()).isEqualTo("2");
    assertThat(page.body()).as("the SA's id on the request").contains("sa=")
        .doesNotContain("sa=null");
    await().atMost(WAIT).until(() -> registry.stats().released() == 1);
    assertThat(registry.stats().negotiated()).isEqualTo(1);

    server.close();
    server = null;

    assertThat(ssl.getEventListeners()).noneMatch(l -> l instanceof ConnectionTracker);
    assertThat(ssl.getBeans(ConnectionTracker.class)).isEmpty();
  }

  @Test
  void bcjsse_onAConnectorOfferingAlpn_failsTheStartNamingTheSetting() throws Exception {
    TestServer jetty = TestServer.http2();
    try (jetty) {
      JettyTether.addToAllConnectors(jetty.server).setProvider("bcjsse");
      assertThatThrownBy(jetty::start).hasMessageContaining("jetty.tether.provider=bcjsse")
          .hasMessageContaining("connector 'https' offers ALPN")
          .hasMessageContaining("use provider=jdk for HTTP/2");
    }
  }

  /** Why Tether refuses the combination above: Jetty itself serves no connection there. */
  @Test
  void withoutTether_alpnOnBouncyCastlesEngine_refusesEveryConnection() throws Exception {
    TlsProvider.BCJSSE.install("test");
    try (TestServer jetty = TestServer.http2()) {
      jetty.sslContextFactory.setProvider(TlsProvider.BCJSSE.providerName());
      jetty.sslContextFactory.setKeyManagerFactoryAlgorithm(
          TlsProvider.BCJSSE.keyManagerAlgorithm());
      jetty.start();
      assertThatThrownBy(() -> Curl.get(jetty.port(), TestServer.pem(), "TLSv1.3", "/",
          "--http1.1")).isInstanceOf(java.io.IOException.class).hasMessageContaining("curl failed");
    }
  }

  @ParameterizedTest
  @ValueSource(strings = {"TLSv1.2", "TLSv1.3"})
  void jdkHttpClient_streamsAtOnceOnOneConnection_eachCarriesTheConnectionsSa(String protocol)
      throws Exception {
    start(PolicyServer.POLICIES);
    SSLParameters params = new SSLParameters();
    params.setProtocols(new String[] {protocol});
    HttpClient client = HttpClient.newBuilder().version(HttpClient.Version.HTTP_2)
        .sslContext(tls).sslParameters(params).build();
    List<CompletableFuture<HttpResponse<String>>> pages = new ArrayList<>();
    pages.add(client.sendAsync(request("/page"), HttpResponse.BodyHandlers.ofString()));
    pages.get(0).get(20, TimeUnit.SECONDS);
    for (int i = 0; i < 10; i++) {
      pages.add(client.sendAsync(request("/page"), HttpResponse.BodyHandlers.ofString()));
    }

    String sa = null;
    for (CompletableFuture<HttpResponse<String>> f : pages) {
      HttpResponse<String> page = f.get(20, TimeUnit.SECONDS);
      assertThat(page.version()).isEqualTo(HttpClient.Version.HTTP_2);
      assertThat(page.statusCode()).isEqualTo(200);
      sa = sa == null ? WebClient.field(page, "sa") : sa;
      assertThat(WebClient.field(page, "sa")).isEqualTo(sa).isNotEqualTo("null");
      assertThat(WebClient.field(page, "policy")).isEqualTo("browse");
    }
    SecurityAssociation association = registry.find(sa).orElseThrow();
    assertThat(association.references()).isEqualTo(1);
    assertThat(association.protocol()).isEqualTo(protocol);
    assertThat(registry.stats().negotiated()).isEqualTo(1);
    // The JDK client keeps its connection; the flush ends it with a GOAWAY, and the client leaves.
    registry.flushAll(DeletionCause.MANUAL);
  }

  @ParameterizedTest
  @ValueSource(strings = {"TLSv1.2", "TLSv1.3"})
  void curlHttp2_basicLogin_flushesOnce_andSendsNoConnectionHeader(String protocol)
      throws Exception {
    start(PolicyServer.POLICIES);
    Curl.Response anonymous = Curl.get(server.port(), TestServer.pem(), protocol, "/page",
        "--http2");
    assertThat(anonymous.version()).isEqualTo("2");
    assertThat(anonymous.body()).contains("user=null");

    Curl.Response login = Curl.get(server.port(), TestServer.pem(), protocol,
        "/basic/secure/page", "--http2", "-u", "alice:secret");

    assertThat(login.version()).isEqualTo("2");
    assertThat(login.status()).isEqualTo(200);
    assertThat(login.body()).contains("user=alice");
    assertThat(login.headers()).doesNotContainKey("connection");
    assertThat(registry.stats().deletedByCause().get(DeletionCause.LOGIN))
        .as("the customer's login flushed the peer's SAs").isPositive();
    assertThat(registry.policies().boundPrincipal("127.0.0.1")).isEqualTo("alice");
  }

  @Test
  void h2load_manyStreamsOnTwoConnections_oneSaEach() throws Exception {
    start(PolicyServer.POLICIES);

    H2load.Result r = H2load.run("-n", "200", "-c", "2", "-m", "10",
        "https://127.0.0.1:" + server.port() + "/page");

    assertThat(r.protocol()).as(r.output()).isEqualTo("h2");
    assertThat(r.status2xx()).as(r.output()).isEqualTo(200);
    await().atMost(WAIT).until(() -> registry.stats().leases() == 0);
    AssociationStats s = registry.stats();
    assertThat(s.accepted()).isEqualTo(2);
    assertThat(s.negotiated() + s.reused()).isEqualTo(2);
  }

  @Test
  void h2load_basicCredentialsOnEveryStream_logInOnce_allServed() throws Exception {
    start(NO_FLUSH);

    H2load.Result r = H2load.run("-n", "60", "-c", "1", "-m", "10", "-H",
        "authorization: " + ALICE, "https://127.0.0.1:" + server.port() + "/basic/secure/page");

    assertThat(r.protocol()).as(r.output()).isEqualTo("h2");
    assertThat(r.status2xx()).as(r.output()).isEqualTo(60);
    assertThat(registry.policies().boundPrincipal("127.0.0.1")).isEqualTo("alice");
    assertThat(registry.associations()).singleElement()
        .satisfies(sa -> assertThat(sa.principals()).containsExactly("alice"));
    assertThat(registry.stats().flushed()).isZero();
  }

  @ParameterizedTest
  @ValueSource(strings = {"TLSv1.2", "TLSv1.3"})
  void loginOnOneStream_whileAnotherRuns_goAwayAtOnce_theOtherStreamFinishes(String protocol)
      throws Exception {
    start(PolicyServer.POLICIES);
    String first = "jetty-first-" + protocol;
    try (Http2Client h2 = Http2Client.connect(tls, server.port(), protocol)) {
      CompletableFuture<Http2Client.Reply> one = h2.get("/page?hold=" + first);
      assertThat(PolicyServer.hold(first).arrived().await(20, TimeUnit.SECONDS)).isTrue();
      String sa = registry.associations().get(0).id();

      Http2Client.Reply login = h2.get("/basic/secure/page", "authorization", ALICE)
          .get(20, TimeUnit.SECONDS);

      assertThat(login.status()).isEqualTo(200);
      assertThat(login.field("user")).isEqualTo("alice");
      assertThat(login.field("sa")).isEqualTo(sa);
      assertThat(login.headers()).doesNotContainKey("connection");
      assertThat(registry.find(sa)).as("the login flushed the connection's SA").isEmpty();
      assertThat(h2.goAway().get(20, TimeUnit.SECONDS).getError())
          .as("GOAWAY while a stream is in flight").isEqualTo(ErrorCode.NO_ERROR.code);
      assertThat(h2.closed()).isNotDone();

      PolicyServer.hold(first).release().countDown();
      Http2Client.Reply stream1 = one.get(20, TimeUnit.SECONDS);
      assertThat(stream1.status()).as("the stream in flight finishes").isEqualTo(200);
      assertThat(stream1.field("sa")).isEqualTo(sa);
      assertThat(stream1.field("user")).isEqualTo("null");
      h2.closed().get(20, TimeUnit.SECONDS);
    }
    assertThat(registry.stats().deletedByCause().get(DeletionCause.LOGIN)).isEqualTo(1);
    assertThat(registry.policies().boundPrincipal("127.0.0.1")).isEqualTo("alice");
  }

  @ParameterizedTest
  @ValueSource(strings = {"TLSv1.2", "TLSv1.3"})
  void streamReachingTetherAfterItsSaWasFlushed_gets421WithoutConnectionHeader_thenGoAway(
      String protocol) throws Exception {
    start(PolicyServer.POLICIES);
    String first = "jetty-flushed-" + protocol;
    try (Http2Client h2 = Http2Client.connect(tls, server.port(), protocol)) {
      CompletableFuture<Http2Client.Reply> one = h2.get("/page?hold=" + first);
      assertThat(PolicyServer.hold(first).arrived().await(20, TimeUnit.SECONDS)).isTrue();

      // The SA goes between this stream's arrival and Tether's look at it.
      Http2Client.Reply refused = h2.get("/page", "x-test-flush", "1").get(20, TimeUnit.SECONDS);

      assertThat(refused.status()).isEqualTo(421);
      assertThat(refused.headers()).doesNotContainKey("connection");
      assertThat(refused.body()).contains("was deleted");
      assertThat(h2.goAway().get(20, TimeUnit.SECONDS).getError())
          .isEqualTo(ErrorCode.NO_ERROR.code);
      PolicyServer.hold(first).release().countDown();
      assertThat(one.get(20, TimeUnit.SECONDS).status()).isEqualTo(200);
      h2.closed().get(20, TimeUnit.SECONDS);
    }
    assertThat(registry.stats().deletedByCause()).containsEntry(DeletionCause.MANUAL, 1L);
  }

  @Test
  void operatorFlush_ofAnIdleHttp2Connection_sendsGoAway_andTheConnectionCloses() throws Exception {
    start(PolicyServer.POLICIES);
    try (Http2Client h2 = Http2Client.connect(tls, server.port(), "TLSv1.3")) {
      assertThat(h2.get("/page").get(20, TimeUnit.SECONDS).status()).isEqualTo(200);
      assertThat(registry.stats().leases()).isEqualTo(1);

      assertThat(registry.flushAll(DeletionCause.MANUAL)).isEqualTo(1);

      assertThat(h2.goAway().get(20, TimeUnit.SECONDS).getError())
          .isEqualTo(ErrorCode.NO_ERROR.code);
      h2.closed().get(20, TimeUnit.SECONDS);
      await().atMost(WAIT).until(() -> registry.stats().leases() == 0);
    }
  }

  @Test
  void requestOfAnotherPolicy_overHttp2_gets421AndGoAway_andTheRetryOnANewConnectionSucceeds()
      throws Exception {
    start(PolicyServer.POLICIES);
    WebClient browser = new WebClient(tls, server.port());
    try (Http2Client early = Http2Client.connect(tls, server.port(), "TLSv1.3")) {
      assertThat(early.get("/page").get(20, TimeUnit.SECONDS).field("policy")).isEqualTo("browse");
      // The operator's login flushes the peer's SAs but keeps their connections open.
      browser.formLogin("oper", "secret");

      Http2Client.Reply refused = early.get("/secure/page", "cookie", browser.sessionCookie())
          .get(20, TimeUnit.SECONDS);

      assertThat(refused.status()).isEqualTo(421);
      assertThat(refused.headers()).doesNotContainKey("connection");
      assertThat(refused.body()).contains("policy 'browse'").contains("policy 'operator'");
      assertThat(early.goAway().get(20, TimeUnit.SECONDS).getError())
          .isEqualTo(ErrorCode.NO_ERROR.code);
      early.closed().get(20, TimeUnit.SECONDS);
      assertThat(registry.stats().refusedByReason()).containsEntry(RefusalReason.POLICY, 1L);
    }
    try (Http2Client retry = Http2Client.connect(tls, server.port(), "TLSv1.3")) {
      Http2Client.Reply page = retry.get("/secure/page", "cookie", browser.sessionCookie())
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
