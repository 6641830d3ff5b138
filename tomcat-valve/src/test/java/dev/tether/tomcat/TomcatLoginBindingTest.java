package dev.tether.tomcat;

import static dev.tether.testing.OpenSslClient.get;
import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import dev.tether.AssociationStats;
import dev.tether.DeletionCause;
import dev.tether.SaPolicy;
import dev.tether.testing.OpenSslClient;
import dev.tether.testing.OpenSslClient.Handshake;
import dev.tether.testing.OpenSslClient.Result;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Base64;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * A login binds, in every TLS combination, with openssl as the client: the SAs its policy flushes end
 * before the login's response leaves, so that no later connection resumes them, whenever the login
 * comes (the connection's first request or a later one; BASIC, FORM, {@code request.login()} followed
 * by each of the four {@code sendRedirect}s; a peer flush from another connection). Each round is a
 * client at an address of its own (127.0.2.N). No stale resumption may happen.
 */
class TomcatLoginBindingTest {
  private static final String ALICE = "Authorization: Basic "
      + Base64.getEncoder().encodeToString("alice:secret".getBytes(StandardCharsets.UTF_8));
  private static final Pattern COOKIE = Pattern.compile("Set-Cookie: (JSESSIONID=[^;\\r\\n]+)");
  /** A login flushes every SA of the client's address. */
  private static final SaPolicy PEER_FLUSH = SaPolicy.builder("default").appliesTo("anonymous")
      .grace(Duration.ofSeconds(60)).onLogin(SaPolicy.FlushScope.PEER).build();

  @TempDir
  Path dir;
  private TetherServer server;
  private Tls tls;

  private void start(Tls tls) throws Exception {
    this.tls = tls;
    server = tls.server().policy(PEER_FLUSH).start();
  }

  @AfterEach
  void stop() throws Exception {
    if (server == null) {
      return;
    }
    await().atMost(Duration.ofSeconds(20)).until(() -> server.stats().leases() == 0);
    AssociationStats s = server.stats();
    assertThat(s.staleResumptions()).as("resumptions of a flushed lineage: " + s).isZero();
    assertThat(s.refused()).isZero();
    server.close();
  }

  private OpenSslClient client(int round) {
    return new OpenSslClient(server.port(), tls.protocol(), TetherServer.pem(), "127.0.2." + round,
        "/");
  }

  /**
   * The next connection of the round's client tries to resume the session saved in {@code s}, if the
   * server issued one (Bouncy Castle issues no TLS 1.3 ticket).
   */
  private void assertNotResumed(OpenSslClient client, Path s, int round) throws Exception {
    Result next = client.exchange(Files.exists(s) ? s : null, null, get("/app/page", true));
    assertThat(next.handshake()).as("round %d, %s: %s", round, tls, next.lines())
        .isEqualTo(Handshake.NEW);
    assertThat(next.output()).contains("HTTP/1.1 200");
  }

  @ParameterizedTest(name = "{0}")
  @MethodSource("dev.tether.tomcat.Tls#all")
  void basicLogin_onTheFirstRequest_noLaterConnectionResumesTheFlushedSa(Tls tls)
      throws Exception {
    start(tls);
    OpenSslClient anonymous = client(200);
    Path a = dir.resolve("anonymous");
    anonymous.exchange(null, a, get("/app/page", true));
    Result resumed = anonymous.exchange(Files.exists(a) ? a : null, null, get("/app/page", true));
    assertThat(resumed.handshake()).as("control: no login, resumed")
        .isEqualTo(tls.resumes() ? Handshake.REUSED : Handshake.NEW);

    for (int round = 1; round <= 50; round++) {
      OpenSslClient client = client(round);
      Path s = dir.resolve("s" + round);
      Result login = client.exchange(null, s, get("/basic/secure/page", true, ALICE));
      assertThat(login.output()).as("round %d", round).contains("user=alice")
          .containsIgnoringCase("connection: close");
      assertNotResumed(client, s, round);
    }
    assertThat(server.stats().deletedByCause().get(DeletionCause.LOGIN)).isEqualTo(50);
  }

