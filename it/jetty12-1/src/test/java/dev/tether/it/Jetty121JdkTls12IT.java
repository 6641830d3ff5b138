package dev.tether.it;

import dev.tether.tls.TlsProvider;

/**
 * The scenarios on Jetty 12.1 (embedded), provider jdk, clients offering TLSv1.2 only.
 */
class Jetty121JdkTls12IT extends EmbeddedJettyScenarios {
  Jetty121JdkTls12IT() {
    super(TlsProvider.JDK, "TLSv1.2");
  }
}
