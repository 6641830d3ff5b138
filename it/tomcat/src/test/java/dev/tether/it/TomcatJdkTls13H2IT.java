package dev.tether.it;

import dev.tether.tls.TlsProvider;
import org.jboss.arquillian.container.test.api.Deployment;
import org.jboss.arquillian.container.test.api.TargetsContainer;
import org.jboss.shrinkwrap.api.spec.WebArchive;

/**
 * The scenarios on Tomcat 11 (Arquillian), provider jdk, clients offering TLSv1.3 only and speaking HTTP/2
 * (ALPN h2).
 */
class TomcatJdkTls13H2IT extends TomcatScenarios {
  TomcatJdkTls13H2IT() {
    super("tomcat-jdk", TlsProvider.JDK, "TLSv1.3", true);
  }

  @Deployment(name = ArquillianShop.DEPLOYMENT, managed = false, testable = false)
  @TargetsContainer("tomcat-jdk")
  static WebArchive shopWar() {
    return ArquillianShop.war();
  }
}
