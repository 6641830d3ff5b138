package dev.tether.shop.launcher;

import static org.assertj.core.api.Assertions.assertThat;

import dev.tether.certificates.SelfSignedCertificate;
import java.io.File;
import java.io.IOException;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The packaged {@code tether-shop.jar} as a user runs it: {@code java -jar} without Tether's JVM
 * option, in an empty working directory; then SIGTERM.
 */
class ShopJarIT {
  private static final Pattern STARTED =
      Pattern.compile("^Tether shop on (\\w+): https://localhost:(\\d+)/ ");

  @TempDir
  Path dir;

  private ShopProcess shop;

  @AfterEach
  void killLeftovers() {
    if (shop != null) {
      shop.close();
    }
  }

  @Test
  void jar_onJetty_servesHttpsWithStatefulSessions_andStopsCleanlyOnSigterm() throws Exception {
    int port = start("--port", "0");
    Path keystore = dir.resolve("tether-shop.p12");
    Shopper browser = new Shopper(java.net.URI.create("https://localhost:" + port + "/"),
        SelfSignedCertificate.loadOrCreate(keystore, "tether-shop".toCharArray()).clientContext());

    HttpResponse<String> home = browser.get("/");
    String tls12 = openssl(port, "-tls1_2");
    String renegotiation = renegotiate(port);
    String cbc = openssl(port, "-tls1_2", "-cipher", "ECDHE-ECDSA-AES128-SHA256");
    boolean exited = stop();

    assertThat(shop.stdout().get(0)).endsWith("(admin / tether-admin; customers alice / wonderland,"
        + " bob / builder)");
    assertThat(String.join("\n", shop.stdout())).contains("certificate:  " + keystore.toRealPath()
        + " (new, self-signed for localhost");
    assertThat(home.statusCode()).isEqualTo(200);
    assertThat(home.body()).contains("Hardware security key");
    // main() set jdk.tls.server.enableSessionTicketExtension=false in time: the JDK keeps TLS 1.2
    // sessions in its cache (a session id, no stateless ticket).
    assertThat(tls12).containsPattern("Session-ID: [0-9A-F]{64}")
        .doesNotContain("TLS session ticket");
    // ... and jdk.tls.rejectClientInitiatedRenegotiation=true: a fatal alert answers openssl's R.
    assertThat(renegotiation).contains("RENEGOTIATING").contains("alert handshake failure");
    // The strong policy: AEAD suites only, so a CBC suite gets no handshake.
    assertThat(tls12).contains("Cipher is ECDHE-ECDSA-AES256-GCM-SHA384");
    assertThat(cbc).contains("alert handshake failure").doesNotContain("Cipher is ECDHE");
    assertThat(String.join("\n", shop.stdout())).contains("SAs:          policy 'strong' for everybody");
    assertThat(shop.stderr()).doesNotContain("WARN");
    assertThat(exited).isTrue();
    assertThat(shop.process().exitValue()).isIn(0, 143);
    assertThat(shop.stdout()).contains("Tether shop on Jetty stopped");
    assertThat(Files.list(dir).map(p -> p.getFileName().toString())).containsOnly(
        "tether-shop.p12", "stderr.txt", "tmp");
    assertThat(Files.list(dir.resolve("tmp"))).as("temporary files left").isEmpty();
  }

  @Test
  void jar_onTomcat_logsInWithItsOwnServletApi_servesStaticFiles_andStopsCleanlyOnSigterm() throws Exception {
    int port = start("--container", "tomcat", "--port", "0", "--admin-password", "s3cret");
    Path keystore = dir.resolve("tether-shop.p12");
    var tls = SelfSignedCertificate.loadOrCreate(keystore, "tether-shop".toCharArray());
    Shopper alice = new Shopper(java.net.URI.create("https://localhost:" + port + "/"),
        tls.clientContext());
    Monitor admin = new Monitor(java.net.URI.create("https://localhost:" + port + "/"),
        tls.clientContext(), "s3cret");

    // FORM login ends in HttpServletResponse.sendRedirect(String, int), new in Servlet 6.1.
    HttpResponse<String> account = alice.login("/account", "alice", "wonderland");
    HttpResponse<String> stats = admin.get("/tether/stats");
    HttpResponse<String> css = alice.get("/static/shop.css");
    String renegotiation = renegotiate(port);
    boolean exited = stop();

    assertThat(account.statusCode()).isEqualTo(200);
    assertThat(account.uri().getPath()).isEqualTo("/account");
    assertThat(account.body()).contains("alice");
    assertThat(stats.statusCode()).isEqualTo(200);
    assertThat(stats.body()).contains("\"registry\":\"shop\"");
    assertThat(css.statusCode()).isEqualTo(200);
    assertThat(css.headers().firstValue("Content-Type")).hasValueSatisfying(
        type -> assertThat(type).startsWith("text/css"));
    assertThat(renegotiation).contains("RENEGOTIATING").contains("alert handshake failure");
    assertThat(exited).isTrue();
    assertThat(shop.process().exitValue()).isIn(0, 143);
    assertThat(shop.stdout()).contains("Tether shop on Tomcat stopped");
    assertThat(shop.stderr()).doesNotContain("NoSuchMethodError");
    assertThat(Files.list(dir.resolve("tmp"))).as("temporary files left").isEmpty();
  }

  /** Sends SIGTERM; returns whether the process exited, with all its output read. */
  private boolean stop() throws Exception {
    return shop.signal("TERM", Duration.ofSeconds(30));
  }

  /** Starts the jar in the test's directory and returns the port of its startup line. */
  private int start(String... args) throws IOException {
    shop = ShopProcess.start(dir, args);
    String first = shop.awaitLine(line -> true, Duration.ofSeconds(60)).get(0);
    Matcher m = STARTED.matcher(first);
    assertThat(m.find()).as("startup line: %s", first).isTrue();
    return Integer.parseInt(m.group(2));
  }

  /** {@code openssl s_client} to the shop, returning what it printed. */
  private String openssl(int port, String... options) throws Exception {
    List<String> command = new ArrayList<>(List.of("openssl", "s_client", "-connect",
        "127.0.0.1:" + port, "-servername", "localhost"));
    command.addAll(List.of(options));
    Process p = new ProcessBuilder(command)
        .redirectInput(ProcessBuilder.Redirect.from(new File("/dev/null")))
        .redirectErrorStream(true)
        .start();
    String output = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
    assertThat(p.waitFor(30, TimeUnit.SECONDS)).isTrue();
    return output;
  }

  /**
   * A TLS 1.2 connection on which {@code openssl s_client} asks to renegotiate ({@code R}) and keeps
   * its input open, so that it ends only when the server does something; returns what it printed.
   */
  private String renegotiate(int port) throws Exception {
    Process p = new ProcessBuilder("openssl", "s_client", "-connect", "127.0.0.1:" + port,
        "-servername", "localhost", "-tls1_2")
        .redirectErrorStream(true)
        .start();
    try {
      p.getOutputStream().write("R\n".getBytes(StandardCharsets.US_ASCII));
      p.getOutputStream().flush();
      assertThat(p.waitFor(30, TimeUnit.SECONDS)).as("s_client ended").isTrue();
      return new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
    } finally {
      p.destroyForcibly();
    }
  }
}
