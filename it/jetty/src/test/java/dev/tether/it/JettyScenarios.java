package dev.tether.it;

import dev.tether.tls.TlsProvider;
import org.jboss.arquillian.container.test.api.ContainerController;
import org.jboss.arquillian.container.test.api.Deployer;
import org.jboss.arquillian.junit5.ArquillianExtension;
import org.jboss.arquillian.test.api.ArquillianResource;
import org.junit.jupiter.api.extension.ExtendWith;

/** The scenarios on the shop WAR that Arquillian deploys into embedded Jetty 12.0. */
@ExtendWith(ArquillianExtension.class)
abstract class JettyScenarios extends ShopScenarios {
  @ArquillianResource
  private ContainerController controller;
  @ArquillianResource
  private Deployer deployer;
  private final String container;

  JettyScenarios(String container, TlsProvider provider, String protocol) {
    this(container, provider, protocol, false);
  }

  /** With shoppers speaking HTTP/2 if {@code http2}. */
  JettyScenarios(String container, TlsProvider provider, String protocol, boolean http2) {
    super(provider, protocol, http2);
    this.container = container;
  }

  @Override
  public TetherShop shop() {
    return ArquillianShop.start(controller, deployer, container);
  }

  @Override
  protected void stopContainer() {
    ArquillianShop.stop(controller, deployer, container);
  }
}
