package dev.tether.reliability;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import dev.tether.AssociationRegistry;
import dev.tether.AssociationStats;
import dev.tether.PolicySet;
import dev.tether.SaPolicy;
import dev.tether.testing.OpenSslClient;
import dev.tether.tls.ClientRenegotiation;
import dev.tether.tls.TlsProvider;
import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;

/**
 * What auditors' scanners see, under the shop's strong policy ({@code strong-policy.conf} of the
 * launcher: TLS 1.2 and 1.3, AEAD suites only) in a JVM started as the README asks
 * ({@code -Djdk.tls.rejectClientInitiatedRenegotiation=true}): testssl.sh finds nothing but what a
 * self-signed demo certificate must have, a client's renegotiation is answered with a fatal alert,
 * and the scans leave the books balanced. The full testssl report is kept in
 * {@code target/reliability/testssl-KIND.txt} (and {@code .json}).
 */
class ScannerTest {
  private static final Path TESTSSL = Path.of("/usr/bin/testssl");
  /**
   * What auditors look at: protocols, cipher categories, forward secrecy, server preferences,
   * certificate and server defaults, every vulnerability check (renegotiation included), and each
   * cipher suite the server accepts. Client simulations and HTTP headers are left out: they judge
   * clients and the application, not the TLS server.
   */
  private static final List<String> CHECKS = List.of("--protocols", "--std", "--fs",
      "--server-preference", "--server-defaults", "--vulnerable", "--each-cipher");
  /** The findings a self-signed demo certificate must have; any other is a failure. */
  private static final List<Pattern> TOLERATED = List.of(
      Pattern.compile("^ Chain of trust +NOT ok \\(self signed\\)$"),
      Pattern.compile("^ +NOT ok -- neither CRL nor OCSP URI provided$"));
  /** The same two in the JSON report, by id: the only findings of severity LOW or above. */
  private static final Set<String> TOLERATED_IDS = Set.of("cert_chain_of_trust", "cert_revocation");
  private static final Set<String> PROBLEMS = Set.of("LOW", "MEDIUM", "HIGH", "CRITICAL");
  private static final Pattern FLAGGED = Pattern.compile("VULNERABLE|NOT ok");
  /** A row of the accepted cipher suites table: hex code ... IANA name. */
  private static final Pattern CIPHER_ROW =
      Pattern.compile("^ x[0-9a-f]{2,6} .* (TLS_\\w+) *$", Pattern.MULTILINE);
  /** An object of testssl's flat JSON, and one of its string fields. */
  private static final Pattern OBJECT = Pattern.compile("\\{[^{}]*}");
  private static final Pattern FIELD =
      Pattern.compile("\"(\\w+)\"\\s*:\\s*\"((?:[^\"\\\\]|\\\\.)*)\"");
  private static final SaPolicy SHOP_POLICY = shopPolicy();

  @ParameterizedTest(name = "{0}")
  @EnumSource(Kind.class)
  void testssl_underTheShopsStrongPolicy_findsOnlyTheSelfSignedCertificate_booksBalance(Kind kind)
      throws Exception {
    assertThat(TESTSSL).as("testssl (Debian package testssl.sh) must be installed").isExecutable();
    Accounts accounts = new Accounts();
    Setup setup = new Setup().grace(Duration.ofMillis(300)).policy(SHOP_POLICY).listener(accounts);
    try (Container server = kind.start(setup);
        Bystander bystander = Bystander.start(server)) {
      AssociationRegistry registry = server.registry();
      Path dir = Files.createDirectories(
          Path.of(System.getProperty("tether.reliability.report", "target/reliability")));
      Path report = dir.resolve("testssl-" + kind + ".txt");
      Path json = dir.resolve("testssl-" + kind + ".json");
      Files.deleteIfExists(json); // testssl does not overwrite it
      List<String> command = new ArrayList<>(List.of(TESTSSL.toString(), "--quiet", "--color",
          "0", "--warnings", "off", "--nodns", "none", "--connect-timeout", "30",
          "--openssl-timeout", "30", "--jsonfile", json.toString()));
      command.addAll(CHECKS);
      command.add("127.0.0.1:" + server.port());
      long started = System.nanoTime();
      Process scan = new ProcessBuilder(command).redirectErrorStream(true)
          .redirectOutput(report.toFile()).start();
      scan.getOutputStream().close();
      boolean finished = scan.waitFor(8, TimeUnit.MINUTES);
      if (!finished) {
        scan.destroyForcibly();
      }
      long seconds = (System.nanoTime() - started) / 1_000_000_000;
      String output = Files.readString(report, StandardCharsets.UTF_8);
      int served = BadInputTest.normalClientServed(server);
      bystander.close();
      FaultTest.awaitQuiet(registry);

      AssociationStats s = registry.stats();
      List<String> flagged = output.lines().filter(l -> FLAGGED.matcher(l).find())
          .filter(l -> TOLERATED.stream().noneMatch(t -> t.matcher(l).matches())).toList();
      List<String> ciphers = new ArrayList<>();
      for (Matcher m = CIPHER_ROW.matcher(output); m.find(); ) {
        ciphers.add(m.group(1));
      }
      List<Map<String, String>> findings = findings(json);
      List<String> problems = findings.stream().filter(f -> PROBLEMS.contains(f.get("severity")))
          .filter(f -> !TOLERATED_IDS.contains(f.get("id")))
          .map(f -> f.get("id") + " " + f.get("severity") + ": " + f.get("finding")).toList();
      // testssl's own trouble (a check it could not complete, e.g. a connection timed out on a
      // loaded machine): reported, and it makes testssl exit 1; the checks below must still pass.
      List<String> warnings = findings.stream().filter(f -> "WARN".equals(f.get("severity")))
          .map(f -> f.get("id") + ": " + f.get("finding")).toList();
      long scanConnections = s.accepted() - bystander.connections() - served;
      Report.line("testssl " + kind, "s", seconds, "exit", finished ? scan.exitValue() : "timeout",
          "connections", scanConnections, "flagged", flagged, "problems", problems,
          "testsslWarnings", warnings, "ciphers", ciphers, "stats", s);
      assertThat(finished).as("testssl finished within 8 minutes").isTrue();
      assertThat(scan.exitValue()).as(output).isIn(0, 1);
      assertThat(output).containsPattern("Done .* -->> 127\\.0\\.0\\.1:" + server.port());
      assertThat(flagged).as("findings other than the self-signed certificate's").isEmpty();
      assertThat(problems).as("findings of severity LOW or above in the JSON report").isEmpty();
      assertThat(findings).extracting(f -> f.get("id")).contains("secure_client_renego",
          "cipherlist_AVERAGE", "cert_chain_of_trust", "cert_revocation");
      for (Pattern t : TOLERATED) {
        assertThat(output.lines().anyMatch(l -> t.matcher(l).matches())).as(t.pattern()).isTrue();
      }
      assertThat(output).containsPattern(" TLS 1 +not offered").containsPattern(
          " TLS 1\\.1 +not offered").containsPattern(" TLS 1\\.2 +offered \\(OK\\)")
          .containsPattern(" TLS 1\\.3 +offered \\(OK\\)")
          .containsPattern("Obsolete CBC ciphers \\(AES, ARIA etc\\.\\) +not offered")
          .containsPattern("Strong encryption \\(AEAD ciphers\\) +offered \\(OK\\)")
          .containsPattern("Has server cipher order\\? +yes \\(OK\\)")
          .containsPattern("Secure Renegotiation \\(RFC 5746\\) +supported \\(OK\\)")
          .containsPattern("Secure Client-Initiated Renegotiation +not vulnerable \\(OK\\)");
      assertThat(ciphers).as("the suites the server accepted").hasSizeGreaterThanOrEqualTo(4)
          .allSatisfy(c -> assertThat(SHOP_POLICY.cipherSuites()).contains(c));
      assertThat(served).isEqualTo(1);
      assertThat(bystander.failures()).isEmpty();
      accounts.assertBalanced(s);
      assertThat(s.refused()).isZero();
      assertThat(scanConnections).as("connections of the scan").isGreaterThan(50);
    }
  }

