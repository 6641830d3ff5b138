package dev.tether.tls;

import java.lang.System.Logger.Level;

/**
 * Checks that the JDK's TLS server keeps its sessions in its own, stateful cache.
 *
 * <p>With the JDK's default, stateless session tickets, a client can resume a TLS 1.2 session that was
 * invalidated, and values bound to a session do not travel to the resumed one: deleting an SA would be
 * a pretence. Tether therefore needs {@value #PROPERTY}{@code =false}, set when the JVM starts (the JDK
 * reads it once). Bouncy Castle's provider keeps sessions statefully and needs nothing.
 */
public final class StatefulSessions {
  /** The JDK system property that must be {@code false}. */
  public static final String PROPERTY = "jdk.tls.server.enableSessionTicketExtension";

  private static final System.Logger LOG = System.getLogger(StatefulSessions.class.getName());

  private StatefulSessions() {}

  /** Returns whether TLS on this provider keeps server sessions statefully. */
  public static boolean isStateful(TlsProvider provider) {
    return provider != TlsProvider.JDK || "false".equalsIgnoreCase(System.getProperty(PROPERTY));
  }

  /**
   * Checks the provider's session mode. If it is stateless, throws when {@code require} is set,
   * otherwise logs a WARN: never silent.
   *
   * @param requireSetting the name of the container setting that chose {@code require}, for messages
   * @return whether sessions are stateful
   * @throws IllegalStateException if sessions are stateless and {@code require} is set
   */
  public static boolean check(TlsProvider provider, boolean require, String requireSetting) {
    if (isStateful(provider)) {
      return true;
    }
    String problem = "the JDK TLS server uses stateless session tickets (" + PROPERTY + "="
        + System.getProperty(PROPERTY, "true (default)") + "), so deleted SAs could still be resumed"
        + ". Start the JVM with -D" + PROPERTY + "=false";
    if (require) {
      throw new IllegalStateException("Tether cannot start: " + problem + ", or set "
          + requireSetting + "=false to run with a warning instead");
    }
    LOG.log(Level.WARNING, "Tether runs degraded: " + problem + " (" + requireSetting
        + "=false lets it start anyway)");
    return false;
  }
}
