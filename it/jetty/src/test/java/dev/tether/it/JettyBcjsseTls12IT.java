package dev.tether.it;

import dev.tether.tls.TlsProvider;
import org.jboss.arquillian.container.test.api.Deployment;
import org.jboss.arquillian.container.test.api.TargetsContainer;
import org.jboss.shrinkwrap.api.spec.WebArchive;

/**
 * The scenarios on Jetty 12.0 (Arquillian), provider bcjsse, clients offering TLSv1.2 only.
 */
class JettyBcjsseTls12IT extends JettyScenarios {
  JettyBcjsseTls12IT() {
    super("jetty-bcjsse", TlsProvider.BCJSSE, "TLSv1.2");
  }

  @Deployment(name = ArquillianShop.DEPLOYMENT, managed = false, testable = false)
  @TargetsContainer("jetty-bcjsse")
  static WebArchive shopWar() {
    return ArquillianShop.war();
  }
}
