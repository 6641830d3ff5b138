package dev.tether.reliability;

import static org.assertj.core.api.Assertions.assertThat;

import dev.tether.AssociationRegistry;
import dev.tether.AssociationStats;
import java.io.IOException;
import java.io.InputStream;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;

/**
 * Bad input from outside: garbage, truncated records, plaintext HTTP, ClientHellos from large to
 * absurd, and a scan with {@code sslscan}. After each the server is up, a normal client is served,
 * and once the connections are closed no lease and no SA is left and every accepted connection is
 * accounted for.
 */
class BadInputTest {
  private static final Path SSLSCAN = Path.of("/usr/bin/sslscan");

  @ParameterizedTest(name = "{0}")
  @EnumSource(Kind.class)
  void malformedInput_serverStaysUp_nothingLeft_normalClientServed(Kind kind) throws Exception {
    Accounts accounts = new Accounts();
    Setup setup = new Setup().grace(Duration.ofMillis(300)).listener(accounts);
    List<String> outcomes = new ArrayList<>();
    int normal = 0;
    try (Container server = kind.start(setup);
        Bystander bystander = Bystander.start(server)) {
      AssociationRegistry registry = server.registry();
      int port = server.port();
      for (int i = 0; i < 3; i++) {
        outcomes.add("garbage:" + send(port, RawTls.garbage(2048, i), false));
        outcomes.add("truncated:" + send(port, RawTls.truncatedRecord(100), true));
        outcomes.add("plaintext:" + send(port,
            "GET /app/hello HTTP/1.1\r\nHost: localhost\r\n\r\n".getBytes(StandardCharsets.US_ASCII),
            false));
        normal += normalClientServed(server);
      }
      // A ClientHello of 15 KiB in one record: 4,003 cipher suites and 7 KiB of padding.
      outcomes.add("hello15k:" + send(port, RawTls.clientHello(4000, 7000), false));
      // 30 KiB over two records: still under JSSE's 32 KiB limit on a handshake message.
      outcomes.add("hello30k:" + send(port, RawTls.clientHello(7000, 16000), false));
      // 120 KiB over eight records: far over the limit.
      outcomes.add("hello120k:" + send(port, RawTls.clientHello(30000, 60000), false));
      // 64 KiB of records of a handshake message that claims to be 16 MiB long.
      byte[] claim = new byte[64 * 1024];
      claim[0] = 1;
      claim[1] = claim[2] = claim[3] = (byte) 0xFF;
      outcomes.add("claim16m:" + send(port, RawTls.records(RawTls.HANDSHAKE, claim), false));
      normal += normalClientServed(server);
      // A record cut short after a completed handshake and a request.
      Conn cut = Conn.open(Certificates.client(), Peers.of(41), port, "TLSv1.2");
      try {
        assertThat(cut.get("/app/hello").status()).isEqualTo(200);
        cut.plain().getOutputStream().write(new byte[] {23, 3, 3, 0x40, 0, 1, 2, 3});
        cut.plain().shutdownOutput();
        outcomes.add("truncatedAppData:" + (cut.closedByServer() ? "closed" : "open"));
      } finally {
        cut.reset();
      }
      normal += normalClientServed(server);
      bystander.close();
      FaultTest.awaitQuiet(registry);

      AssociationStats s = registry.stats();
      Report.line("bad-input " + kind, "outcomes", outcomes, "handshakeFailures",
          s.handshakeFailures(), "closedBeforeHandshake", s.closedBeforeHandshake(), "stats", s);
      assertThat(bystander.failures()).isEmpty();
      accounts.assertBalanced(s);
      assertThat(s.handshakes()).as("normal clients, the cut record's, the bystander's")
          .isEqualTo(normal + 1 + bystander.connections());
      assertThat(s.handshakeFailures() + s.closedBeforeHandshake()).as("bad connections")
          .isEqualTo(3 * 3 + 4);
      assertThat(s.refused()).isZero();
      assertThat(outcomes).contains("hello15k:server-hello").doesNotContain("hello120k:server-hello",
          "claim16m:server-hello");
      assertThat(outcomes).filteredOn(o -> o.endsWith(":open")).isEmpty();
    }
  }

