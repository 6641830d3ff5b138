package dev.tether.tls;

import java.lang.System.Logger.Level;

/**
 * Checks how the TLS server answers a client that asks to renegotiate a TLS 1.2 connection.
 *
 * <p>A renegotiation could move a connection to a session its SA does not know, so Tether refuses it
 * ({@code renegotiationAllowed=false}, the default). How matters to clients and scanners: RFC 5746
 * and scanners such as testssl.sh expect an alert. The JDK answers with a fatal
 * {@code handshake_failure} alert only when the JVM runs with {@value #PROPERTY}{@code =true};
 * otherwise the container's own refusal closes the connection with a {@code close_notify} (Jetty) or
 * without any alert (Tomcat), which scanners report as a renegotiation the server accepted. Bouncy
 * Castle's provider never renegotiates and answers with a {@code no_renegotiation} alert.
 *
 * <p>The JDK reads the property once, when its server handshake classes initialise at the JVM's
 * first server-side TLS handshake, and keeps the value in a field of a package it does not export.
 * This class reads the property as the JDK does at that moment: set on the command line, or with
 * {@link System#setProperty} before the first handshake, the value seen here is the JDK's. A value
 * changed in a running JVM after its first server-side handshake is not seen by the JDK, and cannot
 * be seen from here.
 *
 * <p>Stateless; thread-safe.
 *
 * <pre>{@code
 * // at start-up, next to StatefulSessions.check:
 * boolean alert = ClientRenegotiation.check(provider, renegotiationAllowed, "renegotiationAllowed");
 * }</pre>
 */
public final class ClientRenegotiation {
  /** The JDK system property that makes its TLS server refuse client-initiated renegotiation. */
  public static final String PROPERTY = "jdk.tls.rejectClientInitiatedRenegotiation";

  private static final System.Logger LOG = System.getLogger(ClientRenegotiation.class.getName());

  private ClientRenegotiation() {}

  /**
   * Returns whether the provider itself answers a client-initiated renegotiation with an alert:
   * Bouncy Castle always, the JDK when {@value #PROPERTY} is {@code true} (any case, as the JDK
   * reads it).
   *
   * @throws IllegalStateException on the JDK provider, if the property is neither {@code true} nor
   *     {@code false}: the JDK then fails every server-side TLS handshake
   */
  public static boolean refusedByProvider(TlsProvider provider) {
    if (provider != TlsProvider.JDK) {
      return true;
    }
    String value = System.getProperty(PROPERTY);
    if (value == null || value.equalsIgnoreCase("false")) {
      return false;
    }
    if (value.equalsIgnoreCase("true")) {
      return true;
    }
    throw new IllegalStateException("Tether cannot start: -D" + PROPERTY + "=" + value + " is"
        + " neither true nor false, and with it the JDK fails every TLS handshake. Start the JVM"
        + " with -D" + PROPERTY + "=true");
  }

  /**
   * Checks the provider's answer to client-initiated renegotiation against the container's
   * setting, and logs one WARN when they disagree: renegotiation refused by the container but not
   * with an alert by the provider (the WARN names the property to add), or allowed by the container
   * but refused by the JVM anyway.
   *
   * @param renegotiationAllowed the container's setting
   * @param setting the name of that setting, for messages
   * @return whether the provider answers client-initiated renegotiation with an alert itself
   * @throws IllegalStateException if the property has a value the JDK rejects
   */
  public static boolean check(TlsProvider provider, boolean renegotiationAllowed, String setting) {
    boolean refused = refusedByProvider(provider);
    if (!renegotiationAllowed && !refused) {
      LOG.log(Level.WARNING, "Tether refuses TLS renegotiation (" + setting + "=false) by closing"
          + " the connection, but the JDK does not answer a client's renegotiation with an alert, so"
          + " clients and TLS scanners see it accepted (testssl.sh: 'Secure Client-Initiated"
          + " Renegotiation VULNERABLE'). Start the JVM with -D" + PROPERTY + "=true");
    } else if (renegotiationAllowed && refused && provider == TlsProvider.JDK) {
      LOG.log(Level.WARNING, "Tether leaves TLS renegotiation allowed (" + setting + "=true), but"
          + " the JVM runs with -D" + PROPERTY + "=true: the JDK refuses every client-initiated"
          + " renegotiation");
    }
    return refused;
  }
}
