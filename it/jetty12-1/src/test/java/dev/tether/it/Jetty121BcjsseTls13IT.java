package dev.tether.it;

import dev.tether.tls.TlsProvider;

/**
 * The scenarios on Jetty 12.1 (embedded), provider bcjsse, clients offering TLSv1.3 only.
 *
 * <p>Bouncy Castle keeps no server-side TLS 1.3 sessions: every connection is its own SA.
 */
class Jetty121BcjsseTls13IT extends EmbeddedJettyScenarios {
  Jetty121BcjsseTls13IT() {
    super(TlsProvider.BCJSSE, "TLSv1.3");
  }
}
