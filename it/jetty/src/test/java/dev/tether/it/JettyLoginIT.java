package dev.tether.it;

import org.jboss.arquillian.container.test.api.ContainerController;
import org.jboss.arquillian.container.test.api.Deployer;
import org.jboss.arquillian.container.test.api.Deployment;
import org.jboss.arquillian.container.test.api.TargetsContainer;
import org.jboss.arquillian.junit5.ArquillianExtension;
import org.jboss.arquillian.test.api.ArquillianResource;
import org.jboss.shrinkwrap.api.spec.WebArchive;
import org.junit.jupiter.api.extension.ExtendWith;

/**
 * Scenario 6 on Jetty 12.0 (Arquillian), provider jdk, TLS 1.3: a FORM login (and a logout) flushes
 * the SA it arrived over before its response is sent, and the next connection negotiates.
 *
 * <p>Pending: {@code tether-jetty} does not see logins yet (login detection and policies are being
 * added to it), so this class fails today; {@code pom.xml} leaves it out of the build's run until
 * then. Run it alone with {@code mvn -B -pl it/jetty -am verify -Dit.test=JettyLoginIT
 * -Dfailsafe.failIfNoSpecifiedTests=false -Dtest=none -Dsurefire.failIfNoSpecifiedTests=false}.
 */
@ExtendWith(ArquillianExtension.class)
class JettyLoginIT implements LoginScenarios {
  private static final String CONTAINER = "jetty-jdk";

  @ArquillianResource
  private ContainerController controller;
  @ArquillianResource
  private Deployer deployer;

  @Deployment(name = ArquillianShop.DEPLOYMENT, managed = false, testable = false)
  @TargetsContainer(CONTAINER)
  static WebArchive shopWar() {
    return ArquillianShop.war();
  }

  @Override
  public TetherShop shop() {
    return ArquillianShop.start(controller, deployer, CONTAINER);
  }

  @Override
  public String protocol() {
    return "TLSv1.3";
  }
}
