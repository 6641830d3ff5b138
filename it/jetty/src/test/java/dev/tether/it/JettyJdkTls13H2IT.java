package dev.tether.it;

import dev.tether.tls.TlsProvider;
import org.jboss.arquillian.container.test.api.Deployment;
import org.jboss.arquillian.container.test.api.TargetsContainer;
import org.jboss.shrinkwrap.api.spec.WebArchive;

/**
 * The scenarios on Jetty 12.0 (Arquillian), provider jdk, clients offering TLSv1.3 only and speaking HTTP/2
 * (ALPN h2).
 */
class JettyJdkTls13H2IT extends JettyScenarios {
  JettyJdkTls13H2IT() {
    super("jetty-jdk", TlsProvider.JDK, "TLSv1.3", true);
  }

  @Deployment(name = ArquillianShop.DEPLOYMENT, managed = false, testable = false)
  @TargetsContainer("jetty-jdk")
  static WebArchive shopWar() {
    return ArquillianShop.war();
  }
}