  @ParameterizedTest(name = "{0}")
  @MethodSource("dev.tether.tomcat.Tls#all")
  void basicLogin_onALaterRequest_noLaterConnectionResumesTheFlushedSa(Tls tls) throws Exception {
    start(tls);
    for (int round = 1; round <= 10; round++) {
      OpenSslClient client = client(round);
      Path s = dir.resolve("s" + round);
      Result login = client.exchange(null, s, get("/basic/page", false),
          get("/basic/secure/page", true, ALICE));
      assertThat(login.output()).as("round %d", round).contains("user=null").contains("user=alice");
      assertNotResumed(client, s, round);
    }
  }

  @ParameterizedTest(name = "{0}")
  @MethodSource("dev.tether.tomcat.Tls#all")
  void requestLogin_thenEachSendRedirect_noLaterConnectionResumesTheFlushedSa(Tls tls)
      throws Exception {
    start(tls);
    int round = 0;
    for (int redirect = 1; redirect <= 4; redirect++) {
      for (int i = 0; i < 3; i++) {
        round++;
        OpenSslClient client = client(round);
        Path s = dir.resolve("s" + round);
        Result login = client.exchange(null, s, get("/app/page", false),
            get("/app/page?op=login&u=alice&p=secret&redirect=" + redirect, true));
        assertThat(login.output()).as("round %d, sendRedirect #%d", round, redirect)
            .containsPattern("HTTP/1.1 30[23]").contains("/app/next")
            .containsIgnoringCase("connection: close");
        assertNotResumed(client, s, round);
      }
    }
    assertThat(server.events.seen).hasSize(round).containsOnly("login alice");
  }

  @ParameterizedTest(name = "{0}")
  @MethodSource("dev.tether.tomcat.Tls#all")
  void formLogin_noLaterConnectionResumesTheFlushedSa(Tls tls) throws Exception {
    start(tls);
    for (int round = 1; round <= 10; round++) {
      OpenSslClient client = client(round);
      Path s = dir.resolve("s" + round);
      try (OpenSslClient.Held held = client.open(null, tickets() ? s : null)) {
        held.send(get("/form/secure/page", false));
        await().atMost(Duration.ofSeconds(20)).until(() -> COOKIE.matcher(held.output()).find());
        Matcher cookie = COOKIE.matcher(held.output());
        assertThat(cookie.find()).isTrue();
        String form = "j_username=alice&j_password=secret";
        held.send("POST /form/j_security_check HTTP/1.1\r\nHost: localhost\r\nCookie: "
            + cookie.group(1) + "\r\nContent-Type: application/x-www-form-urlencoded\r\n"
            + "Content-Length: " + form.length() + "\r\n\r\n" + form);
        await().atMost(Duration.ofSeconds(20)).until(() -> !held.isAlive());
        assertThat(held.output()).as("round %d", round).contains("HTTP/1.1 303")
            .containsIgnoringCase("connection: close");
      }
      assertNotResumed(client, s, round);
    }
  }

  @ParameterizedTest(name = "{0}")
  @MethodSource("dev.tether.tomcat.Tls#all")
  void peerFlush_fromAnotherConnection_endsTheIdleConnection_andItsSaIsNotResumed(Tls tls)
      throws Exception {
    start(tls);
    for (int round = 1; round <= 10; round++) {
      OpenSslClient client = client(round);
      Path idle = dir.resolve("idle" + round);
      try (OpenSslClient.Held other = client.open(null, tickets() ? idle : null)) {
        Result login = client(round).exchange(null, null, get("/basic/secure/page", true, ALICE));
        assertThat(login.output()).contains("user=alice");
        await().atMost(Duration.ofSeconds(20)).until(() -> !other.isAlive());
      }
      assertNotResumed(client, idle, round);
    }
  }

  /** Whether the server issues session tickets: Bouncy Castle does not in TLS 1.3. */
  private boolean tickets() {
    return tls.resumes();
  }
}
