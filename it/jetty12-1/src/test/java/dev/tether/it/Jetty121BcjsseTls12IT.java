package dev.tether.it;

import dev.tether.tls.TlsProvider;

/**
 * The scenarios on Jetty 12.1 (embedded), provider bcjsse, clients offering TLSv1.2 only.
 */
class Jetty121BcjsseTls12IT extends EmbeddedJettyScenarios {
  Jetty121BcjsseTls12IT() {
    super(TlsProvider.BCJSSE, "TLSv1.2");
  }
}
