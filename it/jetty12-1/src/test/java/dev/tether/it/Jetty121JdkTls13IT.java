package dev.tether.it;

import dev.tether.tls.TlsProvider;

/**
 * The scenarios on Jetty 12.1 (embedded), provider jdk, clients offering TLSv1.3 only.
 */
class Jetty121JdkTls13IT extends EmbeddedJettyScenarios {
  Jetty121JdkTls13IT() {
    super(TlsProvider.JDK, "TLSv1.3");
  }
}
