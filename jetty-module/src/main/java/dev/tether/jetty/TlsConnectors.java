package dev.tether.jetty;

import static dev.tether.jetty.JettyTether.PROPERTY_PREFIX;

import dev.tether.tls.TlsProvider;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Collections;
import java.util.IdentityHashMap;
import java.util.Arrays;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Set;
import org.eclipse.jetty.server.ConnectionFactory;
import org.eclipse.jetty.server.Connector;
import org.eclipse.jetty.server.HttpConfiguration;
import org.eclipse.jetty.server.Server;
import org.eclipse.jetty.server.SslConnectionFactory;
import org.eclipse.jetty.util.component.ContainerLifeCycle;
import org.eclipse.jetty.util.ssl.SslContextFactory;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Finds the TLS connectors a {@link JettyTether} attaches to and prepares their
 * {@link SslContextFactory.Server}: the provider, renegotiation, and a check of the session timeout.
 * Everything is checked before anything is changed, so a failed start leaves the connectors as they
 * were. Called from the bean's start only.
 */
final class TlsConnectors {
  private static final Logger LOG = LoggerFactory.getLogger(JettyTether.class);

  private TlsConnectors() {}

  /** A connector and its {@code SslConnectionFactory}, which makes its TLS connections. */
  record Target(Connector connector, SslConnectionFactory sslConnectionFactory) {
    SslContextFactory.Server sslContextFactory() {
      return sslConnectionFactory.getSslContextFactory();
    }
  }

  /**
   * Returns the connectors to attach to: those given, or every TLS connector of the server, narrowed to
   * {@code connectorNames} when it is not empty.
   *
   * @throws IllegalArgumentException if a name matches no connector
   * @throws IllegalStateException if a connector chosen by name or given has no TLS, or none is left
   */
  static List<Target> resolve(Server server, List<Connector> given, String connectorNames) {
    Set<String> names = new LinkedHashSet<>();
    for (String n : connectorNames.split(",")) {
      if (!n.isBlank()) {
        names.add(n.trim());
      }
    }
    List<Connector> candidates = server != null ? Arrays.asList(server.getConnectors()) : given;
    List<Target> targets = new ArrayList<>();
    Set<String> found = new LinkedHashSet<>();
    for (Connector c : candidates) {
      if (!names.isEmpty() && !names.contains(c.getName())) {
        continue;
      }
      found.add(c.getName());
      SslConnectionFactory factory = sslConnectionFactoryOf(c);
      if (factory != null) {
        targets.add(new Target(c, factory));
      } else if (server == null || !names.isEmpty()) {
        throw new IllegalStateException("Tether cannot attach to connector " + label(c)
            + ": it has no SslConnectionFactory (TLS)");
      }
    }
    names.removeAll(found);
    if (!names.isEmpty()) {
      throw new IllegalArgumentException(PROPERTY_PREFIX + "connectorNames=" + connectorNames
          + " names no connector: " + names + " (connectors: " + names(candidates)
          + ")");
    }
    if (targets.isEmpty()) {
      throw new IllegalStateException("Tether found no TLS connector to attach to among "
          + names(candidates) + ": add one (the 'ssl' module) first");
    }
    return targets;
  }

  /**
   * Checks that each connector's TLS context factory runs on {@code provider} or can be switched to it,
   * and that Jetty can serve the connector's protocols on it (no ALPN on Bouncy Castle's engines).
   *
   * @throws IllegalStateException naming the setting, the connector and the provider in the way,
   *     or the jars missing for the provider
   */
  static void checkProvider(List<Target> targets, TlsProvider provider) {
    // Registering a provider changes nothing a failed start would have to undo.
    provider.install(PROPERTY_PREFIX + "provider");
    for (Target t : targets) {
      String current = t.sslContextFactory().getProvider();
      boolean fits = current == null ? provider == TlsProvider.JDK || !t.sslContextFactory().isStarted()
          : current.equals(provider.providerName());
      if (!fits) {
        throw new IllegalStateException(PROPERTY_PREFIX + "provider=" + provider.settingValue()
            + " but the SslContextFactory of connector " + label(t.connector()) + " "
            + (current == null ? "is already started with the default provider"
                : "uses provider " + current)
            + ": set the same provider on both");
      }
      if (provider == TlsProvider.BCJSSE && t.connector().getProtocols().contains("alpn")) {
        // ALPNServerConnectionFactory refuses every connection whose SSLEngine no ALPN processor
        // applies to, and Jetty's JDK processor applies only to the JDK's own engines.
        throw new IllegalStateException(PROPERTY_PREFIX + "provider=" + provider.settingValue()
            + " but connector " + label(t.connector()) + " offers ALPN (" + String.join(", ",
            t.connector().getProtocols()) + "): Jetty has no ALPN processor for Bouncy Castle's"
            + " SSLEngine and would refuse every connection; use provider=jdk for HTTP/2, or"
            + " remove the alpn and http2 modules from this connector");
      }
    }
  }