  @ParameterizedTest(name = "{0}")
  @EnumSource(Kind.class)
  void sslscan_probesEveryProtocolAndCipher_serverStaysUp_nothingLeft(Kind kind) throws Exception {
    assertThat(SSLSCAN).as("sslscan (Debian package sslscan) must be installed").isExecutable();
    Accounts accounts = new Accounts();
    try (Container server = kind.start(new Setup().grace(Duration.ofMillis(300)).listener(accounts));
        Bystander bystander = Bystander.start(server)) {
      AssociationRegistry registry = server.registry();
      long started = System.nanoTime();
      Process scan = new ProcessBuilder(SSLSCAN.toString(), "--no-colour", "--show-sigs",
          "127.0.0.1:" + server.port()).redirectErrorStream(true).start();
      scan.getOutputStream().close();
      String output = new String(scan.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
      assertThat(scan.waitFor(120, TimeUnit.SECONDS)).as("sslscan finished").isTrue();
      long scanMillis = (System.nanoTime() - started) / 1_000_000;
      Path report = Path.of(System.getProperty("tether.reliability.report", "target/reliability"));
      Files.createDirectories(report);
      Files.writeString(report.resolve("sslscan-" + kind + ".txt"), output);
      int served = normalClientServed(server);
      bystander.close();
      FaultTest.awaitQuiet(registry);

      AssociationStats s = registry.stats();
      Report.line("sslscan " + kind, "ms", scanMillis, "exit", scan.exitValue(), "stats", s);
      assertThat(scan.exitValue()).as(output).isZero();
      assertThat(output).containsPattern("TLSv1\\.2\\s+enabled").containsPattern("TLSv1\\.3\\s+enabled")
          .containsPattern("TLSv1\\.0\\s+disabled").containsPattern("TLSv1\\.1\\s+disabled")
          .contains("Accepted");
      assertThat(served).isEqualTo(1);
      assertThat(bystander.failures()).isEmpty();
      accounts.assertBalanced(s);
      assertThat(s.accepted() - bystander.connections() - served).as("connections of the scan")
          .isGreaterThan(20);
    }
  }

  /**
   * Connects, sends {@code bytes} (then half-closes if {@code finish}), and reads what the server
   * does: {@code server-hello}, {@code alert}, {@code http} (a plaintext answer), {@code closed}
   * (the end of the stream or a reset), or {@code open} if it neither answered nor closed in 20 s.
   * Closes the connection after a server hello, since the client goes no further.
   */
  private static String send(int port, byte[] bytes, boolean finish) throws IOException {
    try (Socket s = Conn.tcp(Peers.of(40), port)) {
      try {
        s.getOutputStream().write(bytes);
        if (finish) {
          s.shutdownOutput();
        }
      } catch (IOException e) {
        return "closed"; // the server closed before taking it all
      }
      InputStream in = s.getInputStream();
      try {
        int[] start = RawTls.readRecordStart(in);
        String outcome;
        if (start[0] == RawTls.HANDSHAKE && start[1] == RawTls.SERVER_HELLO) {
          outcome = "server-hello";
        } else if (start[0] == RawTls.ALERT) {
          outcome = "alert";
        } else if (start[0] == 'H') {
          outcome = "http";
        } else if (start[0] < 0) {
          return "closed";
        } else {
          outcome = "bytes-" + start[0];
        }
        if (!outcome.equals("server-hello")) {
          in.transferTo(java.io.OutputStream.nullOutputStream());
        }
        return outcome;
      } catch (java.net.SocketTimeoutException e) {
        return "open";
      } catch (IOException e) {
        return "closed";
      }
    }
  }

  /** Returns 1 after a normal client got its answer; throws if it did not. */
  static int normalClientServed(Container server) throws IOException {
    try (Conn c = Conn.open(Certificates.client(), Peers.of(42), server.port(), "TLSv1.3")) {
      assertThat(c.get("/app/hello").status()).isEqualTo(200);
    }
    return 1;
  }
}
