package dev.tether.tomcat;

import dev.tether.RegistryBuilder;
import java.util.function.UnaryOperator;
import org.apache.catalina.connector.Connector;

/** Gives a Tether connector's registry builder a cluster in tests, before the connector starts. */
public final class TomcatRegistryHook {
  private TomcatRegistryHook() {
  }

  public static void customize(Connector connector, UnaryOperator<RegistryBuilder> customizer) {
    ((TomcatTetherProtocol) connector.getProtocolHandler()).registryCustomizer = customizer;
  }
}
