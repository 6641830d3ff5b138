package dev.tether.boot;

import dev.tether.AssociationRegistry;
import dev.tether.jetty.JettyTether;
import dev.tether.servlet.TetherAttributes;
import dev.tether.tomcat.TomcatTetherProtocol;
import jakarta.servlet.DispatcherType;
import org.springframework.beans.factory.ObjectProvider;
import org.springframework.boot.autoconfigure.AutoConfiguration;
import org.springframework.boot.autoconfigure.condition.ConditionalOnBean;
import org.springframework.boot.autoconfigure.condition.ConditionalOnBooleanProperty;
import org.springframework.boot.autoconfigure.condition.ConditionalOnClass;
import org.springframework.boot.autoconfigure.condition.ConditionalOnWebApplication;
import org.springframework.boot.autoconfigure.condition.ConditionalOnWebApplication.Type;
import org.springframework.boot.context.properties.EnableConfigurationProperties;
import org.springframework.boot.jetty.servlet.JettyServletWebServerFactory;
import org.springframework.boot.tomcat.servlet.TomcatServletWebServerFactory;
import org.springframework.boot.web.servlet.FilterRegistrationBean;
import org.springframework.boot.web.servlet.ServletContextInitializer;
import org.springframework.context.annotation.Bean;
import org.springframework.context.annotation.Conditional;
import org.springframework.context.annotation.Configuration;
import org.springframework.core.io.ResourceLoader;

/**
 * Tether in Spring Boot's embedded Tomcat or Jetty, when the server serves HTTPS
 * ({@code server.ssl.*}) and {@code tether.enabled} is not {@code false}.
 *
 * <ul>
 *   <li>One {@link AssociationRegistry} bean, built from the {@code tether.*} properties and
 *       {@link TetherRegistryCustomizer}s, closed with the application context; the HTTPS connector
 *       serves its TLS connections from it.
 *   <li>Tomcat: the connector's protocol becomes {@code TomcatTetherProtocol} and
 *       {@code TomcatTetherValve} joins the Engine. Jetty: a {@code JettyTether} bean on the TLS
 *       connectors.
 *   <li>A filter ahead of Spring Security's ({@code TetherLoginFilter}, which also keeps the
 *       request at hand for {@link TetherSecurityAutoConfiguration}), and the registry as the
 *       servlet context attribute {@code dev.tether.registry}.
 * </ul>
 *
 * <p>A refused property, or a JVM without the flags Tether needs, stops the start with a failure
 * analysis naming what to change.
 */
@AutoConfiguration(afterName = {
    "org.springframework.boot.tomcat.autoconfigure.servlet.TomcatServletWebServerAutoConfiguration",
    "org.springframework.boot.jetty.autoconfigure.servlet.JettyServletWebServerAutoConfiguration"})
@ConditionalOnWebApplication(type = Type.SERVLET)
@ConditionalOnClass(name = "org.springframework.boot.web.server.Ssl")
@ConditionalOnBooleanProperty(name = "tether.enabled", matchIfMissing = true)
@Conditional(OnSslCondition.class)
@EnableConfigurationProperties(TetherProperties.class)
public final class TetherAutoConfiguration {
  /**
   * Before Spring Security's filter ({@code -100}) and the request context filter ({@code -105}),
   * after the character encoding filter: Spring Boot's {@code OrderedFilter} orders.
   */
  static final int FILTER_ORDER = -110;

  @Bean
  TetherSettings tetherSettings(TetherProperties properties, ResourceLoader resources) {
    TetherSettings settings = TetherSettings.of(properties, resources);
    settings.checkJvm();
    return settings;
  }

  @Bean(destroyMethod = "close")
  AssociationRegistry tetherRegistry(TetherSettings settings,
      ObjectProvider<TetherRegistryCustomizer> customizers) {
    return settings.buildRegistry(customizers.orderedStream().toList());
  }

  @Bean
  RegistryLifecycle tetherRegistryLifecycle(AssociationRegistry registry) {
    return new RegistryLifecycle(registry);
  }

  @Bean
  TetherRequestFilter tetherRequestFilter() {
    return new TetherRequestFilter();
  }

  @Bean
  FilterRegistrationBean<TetherRequestFilter> tetherRequestFilterRegistration(
      TetherRequestFilter filter) {
    FilterRegistrationBean<TetherRequestFilter> registration = new FilterRegistrationBean<>(filter);
    registration.setName("tetherRequestFilter");
    registration.setOrder(FILTER_ORDER);
    registration.setAsyncSupported(true);
    registration.setDispatcherTypes(DispatcherType.REQUEST, DispatcherType.ASYNC,
        DispatcherType.ERROR);
    return registration;
  }

  @Bean
  ServletContextInitializer tetherServletContext(AssociationRegistry registry) {
    return context -> context.setAttribute(TetherAttributes.REGISTRY, registry);
  }

  /** Embedded Tomcat. */
  @Configuration(proxyBeanMethods = false)
  @ConditionalOnClass({TomcatServletWebServerFactory.class, TomcatTetherProtocol.class})
  @ConditionalOnBean(TomcatServletWebServerFactory.class)
  static class TomcatConfiguration {
    @Bean
    TomcatTetherCustomizer tetherTomcatCustomizer(AssociationRegistry registry,
        TetherSettings settings) {
      return new TomcatTetherCustomizer(registry, settings);
    }
  }

  /** Embedded Jetty. */
  @Configuration(proxyBeanMethods = false)
  @ConditionalOnClass({JettyServletWebServerFactory.class, JettyTether.class})
  @ConditionalOnBean(JettyServletWebServerFactory.class)
  static class JettyConfiguration {
    @Bean
    JettyTetherCustomizer tetherJettyCustomizer(AssociationRegistry registry,
        TetherSettings settings) {
      return new JettyTetherCustomizer(registry, settings);
    }
  }
}
