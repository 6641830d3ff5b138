package dev.tether.boot;

import dev.tether.RegistryBuilder;

/**
 * Adjusts the registry the starter builds from the {@code tether.*} properties before it is built:
 * listeners, a scheduler, a driver, time for tests. Beans of this type are applied in their
 * {@link org.springframework.core.annotation.Order order}.
 *
 * <pre>{@code
 * @Bean
 * TetherRegistryCustomizer auditLogins(Audit audit) {
 *   return builder -> builder.listener(audit::associationEvent);
 * }
 * }</pre>
 *
 * <p>The registry's name stays {@code tether.registry-name}: the connectors check it.
 */
@FunctionalInterface
public interface TetherRegistryCustomizer {
  /** Adjusts the builder, already configured from the properties. */
  void customize(RegistryBuilder builder);
}
