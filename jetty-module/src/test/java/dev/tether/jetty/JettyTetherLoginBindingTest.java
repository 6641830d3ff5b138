package dev.tether.jetty;

import static dev.tether.testing.OpenSslClient.get;
import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import dev.tether.AssociationRegistry;
import dev.tether.AssociationStats;
import dev.tether.DeletionCause;
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
import org.junit.jupiter.params.provider.EnumSource;

/**
 * A login binds, in every TLS combination, with openssl as the client: the SAs its policy flushes end
 * before the login's response leaves, so that no later connection resumes them, whenever the login
 * comes (the connection's first request or a later one; BASIC, FORM, {@code request.login()}; a peer
 * flush from another connection). Each round is a client at an address of its own (127.0.1.N), so
 * that every round's login is a new one. The count of stale resumptions must stay 0: in TLS 1.3 the
 * JDK would otherwise hand the client a ticket of the flushed lineage after the flush.
 */
class JettyTetherLoginBindingTest {
  private static final String ALICE = "Authorization: Basic "
      + Base64.getEncoder().encodeToString("alice:secret".getBytes(StandardCharsets.UTF_8));
  private static final Pattern COOKIE = Pattern.compile("Set-Cookie: (JSESSIONID=[^;\\r\\n]+)");

  @TempDir
  Path dir;
  private PolicyServer server;
  private AssociationRegistry registry;
  private TlsCombo combo;

  private void start(TlsCombo combo) throws Exception {
    this.combo = combo;
    server = new PolicyServer(dir);
    server.tether.setProvider(combo.provider.settingValue());
    server.start();
    registry = server.registry();
  }

  @AfterEach
  void stop() throws Exception {
    if (server == null) {
      return;
    }
    await().atMost(Duration.ofSeconds(20)).until(() -> registry.stats().leases() == 0);
    AssociationStats s = registry.stats();
    assertThat(s.staleResumptions()).as("resumptions of a flushed lineage: " + s).isZero();
    assertThat(s.refused()).isZero();
    server.close();
  }

  /** Whether the server issues session tickets: Bouncy Castle does not in TLS 1.3. */
  private boolean tickets() {
    return combo != TlsCombo.BCJSSE_TLS13;
  }

  private OpenSslClient client(int round) throws Exception {
    return new OpenSslClient(server.port(), combo.protocol, TestServer.pem(), "127.0.1." + round,
        "/");
  }

  /**
   * The next connection of the round's client tries to resume the session saved in {@code s}, if the
   * server issued one (Bouncy Castle issues no TLS 1.3 ticket).
   */
  private void assertNotResumed(OpenSslClient client, Path s, int round) throws Exception {
    Result next = client.exchange(Files.exists(s) ? s : null, null, get("/basic/page", true));
    assertThat(next.handshake()).as("round %d, %s: %s", round, combo, next.lines())
        .isEqualTo(Handshake.NEW);
    assertThat(next.output()).contains("HTTP/1.1 200");
  }

  @ParameterizedTest(name = "{0}")
  @EnumSource(TlsCombo.class)
  void basicLogin_onTheFirstRequest_noLaterConnectionResumesTheFlushedSa(TlsCombo combo)
      throws Exception {
    start(combo);
    // Control: without a login, the next connection resumes where the server resumes at all.
    OpenSslClient anonymous = client(200);
    Path a = dir.resolve("anonymous");
    anonymous.exchange(null, a, get("/basic/page", true));
    Result resumed = anonymous.exchange(Files.exists(a) ? a : null, null, get("/basic/page", true));
    assertThat(resumed.handshake()).isEqualTo(combo == TlsCombo.BCJSSE_TLS13 ? Handshake.NEW
        : Handshake.REUSED);

    for (int round = 1; round <= 50; round++) {
      OpenSslClient client = client(round);
      Path s = dir.resolve("s" + round);
      Result login = client.exchange(null, s, get("/basic/secure/page", true, ALICE));
      assertThat(login.output()).as("round %d", round).contains("user=alice")
          .containsIgnoringCase("connection: close");
      assertNotResumed(client, s, round);
    }
    assertThat(registry.stats().deletedByCause().get(DeletionCause.LOGIN)).isEqualTo(50);
  }

  @ParameterizedTest(name = "{0}")
  @EnumSource(TlsCombo.class)
  void basicLogin_onALaterRequest_noLaterConnectionResumesTheFlushedSa(TlsCombo combo)
      throws Exception {
    start(combo);
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
  @EnumSource(TlsCombo.class)
  void applicationLogin_requestLogin_noLaterConnectionResumesTheFlushedSa(TlsCombo combo)
      throws Exception {
    start(combo);
    for (int round = 1; round <= 10; round++) {
      OpenSslClient client = client(round);
      Path s = dir.resolve("s" + round);
      Result login = client.exchange(null, s, get("/basic/page", false),
          get("/basic/page?login=alice", true));
      assertThat(login.output()).as("round %d", round).contains("user=alice")
          .containsIgnoringCase("connection: close");
      assertNotResumed(client, s, round);
    }
  }

  @ParameterizedTest(name = "{0}")
  @EnumSource(TlsCombo.class)
  void formLogin_noLaterConnectionResumesTheFlushedSa(TlsCombo combo) throws Exception {
    start(combo);
    for (int round = 1; round <= 10; round++) {
      OpenSslClient client = client(round);
      Path s = dir.resolve("s" + round);
      try (OpenSslClient.Held held = client.open(null, tickets() ? s : null)) {
        held.send(get("/secure/page", false));
        await().atMost(Duration.ofSeconds(20)).until(() -> COOKIE.matcher(held.output()).find());
        Matcher cookie = COOKIE.matcher(held.output());
        assertThat(cookie.find()).isTrue();
        String form = "j_username=alice&j_password=secret";
        held.send("POST /j_security_check HTTP/1.1\r\nHost: localhost\r\nCookie: " + cookie.group(1)
            + "\r\nContent-Type: application/x-www-form-urlencoded\r\nContent-Length: "
            + form.length() + "\r\n\r\n" + form);
        // The login's answer ends the connection: the server closes it.
        await().atMost(Duration.ofSeconds(20)).until(() -> !held.isAlive());
        assertThat(held.output()).as("round %d", round).contains("HTTP/1.1 303")
            .containsIgnoringCase("connection: close");
      }
      assertNotResumed(client, s, round);
    }
  }

  @ParameterizedTest(name = "{0}")
  @EnumSource(TlsCombo.class)
  void peerFlush_fromAnotherConnection_endsTheIdleConnection_andItsSaIsNotResumed(TlsCombo combo)
      throws Exception {
    start(combo);
    for (int round = 1; round <= 10; round++) {
      OpenSslClient client = client(round);
      Path idle = dir.resolve("idle" + round);
      try (OpenSslClient.Held other = client.open(null, tickets() ? idle : null)) {
        // A customer's login flushes every SA of the address: the idle connection's too.
        Result login = client(round).exchange(null, null, get("/basic/secure/page", true, ALICE));
        assertThat(login.output()).contains("user=alice");
        await().atMost(Duration.ofSeconds(20)).until(() -> !other.isAlive());
      }
      assertNotResumed(client, idle, round);
    }
  }
}