  /**
   * Prepares each connector's TLS context factory; {@link #checkProvider} must have passed.
   *
   * @param providerRefuses whether the provider answers a client's renegotiation with an alert
   *     itself ({@code ClientRenegotiation.check})
   */
  static void configure(List<Target> targets, TlsProvider provider, boolean renegotiationAllowed,
      boolean providerRefuses, Duration grace) {
    for (Target t : targets) {
      SslContextFactory.Server f = t.sslContextFactory();
      if (provider != TlsProvider.JDK && f.getProvider() == null) {
        f.setProvider(provider.providerName());
        f.setKeyManagerFactoryAlgorithm(provider.keyManagerAlgorithm());
        f.setTrustManagerFactoryAlgorithm(provider.keyManagerAlgorithm());
        LOG.info("Tether set TLS provider {} on connector {}", provider.providerName(),
            label(t.connector()));
      }
      if (!renegotiationAllowed) {
        // Jetty's own refusal comes first, before the engine reads the ClientHello, and closes with a
        // close_notify that clients and scanners take for an accepted renegotiation; a provider that
        // refuses answers with an alert, so Jetty lets it. SslConnectionFactory reads the flag for
        // every new connection, so this holds even when started.
        f.setRenegotiationAllowed(providerRefuses);
      }
      int timeout = f.getSslSessionTimeout();
      if (timeout > 0 && Duration.ofSeconds(timeout).compareTo(grace) < 0) {
        LOG.warn("Tether: the TLS session timeout of connector {} ({} s) is shorter than the grace"
            + " period ({} ms): clients cannot resume for the whole grace", label(t.connector()),
            timeout, grace.toMillis());
      }
    }
  }

  /**
   * Adds the customizer to every HTTP configuration of the connector's connection factories,
   * HTTP/1.1 and HTTP/2, whether they share one configuration or each has its own; once per
   * configuration, even where connectors share one. The HTTP/2 factories do not implement
   * {@link HttpConfiguration.ConnectionFactory}, but they, like the HTTP/1.1 one, hold their
   * configuration as a bean.
   */
  static void addCustomizer(Connector connector, HttpConfiguration.Customizer customizer) {
    for (HttpConfiguration config : configurations(connector)) {
      if (!config.getCustomizers().contains(customizer)) {
        config.addCustomizer(customizer);
      }
    }
  }

  /** Removes what {@link #addCustomizer} added. */
  static void removeCustomizer(Connector connector, HttpConfiguration.Customizer customizer) {
    for (HttpConfiguration config : configurations(connector)) {
      config.removeCustomizer(customizer);
    }
  }

  /** The HTTP configurations of the connector's connection factories, each once. */
  static Set<HttpConfiguration> configurations(Connector connector) {
    Set<HttpConfiguration> configs = Collections.newSetFromMap(new IdentityHashMap<>());
    for (ConnectionFactory f : connector.getConnectionFactories()) {
      if (f instanceof HttpConfiguration.ConnectionFactory http) {
        configs.add(http.getHttpConfiguration());
      }
      if (f instanceof ContainerLifeCycle container) {
        configs.addAll(container.getBeans(HttpConfiguration.class));
      }
    }
    if (connector instanceof ContainerLifeCycle container) {
      configs.addAll(container.getContainedBeans(HttpConfiguration.class));
    }
    return configs;
  }

  private static SslConnectionFactory sslConnectionFactoryOf(Connector connector) {
    SslConnectionFactory direct = connector.getConnectionFactory(SslConnectionFactory.class);
    if (direct != null) {
      return direct;
    }
    // Nested in a detecting factory (port unification).
    for (SslConnectionFactory f : connector.getContainedBeans(SslConnectionFactory.class)) {
      return f;
    }
    return null;
  }

  static List<String> names(List<Connector> connectors) {
    List<String> names = new ArrayList<>();
    for (Connector c : connectors) {
      names.add(c.getName() != null ? c.getName() : c.toString());
    }
    return names;
  }

  /**
   * The HTTP protocols the connectors offer over TLS, which Tether follows: {@code h2} and
   * {@code http/1.1}, in the connectors' order of preference.
   */
  static String httpProtocols(List<Connector> connectors) {
    Set<String> offered = new LinkedHashSet<>();
    for (Connector c : connectors) {
      for (String protocol : c.getProtocols()) {
        if (protocol.equals("h2") || protocol.equals("http/1.1")) {
          offered.add(protocol);
        }
      }
    }
    return String.join(", ", offered);
  }

  static String label(Connector c) {
    return c.getName() != null ? "'" + c.getName() + "'" : c.toString();
  }
}
