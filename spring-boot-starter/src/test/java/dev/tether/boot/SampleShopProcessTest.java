package dev.tether.boot;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import dev.tether.boot.sample.SampleShop;
import dev.tether.testing.OpenSslClient;
import dev.tether.testing.OpenSslClient.Handshake;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The sample application in a JVM of its own, started from the command line as a user would: without
 * Tether's JVM flags it exits with Spring Boot's failure report saying which flags to add; with
 * them it serves TLS with Tether (openssl resumes) and stops cleanly on SIGTERM.
 */
class SampleShopProcessTest {

  @Test
  void withoutTheJvmFlags_theApplicationExits_withTheReportNamingThem(@TempDir Path dir)
      throws Exception {
    Process shop = start(dir, List.of());
    assertThat(shop.waitFor(120, TimeUnit.SECONDS)).isTrue();
    String output = Files.readString(dir.resolve("out.log"));
    assertThat(shop.exitValue()).as(output).isNotZero();
    assertThat(output).contains("APPLICATION FAILED TO START")
        .contains("Start the JVM with -Djdk.tls.server.enableSessionTicketExtension=false"
            + " -Djdk.tls.rejectClientInitiatedRenegotiation=true");
  }

  @Test
  void withTheJvmFlags_theApplicationServesTlsWithTether_andStopsOnSigterm(@TempDir Path dir)
      throws Exception {
    Process shop = start(dir, List.of("-Djdk.tls.server.enableSessionTicketExtension=false",
        "-Djdk.tls.rejectClientInitiatedRenegotiation=true"));
    try {
      Path log = dir.resolve("out.log");
      Pattern started = Pattern.compile("Tomcat started on port (\\d+) \\(https\\)");
      int[] port = {0};
      await().atMost(Duration.ofSeconds(120)).until(() -> {
        assertThat(shop.isAlive()).as("the shop runs").isTrue();
        Matcher m = started.matcher(Files.readString(log));
        port[0] = m.find() ? Integer.parseInt(m.group(1)) : 0;
        return port[0] > 0;
      });
      assertThat(Files.readString(log)).contains("Tether tracks TLS connections on")
          .doesNotContain("WARN");
      OpenSslClient openssl = new OpenSslClient(port[0], "TLSv1.3", TestTls.PEM, "127.0.5.1", "/");
      assertThat(openssl.request(null, dir.resolve("1")).handshake()).isEqualTo(Handshake.NEW);
      assertThat(openssl.request(dir.resolve("1"), null).handshake()).isEqualTo(Handshake.REUSED);
    } finally {
      shop.destroy();
      assertThat(shop.waitFor(60, TimeUnit.SECONDS)).isTrue();
    }
    assertThat(Files.readString(dir.resolve("out.log")))
        .contains("Tether registry 'default' closed; 1 SA(s) deleted");
  }

  /** Starts the sample shop with the JVM options given, its output in {@code dir/out.log}. */
  private static Process start(Path dir, List<String> jvmOptions) throws IOException {
    Path classpath = Files.writeString(dir.resolve("classpath"),
        System.getProperty("java.class.path"), StandardCharsets.UTF_8);
    List<String> command = new ArrayList<>(List.of(
        Path.of(System.getProperty("java.home"), "bin", "java").toString()));
    command.addAll(jvmOptions);
    command.addAll(List.of("-cp", "@" + classpath, SampleShop.class.getName(),
        "--server.port=0", "--spring.main.banner-mode=off",
        "--tether.policies=classpath:sample-policies.conf",
        "--spring.autoconfigure.exclude="
            + "org.springframework.boot.jetty.autoconfigure.servlet.JettyServletWebServerAutoConfiguration"));
    for (String p : TestTls.serverSsl()) {
      command.add("--" + p);
    }
    return new ProcessBuilder(command).redirectErrorStream(true)
        .redirectOutput(dir.resolve("out.log").toFile()).start();
  }
}
