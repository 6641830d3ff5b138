package dev.tether.boot;

import dev.tether.AssociationRegistry;
import dev.tether.tomcat.TomcatTetherProtocol;
import dev.tether.tomcat.TomcatTetherValve;
import org.springframework.boot.tomcat.TomcatProtocolHandlerCustomizer;
import org.springframework.boot.tomcat.TomcatWebServerFactory;
import org.springframework.boot.tomcat.servlet.TomcatServletWebServerFactory;
import org.springframework.boot.web.server.WebServerFactoryCustomizer;
import org.springframework.core.Ordered;

/**
 * Puts Tether on the embedded Tomcat's HTTPS connector: its protocol becomes
 * {@link TomcatTetherProtocol} serving the application's registry, and {@link TomcatTetherValve} goes
 * into the Engine's pipeline (request attributes, the 421 for a deleted SA, the connection's close
 * after a login that deleted its SA). Additional connectors the application adds are left alone.
 *
 * <p>Runs late among the factory's customizers, so that it sees the final protocol and HTTP/2 choice.
 */
final class TomcatTetherCustomizer
    implements WebServerFactoryCustomizer<TomcatServletWebServerFactory>, Ordered {
  private final AssociationRegistry registry;
  private final TetherSettings settings;

  TomcatTetherCustomizer(AssociationRegistry registry, TetherSettings settings) {
    this.registry = registry;
    this.settings = settings;
  }

  @Override
  public void customize(TomcatServletWebServerFactory factory) {
    String protocol = factory.getProtocol();
    if (!protocol.equals(TomcatWebServerFactory.DEFAULT_PROTOCOL)
        && !protocol.equals(TomcatTetherProtocol.class.getName())) {
      throw new TetherConfigurationException("tether.enabled",
          "the Tomcat connector's protocol is " + protocol + ", but Tether extends "
              + TomcatWebServerFactory.DEFAULT_PROTOCOL,
          "Leave the connector's protocol to Tether, or set tether.enabled=false", null);
    }
    factory.setProtocol(TomcatTetherProtocol.class.getName());
    factory.addProtocolHandlerCustomizers(new UseRegistry(registry, settings));
    factory.addEngineValves(new TomcatTetherValve());
  }

  @Override
  public int getOrder() {
    return Ordered.LOWEST_PRECEDENCE - 10;
  }

  /** Gives the connector's protocol the application's registry. */
  private record UseRegistry(AssociationRegistry registry, TetherSettings settings)
      implements TomcatProtocolHandlerCustomizer<TomcatTetherProtocol> {
    @Override
    public void customize(TomcatTetherProtocol protocol) {
      protocol.useRegistry(registry, settings.adapterSettings());
    }
  }
}
