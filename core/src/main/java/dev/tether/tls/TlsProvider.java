package dev.tether.tls;

import java.security.Provider;
import java.security.Security;
import java.util.Locale;
import org.bouncycastle.jce.provider.BouncyCastleProvider;
import org.bouncycastle.jsse.provider.BouncyCastleJsseProvider;

/**
 * The JSSE provider a connector's TLS runs on. Both delete an SA by invalidating its sessions; they
 * differ in what can be resumed: the JDK resumes TLS 1.2 and TLS 1.3 from its stateful cache, Bouncy
 * Castle's {@code BCJSSE} resumes TLS 1.2 by session id and does no server-side TLS 1.3 resumption, so
 * there every TLS 1.3 connection is its own SA.
 */
public enum TlsProvider {
  /** The JDK's own provider, {@code SunJSSE}. */
  JDK("SunJSSE", "SunX509"),
  /** Bouncy Castle's {@code BCJSSE}, with the {@code BC} provider under it. */
  BCJSSE("BCJSSE", "PKIX");

  private final String providerName;
  private final String keyManagerAlgorithm;

  TlsProvider(String providerName, String keyManagerAlgorithm) {
    this.providerName = providerName;
    this.keyManagerAlgorithm = keyManagerAlgorithm;
  }

  /**
   * Parses a setting's value, {@code jdk} or {@code bcjsse} (any case).
   *
   * @param setting the setting's name, for the error message
   * @throws IllegalArgumentException naming the setting and the value if it is neither
   */
  public static TlsProvider parse(String setting, String value) {
    String v = value == null ? "" : value.trim().toUpperCase(Locale.ROOT);
    for (TlsProvider p : values()) {
      if (p.name().equals(v)) {
        return p;
      }
    }
    throw new IllegalArgumentException(
        setting + "='" + value + "' is not a TLS provider: use 'jdk' or 'bcjsse'");
  }

  /** Returns the JCA name of the provider, for {@code SSLContext.getInstance(protocol, name)}. */
  public String providerName() {
    return providerName;
  }

  /** Returns the key and trust manager factory algorithm that suits the provider. */
  public String keyManagerAlgorithm() {
    return keyManagerAlgorithm;
  }

  /** Returns whether the server side resumes TLS 1.3 sessions. */
  public boolean resumesTls13() {
    return this == JDK;
  }

  /** Registers the provider with the JVM if it is not there yet; returns it. Idempotent. */
  public synchronized Provider install() {
    if (this == BCJSSE) {
      if (Security.getProvider(BouncyCastleProvider.PROVIDER_NAME) == null) {
        Security.addProvider(new BouncyCastleProvider());
      }
      if (Security.getProvider(providerName) == null) {
        Security.addProvider(new BouncyCastleJsseProvider());
      }
    }
    return Security.getProvider(providerName);
  }

  /** Returns the lower-case name used in settings. */
  public String settingValue() {
    return name().toLowerCase(Locale.ROOT);
  }
}
