package dev.tether.boot;

import static org.assertj.core.api.Assertions.assertThat;

import org.apache.catalina.util.ServerInfo;
import org.junit.jupiter.api.Test;
import org.springframework.test.context.TestPropertySource;

/** The sample shop on Spring Boot's embedded Tomcat, the version Spring Boot 4.0.7 manages. */
@TestPropertySource(properties = "spring.autoconfigure.exclude="
    + "org.springframework.boot.jetty.autoconfigure.servlet.JettyServletWebServerAutoConfiguration")
class TomcatApplicationTest extends ApplicationScenarios {

  @Override
  String container() {
    return "tomcat";
  }

  @Test
  void runsOnTheTomcatSpringBootManages() {
    assertThat(ServerInfo.getServerNumber()).startsWith("11.0.22.");
  }
}
