package dev.tether.shop.launcher;

import java.util.Arrays;
import java.util.Locale;
import java.util.stream.Collectors;

/** The servlet containers the launcher can run the shop on. */
public enum Container {
  /** Embedded Jetty 12.1 (ee11), with {@code dev.tether.jetty.JettyTether} on its HTTPS connector. */
  JETTY("Jetty"),
  /** Embedded Tomcat 11, with {@code TomcatTetherProtocol} and {@code TomcatTetherValve}. */
  TOMCAT("Tomcat");

  private final String displayName;

  Container(String displayName) {
    this.displayName = displayName;
  }

  /** Returns the container's name as people write it, e.g. {@code Jetty}. */
  public String displayName() {
    return displayName;
  }

  /** Returns the option value that names this container, e.g. {@code jetty}. */
  public String optionValue() {
    return name().toLowerCase(Locale.ROOT);
  }

  /**
   * Returns the container named by an option value ({@code jetty} or {@code tomcat}, any case).
   *
   * @throws IllegalArgumentException naming the value and the known containers
   */
  public static Container parse(String value) {
    for (Container c : values()) {
      if (c.optionValue().equalsIgnoreCase(value == null ? "" : value.trim())) {
        return c;
      }
    }
    throw new IllegalArgumentException("unknown container '" + value + "': use "
        + Arrays.stream(values()).map(Container::optionValue).collect(Collectors.joining(" or ")));
  }
}
