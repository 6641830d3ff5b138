package dev.tether.boot;

import org.springframework.boot.web.server.ConfigurableWebServerFactory;

/** What both containers' customizers refuse before they change anything. */
final class WebServerChecks {
  private WebServerChecks() {
  }

  /**
   * Refuses HTTP/2: Tether's adapters follow HTTP/1.1 connections; an h2 stream's requests would
   * carry no SA.
   */
  static void http11Only(ConfigurableWebServerFactory factory, String container) {
    if (factory instanceof org.springframework.boot.web.server.AbstractConfigurableWebServerFactory f
        && f.getHttp2() != null && f.getHttp2().isEnabled()) {
      throw new TetherConfigurationException("server.http2.enabled",
          "server.http2.enabled=true, but Tether follows the HTTP/1.1 connections of the embedded "
              + container + " only: the requests of an HTTP/2 connection would carry no security"
              + " association",
          "Set server.http2.enabled=false, or tether.enabled=false to run HTTP/2 without Tether",
          null);
    }
  }
}
