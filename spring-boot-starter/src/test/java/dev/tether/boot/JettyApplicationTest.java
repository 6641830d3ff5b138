package dev.tether.boot;

import static org.assertj.core.api.Assertions.assertThat;

import org.eclipse.jetty.util.Jetty;
import org.junit.jupiter.api.Test;
import org.springframework.test.context.TestPropertySource;

/** The sample shop on Spring Boot's embedded Jetty, the version Spring Boot 4.0.7 manages. */
@TestPropertySource(properties = "spring.autoconfigure.exclude="
    + "org.springframework.boot.tomcat.autoconfigure.servlet.TomcatServletWebServerAutoConfiguration")
class JettyApplicationTest extends ApplicationScenarios {

  @Override
  String container() {
    return "jetty";
  }

  @Test
  void runsOnTheJettySpringBootManages() {
    assertThat(Jetty.VERSION).isEqualTo("12.1.10");
  }
}
