package dev.tether.it;

import dev.tether.tls.TlsProvider;
import org.jboss.arquillian.container.test.api.Deployment;
import org.jboss.arquillian.container.test.api.TargetsContainer;
import org.jboss.shrinkwrap.api.spec.WebArchive;

/**
 * The scenarios on Tomcat 11 (Arquillian), provider bcjsse, clients offering TLSv1.2 only.
 */
class TomcatBcjsseTls12IT extends TomcatScenarios {
  TomcatBcjsseTls12IT() {
    super("tomcat-bcjsse", TlsProvider.BCJSSE, "TLSv1.2");
  }

  @Deployment(name = ArquillianShop.DEPLOYMENT, managed = false, testable = false)
  @TargetsContainer("tomcat-bcjsse")
  static WebArchive shopWar() {
    return ArquillianShop.war();
  }
}
