package dev.tether.boot;

import dev.tether.AssociationRegistry;
import dev.tether.micrometer.TetherMetrics;
import io.micrometer.core.instrument.Tags;
import io.micrometer.core.instrument.binder.MeterBinder;
import org.springframework.beans.factory.ListableBeanFactory;
import org.springframework.boot.autoconfigure.AutoConfiguration;
import org.springframework.boot.autoconfigure.condition.ConditionalOnBean;
import org.springframework.boot.autoconfigure.condition.ConditionalOnClass;
import org.springframework.context.annotation.Bean;

/**
 * Tether's meters ({@code tether.*}, see {@link TetherMetrics}) in the application's Micrometer
 * registries: a {@link MeterBinder} bean, which Spring Boot binds to every {@code MeterRegistry}
 * it configures. Tagged {@code registry} (the registry's name) and {@code container}
 * ({@code tomcat} or {@code jetty}).
 */
@AutoConfiguration(after = TetherAutoConfiguration.class)
@ConditionalOnClass({MeterBinder.class, TetherMetrics.class})
@ConditionalOnBean(AssociationRegistry.class)
public final class TetherMetricsAutoConfiguration {

  @Bean
  TetherMetrics tetherMetrics(AssociationRegistry registry, ListableBeanFactory beans) {
    String container = beans.containsBean("tetherTomcatCustomizer") ? "tomcat"
        : beans.containsBean("tetherJettyCustomizer") ? "jetty" : "none";
    return new TetherMetrics(registry, Tags.of("container", container));
  }
}
