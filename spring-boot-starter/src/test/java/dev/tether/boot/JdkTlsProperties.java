package dev.tether.boot;

import dev.tether.tls.ClientRenegotiation;
import dev.tether.tls.StatefulSessions;

/**
 * Sets the JDK's two TLS properties Tether checks for the length of a start, then restores them.
 * The JDK read its own values when its TLS classes initialised in this JVM: only Tether's checks
 * see these, which is what the tests look at.
 */
final class JdkTlsProperties {
  private JdkTlsProperties() {
  }

  /**
   * @param tickets {@value StatefulSessions#PROPERTY}, or {@code null} to clear it
   * @param renegotiation {@value ClientRenegotiation#PROPERTY}, or {@code null} to clear it
   */
  static void with(String tickets, String renegotiation, Runnable body) {
    String ticketsBefore = System.getProperty(StatefulSessions.PROPERTY);
    String renegotiationBefore = System.getProperty(ClientRenegotiation.PROPERTY);
    set(StatefulSessions.PROPERTY, tickets);
    set(ClientRenegotiation.PROPERTY, renegotiation);
    try {
      body.run();
    } finally {
      set(StatefulSessions.PROPERTY, ticketsBefore);
      set(ClientRenegotiation.PROPERTY, renegotiationBefore);
    }
  }

  private static void set(String name, String value) {
    if (value == null) {
      System.clearProperty(name);
    } else {
      System.setProperty(name, value);
    }
  }
}
