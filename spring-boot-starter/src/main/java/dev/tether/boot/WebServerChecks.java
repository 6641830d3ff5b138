package dev.tether.boot;

import org.springframework.boot.web.server.ConfigurableWebServerFactory;

/** What both containers' customizers refuse before they change anything. */
final class WebServerChecks {
  private WebServerChecks() {
  }

  /**
   * Refuses HTTP/2 for now: Tether's adapters follow h2 (README, "HTTP/2"), but the starter has not
   * been tested with Spring Boot's HTTP/2 set-up of either container (and Jetty's ALPN refuses
   * {@code tether.provider=bcjsse}).
   */
  static void http11Only(ConfigurableWebServerFactory factory, String container) {
    if (factory instanceof org.springframework.boot.web.server.AbstractConfigurableWebServerFactory f
        && f.getHttp2() != null && f.getHttp2().isEnabled()) {
      throw new TetherConfigurationException("server.http2.enabled",
          "server.http2.enabled=true, but the Tether starter does not follow HTTP/2 on the embedded "
              + container + " yet: Tether's adapters do, the starter's set-up is not tested",
          "Set server.http2.enabled=false, or tether.enabled=false to run HTTP/2 without Tether",
          null);
    }
  }
}
