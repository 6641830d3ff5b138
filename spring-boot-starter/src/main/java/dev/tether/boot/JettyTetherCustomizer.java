package dev.tether.boot;

import dev.tether.AssociationRegistry;
import dev.tether.internal.Setting;
import dev.tether.jetty.JettyTether;
import java.util.Arrays;
import org.eclipse.jetty.server.Connector;
import org.eclipse.jetty.server.SslConnectionFactory;
import org.springframework.boot.jetty.servlet.JettyServletWebServerFactory;
import org.springframework.boot.web.server.WebServerFactoryCustomizer;
import org.springframework.core.Ordered;

/**
 * Puts Tether on the embedded Jetty's TLS connectors: a {@link JettyTether} bean serving the
 * application's registry, with the TLS settings ({@code provider}, {@code require-stateful-sessions},
 * {@code renegotiation-allowed}) of the properties.
 *
 * <p>Spring Boot starts Jetty without its connectors and adds them when the application is ready, so
 * the bean is given the TLS connectors themselves rather than the server.
 */
final class JettyTetherCustomizer
    implements WebServerFactoryCustomizer<JettyServletWebServerFactory>, Ordered {
  private final AssociationRegistry registry;
  private final TetherSettings settings;

  JettyTetherCustomizer(AssociationRegistry registry, TetherSettings settings) {
    this.registry = registry;
    this.settings = settings;
  }

  @Override
  public void customize(JettyServletWebServerFactory factory) {
    if ("bcjsse".equals(settings.adapterSettings().text(Setting.PROVIDER))
        && factory.getHttp2() != null && factory.getHttp2().isEnabled()) {
      // Jetty's ALPN processor applies only to the JDK's own SSLEngine (README, "HTTP/2").
      throw new TetherConfigurationException("tether.provider",
          "tether.provider=bcjsse with server.http2.enabled=true on the embedded Jetty: Jetty has"
              + " no ALPN processor for Bouncy Castle's SSLEngine and would refuse every connection",
          "Set tether.provider=jdk for HTTP/2, or server.http2.enabled=false", null);
    }
    factory.addServerCustomizers(server -> {
      Connector[] tls = Arrays.stream(server.getConnectors())
          .filter(c -> c.getConnectionFactory(SslConnectionFactory.class) != null)
          .toArray(Connector[]::new);
      if (tls.length == 0) {
        throw new IllegalStateException("Tether found no TLS connector on the embedded Jetty");
      }
      JettyTether tether = new JettyTether(registry, tls);
      tether.setProvider(settings.adapterSettings().text(Setting.PROVIDER));
      tether.setRequireStatefulSessions(
          settings.adapterSettings().flag(Setting.REQUIRE_STATEFUL_SESSIONS));
      tether.setRenegotiationAllowed(settings.adapterSettings().flag(Setting.RENEGOTIATION_ALLOWED));
      server.addBean(tether);
    });
  }

  @Override
  public int getOrder() {
    return Ordered.LOWEST_PRECEDENCE - 10;
  }
}
