package dev.tether.boot;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import dev.tether.AssociationRegistry;
import dev.tether.DeletionCause;
import dev.tether.boot.TlsBrowser.Response;
import dev.tether.boot.sample.SampleShop;
import dev.tether.testing.OpenSslClient;
import dev.tether.testing.OpenSslClient.Handshake;
import java.nio.file.Path;
import java.time.Duration;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;
import org.junit.jupiter.api.io.TempDir;
import org.springframework.beans.factory.annotation.Autowired;
import org.springframework.boot.test.context.SpringBootTest;
import org.springframework.boot.test.context.SpringBootTest.WebEnvironment;
import org.springframework.boot.test.system.CapturedOutput;
import org.springframework.boot.test.system.OutputCaptureExtension;
import org.springframework.boot.test.web.server.LocalServerPort;
import org.springframework.test.context.DynamicPropertyRegistry;
import org.springframework.test.context.DynamicPropertySource;

/**
 * The sample shop on Tomcat with other settings: no policy file and {@code tether.grace=0} (an SA
 * ends with its last connection), and Spring Security's strictest session fixation protection, a
 * new session at login.
 */
@SpringBootTest(classes = SampleShop.class, webEnvironment = WebEnvironment.RANDOM_PORT, properties = {
    "tether.grace=0",
    "sample.session-fixation=new",
    "logging.level.dev.tether.boot=DEBUG",
    "spring.autoconfigure.exclude="
        + "org.springframework.boot.jetty.autoconfigure.servlet.JettyServletWebServerAutoConfiguration"})
@ExtendWith(OutputCaptureExtension.class)
class TomcatVariantsTest {
  @LocalServerPort
  int port;
  @Autowired
  AssociationRegistry registry;

  @DynamicPropertySource
  static void serverSsl(DynamicPropertyRegistry properties) {
    ApplicationScenarios.serverSsl(properties);
  }

  @Test
  void graceZero_deletesTheSaAtItsLastClose_soOpensslCannotResume(@TempDir Path dir)
      throws Exception {
    OpenSslClient openssl = new OpenSslClient(port, "TLSv1.3", TestTls.PEM, "127.0.3.1", "/");
    assertThat(openssl.request(null, dir.resolve("1")).handshake()).isEqualTo(Handshake.NEW);
    await().atMost(Duration.ofSeconds(10)).until(() -> registry.stats().leases() == 0);
    assertThat(registry.stats().deletedByCause().get(DeletionCause.LAST_CLOSE)).isPositive();
    assertThat(openssl.request(dir.resolve("1"), null).handshake()).isEqualTo(Handshake.NEW);
  }

  @Test
  void formLogin_withANewSessionAtLogin_isOneLogin_andNoLogout(CapturedOutput output)
      throws Exception {
    String peer = "127.0.3.2";
    try (TlsBrowser browser = new TlsBrowser(TestTls.client(), port, peer)) {
      String before = browser.get("/").field("sa");
      String session = browser.get("/login").header("Set-Cookie");
      Response login = browser.formLogin("alice", "secret");
      assertThat(login.status()).isEqualTo(302);
      assertThat(login.header("Set-Cookie")).as("a new session").isNotNull().isNotEqualTo(session);
      assertThat(registry.find(before)).isEmpty();
      Response account = browser.get("/account");
      assertThat(account.field("user")).isEqualTo("alice");
      assertThat(account.field("policy")).isEqualTo("default");
    }
    assertThat(ApplicationScenarios.count(output, "login of alice from " + peer)).isEqualTo(1);
    assertThat(ApplicationScenarios.count(output, "logout of")).isZero();
  }
}
