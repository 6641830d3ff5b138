package dev.tether.boot;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.tether.AssociationRegistry;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;
import org.springframework.boot.SpringApplication;
import org.springframework.boot.SpringBootConfiguration;
import org.springframework.boot.WebApplicationType;
import org.springframework.boot.autoconfigure.EnableAutoConfiguration;
import org.springframework.boot.test.system.CapturedOutput;
import org.springframework.boot.test.system.OutputCaptureExtension;
import org.springframework.context.ConfigurableApplicationContext;

/**
 * Starting a real application (embedded Tomcat, port 0) as a user would: a good configuration
 * starts quietly with Tether on the HTTPS connector, with or without HTTP/2; a refused property, a
 * JVM without Tether's flags or Bouncy Castle with HTTP/2 on Jetty stop the start, and Spring Boot's
 * failure report names what to change.
 */
@ExtendWith(OutputCaptureExtension.class)
class TetherStartupTest {

  /** An application with nothing of its own: what the auto-configuration does alone. */
  @SpringBootConfiguration
  @EnableAutoConfiguration
  static class Plain {
  }

  @Test
  void goodConfiguration_startsTetherOnTheHttpsConnector_withoutAWarning(CapturedOutput output) {
    AssociationRegistry registry;
    try (ConfigurableApplicationContext context = run()) {
      registry = context.getBean(AssociationRegistry.class);
      assertThat(output.getAll()).contains("Tether tracks TLS connections on [\"https-jsse-nio")
          .contains("registry 'default', policies=PolicySet[default], anonymous grace=30s");
      assertThat(output.getAll().lines().filter(l -> l.contains(" WARN ")).toList())
          .noneMatch(l -> l.contains("ether"));
    }
    assertThat(registry.isClosed()).isTrue();
  }

  @Test
  void refusedProperty_stopsTheStart_andTheReportNamesIt(CapturedOutput output) {
    assertThatThrownBy(() -> run("tether.grace=-5s")).isInstanceOf(Exception.class);
    assertThat(output.getAll()).contains("APPLICATION FAILED TO START")
        .contains("Tether cannot start: tether.grace=-5s is invalid: expected a duration, 0 or"
            + " more: 0, 500ms, 30s, 15m, 2h, 1d, PT30S or milliseconds (30000)")
        .contains("Update tether.grace in the application's configuration");
  }

  @Test
  void valueOfTheWrongType_stopsTheStart_withSpringBootsOwnReportNamingIt(CapturedOutput output) {
    assertThatThrownBy(() -> run("tether.grace=soon")).isInstanceOf(Exception.class);
    assertThat(output.getAll()).contains("APPLICATION FAILED TO START")
        .contains("Failed to bind properties under 'tether.grace' to java.time.Duration");
  }

  @Test
  void statelessSessionTickets_stopTheStart_sayingExactlyWhichFlagsToAdd(CapturedOutput output) {
    JdkTlsProperties.with(null, null, () ->
        assertThatThrownBy(() -> run()).isInstanceOf(Exception.class));
    String flags = "-Djdk.tls.server.enableSessionTicketExtension=false"
        + " -Djdk.tls.rejectClientInitiatedRenegotiation=true";
    assertThat(output.getAll()).contains("APPLICATION FAILED TO START")
        .contains("Tether cannot start: the JDK's TLS server uses stateless session tickets"
            + " (jdk.tls.server.enableSessionTicketExtension=true, the default)")
        .contains("Start the JVM with " + flags)
        .contains("java " + flags + " -jar app.jar")
        .contains("or set tether.require-stateful-sessions=false to start with a warning instead");
  }

  @Test
  void http2OnTomcat_startsWithTetherFollowingH2() {
    try (ConfigurableApplicationContext context = run("server.http2.enabled=true")) {
      assertThat(context.getBean(AssociationRegistry.class).isClosed()).isFalse();
    }
  }

  @Test
  void bouncyCastleWithHttp2OnJetty_stopsTheStart_namingTheProvider(CapturedOutput output) {
    assertThatThrownBy(() -> start(TOMCAT, "server.http2.enabled=true", "tether.provider=bcjsse"))
        .isInstanceOf(Exception.class);
    assertThat(output.getAll()).contains("APPLICATION FAILED TO START")
        .contains("Tether cannot start: tether.provider=bcjsse with server.http2.enabled=true on"
            + " the embedded Jetty")
        .contains("Set tether.provider=jdk for HTTP/2, or server.http2.enabled=false");
  }

  private static final String JETTY =
      "org.springframework.boot.jetty.autoconfigure.servlet.JettyServletWebServerAutoConfiguration";
  private static final String TOMCAT =
      "org.springframework.boot.tomcat.autoconfigure.servlet.TomcatServletWebServerAutoConfiguration";

  /** Starts on the embedded Tomcat. */
  private static ConfigurableApplicationContext run(String... properties) {
    return start(JETTY, properties);
  }

  /** Starts without the auto-configuration {@code excluded} (the other container's). */
  private static ConfigurableApplicationContext start(String excluded, String... properties) {
    List<String> args = new ArrayList<>(List.of("--server.port=0",
        "--spring.autoconfigure.exclude=" + excluded,
        "--spring.main.banner-mode=off"));
    for (String p : TestTls.serverSsl()) {
      args.add("--" + p);
    }
    for (String p : properties) {
      args.add("--" + p);
    }
    SpringApplication app = new SpringApplication(Plain.class);
    app.setWebApplicationType(WebApplicationType.SERVLET);
    return app.run(args.toArray(String[]::new));
  }
}
