package dev.tether.it;

import dev.tether.tls.TlsProvider;
import org.apache.catalina.Engine;
import org.apache.catalina.core.StandardContext;
import org.jboss.arquillian.container.spi.Container;
import org.jboss.arquillian.container.spi.event.container.AfterDeploy;
import org.jboss.arquillian.container.spi.event.container.AfterStop;
import org.jboss.arquillian.core.api.Instance;
import org.jboss.arquillian.core.api.annotation.Inject;
import org.jboss.arquillian.core.api.annotation.Observes;
import org.jboss.arquillian.core.spi.LoadableExtension;

/**
 * Installs Tether into the Tomcat 11 of Arquillian's embedded Tomcat adapter. The adapter has no
 * HTTPS option and no hook before its Tomcat starts, but after it deployed the WAR it publishes the
 * WAR's {@link StandardContext}; from it this extension reaches the Engine and its Service and adds
 * the HTTPS connectors, the valve and the realm ({@link TomcatShopSetup}), once per container start.
 * The TLS provider is the last part of the container's name ({@code tomcat-jdk},
 * {@code tomcat-bcjsse}). Registered in
 * {@code META-INF/services/org.jboss.arquillian.core.spi.LoadableExtension}.
 *
 * <p>Arquillian calls the observers on the test thread, one container event at a time.
 */
public final class TomcatTetherExtension implements LoadableExtension {
  @Override
  public void register(ExtensionBuilder builder) {
    builder.observer(Installer.class);
  }

  /** The observer of the container's deployments. */
  public static final class Installer {
    @Inject
    private Instance<Container> container;
    @Inject
    private Instance<StandardContext> context;

    public void installTether(@Observes AfterDeploy event) throws Exception {
      String name = container.get().getName();
      if (TetherShops.get(name) != null) {
        return;
      }
      TlsProvider provider = TlsProvider.parse("container name " + name,
          name.substring(name.lastIndexOf('-') + 1));
      Engine engine = (Engine) context.get().getParent().getParent();
      TetherShops.publish(name, TomcatShopSetup.install(engine, provider));
    }

    public void forget(@Observes AfterStop event) {
      TetherShops.remove(container.get().getName());
    }
  }
}
