package dev.tether.boot;

/**
 * Tether refused to start: a {@code tether.*} property, a {@code server.*} property Tether cannot
 * run with, or a JVM flag. {@link TetherFailureAnalyzer} turns it into Spring Boot's failure report,
 * naming what to change.
 */
final class TetherConfigurationException extends IllegalStateException {
  private static final long serialVersionUID = 1L;

  private final String property;
  private final String action;

  /**
   * @param property what to change: a property ({@code tether.grace}) or a JVM flag
   *     ({@code -Djdk.tls.server.enableSessionTicketExtension})
   * @param description what is wrong, naming the property and its value
   * @param action what to do about it
   */
  TetherConfigurationException(String property, String description, String action,
      Throwable cause) {
    super(description, cause);
    this.property = property;
    this.action = action;
  }

  /** Returns the property or JVM flag to change. */
  String property() {
    return property;
  }

  /** Returns what to do. */
  String action() {
    return action;
  }
}
