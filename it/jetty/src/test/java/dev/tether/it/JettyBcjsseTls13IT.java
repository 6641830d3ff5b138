package dev.tether.it;

import dev.tether.tls.TlsProvider;
import org.jboss.arquillian.container.test.api.Deployment;
import org.jboss.arquillian.container.test.api.TargetsContainer;
import org.jboss.shrinkwrap.api.spec.WebArchive;

/**
 * The scenarios on Jetty 12.0 (Arquillian), provider bcjsse, clients offering TLSv1.3 only.
 *
 * <p>Bouncy Castle keeps no server-side TLS 1.3 sessions: every connection is its own SA.
 */
class JettyBcjsseTls13IT extends JettyScenarios {
  JettyBcjsseTls13IT() {
    super("jetty-bcjsse", TlsProvider.BCJSSE, "TLSv1.3");
  }

  @Deployment(name = ArquillianShop.DEPLOYMENT, managed = false, testable = false)
  @TargetsContainer("jetty-bcjsse")
  static WebArchive shopWar() {
    return ArquillianShop.war();
  }
}