  @ParameterizedTest(name = "{0}")
  @EnumSource(Kind.class)
  void clientRenegotiation_isAnsweredWithAFatalAlert_leaseReleased_booksBalance(Kind kind)
      throws Exception {
    assertThat(ClientRenegotiation.refusedByProvider(TlsProvider.JDK))
        .as("this module's JVM runs with -D" + ClientRenegotiation.PROPERTY + "=true").isTrue();
    Accounts accounts = new Accounts();
    Path pem = Certificates.SERVER.writePem(Files.createTempFile("tether-reliability", ".pem"));
    try (Container server = kind.start(new Setup().grace(Duration.ofMillis(300))
        .policy(SHOP_POLICY).listener(accounts))) {
      AssociationRegistry registry = server.registry();
      String output;
      int exit;
      try (OpenSslClient.Held held = new OpenSslClient(server.port(), "TLSv1.2", pem)
          .open(null, null)) {
        await().atMost(Duration.ofSeconds(10)).until(() -> registry.stats().leases() == 1);
        assertThat(held.renegotiate()).as("s_client ended").isTrue();
        output = held.output();
        exit = held.exitValue();
      }
      FaultTest.awaitQuiet(registry);

      AssociationStats s = registry.stats();
      Report.line("renegotiation " + kind, "exit", exit, "answer", output.lines()
          .filter(l -> l.contains("alert") || l.equals("closed")).toList(), "stats", s);
      // s_client prints the alert it received: handshake_failure is alert number 40.
      assertThat(output).contains("RENEGOTIATING").containsPattern(
          "alert handshake failure.*SSL alert number 40").doesNotContain("\nclosed");
      assertThat(exit).isEqualTo(1);
      accounts.assertBalanced(s);
      assertThat(s.accepted()).isEqualTo(1);
      assertThat(s.negotiated()).isEqualTo(1);
      assertThat(s.handshakeFailures() + s.closedBeforeHandshake()).as("not a failed handshake")
          .isZero();
    } finally {
      Files.deleteIfExists(pem);
    }
  }

  /**
   * Returns the findings of testssl's flat JSON report, an array of flat objects of string fields
   * ({@code id}, {@code severity}, {@code finding}, ...), one per line of the text report.
   */
  private static List<Map<String, String>> findings(Path json) throws IOException {
    List<Map<String, String>> findings = new ArrayList<>();
    for (Matcher o = OBJECT.matcher(Files.readString(json)); o.find(); ) {
      Map<String, String> fields = new HashMap<>();
      for (Matcher f = FIELD.matcher(o.group()); f.find(); ) {
        fields.put(f.group(1), f.group(2).replace("\\\"", "\"").replace("\\\\", "\\"));
      }
      findings.add(fields);
    }
    return findings;
  }

  /** The anonymous policy of the shop launcher's {@code strong-policy.conf}. */
  private static SaPolicy shopPolicy() {
    String resource = "dev/tether/shop/launcher/strong-policy.conf";
    try (InputStream in = ScannerTest.class.getClassLoader().getResourceAsStream(resource)) {
      assertThat(in).as(resource + " on the test class path").isNotNull();
      return PolicySet.parse(new String(in.readAllBytes(), StandardCharsets.UTF_8), resource)
          .anonymous();
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }
}
