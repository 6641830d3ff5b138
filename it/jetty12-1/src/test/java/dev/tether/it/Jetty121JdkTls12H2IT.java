package dev.tether.it;

import dev.tether.tls.TlsProvider;

/**
 * The scenarios on Jetty 12.1 (embedded), provider jdk, clients offering TLSv1.2 only and speaking
 * HTTP/2 (ALPN h2).
 */
class Jetty121JdkTls12H2IT extends EmbeddedJettyScenarios {
  Jetty121JdkTls12H2IT() {
    super(TlsProvider.JDK, "TLSv1.2", true);
  }
}
