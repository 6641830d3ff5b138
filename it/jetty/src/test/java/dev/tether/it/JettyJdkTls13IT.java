package dev.tether.it;

import dev.tether.tls.TlsProvider;
import org.jboss.arquillian.container.test.api.Deployment;
import org.jboss.arquillian.container.test.api.TargetsContainer;
import org.jboss.shrinkwrap.api.spec.WebArchive;

/**
 * The scenarios on Jetty 12.0 (Arquillian), provider jdk, clients offering TLSv1.3 only.
 */
class JettyJdkTls13IT extends JettyScenarios {
  JettyJdkTls13IT() {
    super("jetty-jdk", TlsProvider.JDK, "TLSv1.3");
  }

  @Deployment(name = ArquillianShop.DEPLOYMENT, managed = false, testable = false)
  @TargetsContainer("jetty-jdk")
  static WebArchive shopWar() {
    return ArquillianShop.war();
  }
}
