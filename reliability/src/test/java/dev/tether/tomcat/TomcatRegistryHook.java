package dev.tether.tomcat;

import dev.tether.RegistryBuilder;
import java.util.function.UnaryOperator;

/**
 * Lets the reliability tests shape the registry a {@link TomcatTetherProtocol} builds at each start
 * (driver, listeners, policy, refusal log interval), which server.xml attributes cannot express. It
 * uses the protocol's package-private customizer, so it lives in the protocol's package.
 */
public final class TomcatRegistryHook {
  private TomcatRegistryHook() {}

  /** Applies {@code customizer} to the registry builder of every later start of {@code protocol}. */
  public static void customize(TomcatTetherProtocol protocol,
      UnaryOperator<RegistryBuilder> customizer) {
    protocol.registryCustomizer = customizer;
  }
}
