package dev.tether.boot;

import dev.tether.AssociationRegistry;
import dev.tether.internal.Setting;
import org.springframework.boot.actuate.autoconfigure.endpoint.condition.ConditionalOnAvailableEndpoint;
import org.springframework.boot.actuate.endpoint.annotation.Endpoint;
import org.springframework.boot.autoconfigure.AutoConfiguration;
import org.springframework.boot.autoconfigure.condition.ConditionalOnBean;
import org.springframework.boot.autoconfigure.condition.ConditionalOnClass;
import org.springframework.boot.health.autoconfigure.contributor.ConditionalOnEnabledHealthIndicator;
import org.springframework.boot.health.contributor.HealthIndicator;
import org.springframework.context.annotation.Bean;
import org.springframework.context.annotation.Configuration;

/**
 * Tether in Spring Boot Actuator: the {@code tether} endpoint ({@link TetherEndpoint}) and the
 * {@code tether} health indicator ({@link TetherHealthIndicator}).
 */
@AutoConfiguration(after = TetherAutoConfiguration.class)
@ConditionalOnBean(AssociationRegistry.class)
public final class TetherActuatorAutoConfiguration {

  /** The endpoint, when Actuator is there and the endpoint is enabled and exposed. */
  @Configuration(proxyBeanMethods = false)
  @ConditionalOnClass(Endpoint.class)
  @ConditionalOnAvailableEndpoint(TetherEndpoint.class)
  static class EndpointConfiguration {
    @Bean
    TetherEndpoint tetherEndpoint(AssociationRegistry registry) {
      return new TetherEndpoint(registry);
    }
  }

  /** The health indicator, unless {@code management.health.tether.enabled=false}. */
  @Configuration(proxyBeanMethods = false)
  @ConditionalOnClass(HealthIndicator.class)
  @ConditionalOnEnabledHealthIndicator("tether")
  static class HealthConfiguration {
    @Bean
    HealthIndicator tetherHealthIndicator(AssociationRegistry registry, TetherSettings settings) {
      return new TetherHealthIndicator(registry,
          settings.adapterSettings().flag(Setting.CLUSTER_REQUIRED));
    }
  }
}
