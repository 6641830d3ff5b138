package dev.tether.it;

import dev.tether.certificates.SelfSignedCertificate;
import dev.tether.jetty.JettyTetherLoginService;
import dev.tether.tls.TlsProvider;
import java.io.IOException;
import java.lang.reflect.Field;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import org.eclipse.jetty.security.LoginService;
import org.eclipse.jetty.server.Server;
import org.jboss.arquillian.container.spi.Container;
import org.jboss.arquillian.container.spi.client.container.DeployableContainer;
import org.jboss.arquillian.container.spi.event.container.AfterStart;
import org.jboss.arquillian.container.spi.event.container.AfterStop;
import org.jboss.arquillian.container.spi.event.container.BeforeStart;
import org.jboss.arquillian.core.api.Instance;
import org.jboss.arquillian.core.api.annotation.Inject;
import org.jboss.arquillian.core.api.annotation.Observes;
import org.jboss.arquillian.core.spi.LoadableExtension;

/**
 * Installs Tether into the Jetty 12.0 server of Arquillian's embedded Jetty adapter, the way a user
 * installs {@code tether-jetty}: {@link JettyShopSetup} adds the {@code JettyTether} beans before the
 * server starts. Registered in
 * {@code META-INF/services/org.jboss.arquillian.core.spi.LoadableExtension}.
 *
 * <p>The adapter makes the HTTPS connector from the container's {@code ssl}, {@code keystorePath} and
 * {@code keystorePassword} properties; before it starts, this extension writes a certificate made for
 * the test to that key store. The adapter offers no hook between creating its {@code Server} and
 * starting it, and keeps the server in a private field: after it started, this extension reads that
 * field, stops the server (nothing is deployed yet), wraps the realm the adapter added in
 * {@code JettyTetherLoginService}, installs Tether and starts it again. The TLS
 * provider is the last part of the container's name ({@code jetty-jdk}, {@code jetty-bcjsse}).
 *
 * <p>Arquillian calls the observers on the test thread, one container event at a time.
 */
public final class JettyTetherExtension implements LoadableExtension {
  @Override
  public void register(ExtensionBuilder builder) {
    builder.observer(Installer.class);
  }

  /** The observer of the container's lifecycle. */
  public static final class Installer {
    @Inject
    private Instance<Container> container;

    private SelfSignedCertificate certificate;

    public void writeKeyStore(@Observes BeforeStart event) throws IOException {
      Map<String, String> properties = container.get().getContainerConfiguration()
          .getContainerProperties();
      String path = properties.get("keystorePath");
      String password = properties.get("keystorePassword");
      if (!"true".equals(properties.get("ssl")) || path == null || password == null) {
        throw new IllegalStateException("container " + container.get().getName()
            + " must set ssl=true, keystorePath and keystorePassword in arquillian.xml");
      }
      certificate = SelfSignedCertificate.loadOrCreate(Path.of(path), password.toCharArray());
    }

    public void installTether(@Observes AfterStart event) throws Exception {
      String name = container.get().getName();
      TlsProvider provider = TlsProvider.parse("container name " + name,
          name.substring(name.lastIndexOf('-') + 1));
      Server server = serverOf(event.getDeployableContainer());
      server.stop();
      wrapRealms(server);
      JettyShopSetup setup = JettyShopSetup.install(server, provider, certificate,
          "Jetty " + Server.getVersion() + " (Arquillian), provider " + provider.settingValue());
      server.start();
      TetherShops.publish(name, setup.started());
    }

    public void forget(@Observes AfterStop event) {
      TetherShops.remove(container.get().getName());
    }

    /**
     * Wraps the realm the adapter made from {@code realmProperties} (a bean of the Server, which the
     * web application's security handler finds by its name) in {@link JettyTetherLoginService}, as
     * the README's Jetty XML does, so that a FORM login is reported before its redirect.
     */
    private static void wrapRealms(Server server) {
      List<LoginService> realms = server.getBeans(LoginService.class).stream()
          .filter(realm -> !(realm instanceof JettyTetherLoginService)).toList();
      if (realms.isEmpty()) {
        throw new IllegalStateException("the adapter made no realm: set realmProperties");
      }
      for (LoginService realm : realms) {
        server.removeBean(realm);
        server.addBean(JettyTetherLoginService.wrap(realm));
      }
    }

    private static Server serverOf(DeployableContainer<?> adapter) throws ReflectiveOperationException {
      Field field = adapter.getClass().getDeclaredField("server");
      field.setAccessible(true);
      return (Server) field.get(adapter);
    }
  }
}
