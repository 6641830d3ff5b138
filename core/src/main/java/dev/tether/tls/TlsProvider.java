package dev.tether.tls;

import java.lang.reflect.InvocationTargetException;
import java.security.Provider;
import java.security.Security;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;

/**
 * The JSSE provider a connector's TLS runs on. Both delete an SA by invalidating its sessions; they
 * differ in what can be resumed: the JDK resumes TLS 1.2 and TLS 1.3 from its stateful cache, Bouncy
 * Castle's {@code BCJSSE} resumes TLS 1.2 by session id and does no server-side TLS 1.3 resumption, so
 * there every TLS 1.3 connection is its own SA.
 *
 * <p>Tether does not ship Bouncy Castle: {@link #BCJSSE} needs {@code bcprov-jdk18on},
 * {@code bcutil-jdk18on} and {@code bctls-jdk18on} (one version) on the server's class path, and
 * {@link #install} loads them by name, failing with the setting and the missing jars when they are
 * absent. ({@code BCJSSE}'s own PKIX key managers, which Tether chooses with it, need
 * {@code bcutil}.) Where the server registered {@code BCJSSE} already, as Jetty's
 * {@code bouncycastle} module does, it is used as it is.
 */
public enum TlsProvider {
  /** The JDK's own provider, {@code SunJSSE}. */
  JDK("SunJSSE", "SunX509"),
  /** Bouncy Castle's {@code BCJSSE}, with the {@code BC} provider under it. */
  BCJSSE("BCJSSE", "PKIX");

  /** Bouncy Castle's jars, each with a class only it holds, in the order they are registered. */
  private static final List<String[]> BOUNCY_CASTLE = List.of(
      new String[] {"bcprov-jdk18on", "org.bouncycastle.jce.provider.BouncyCastleProvider"},
      new String[] {"bcutil-jdk18on", "org.bouncycastle.asn1.cms.ContentInfo"},
      new String[] {"bctls-jdk18on", "org.bouncycastle.jsse.provider.BouncyCastleJsseProvider"});

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

  /**
   * Registers the provider with the JVM if it is not there yet and returns it. Idempotent. For
   * {@link #BCJSSE} this registers Bouncy Castle's {@code BC} and {@code BCJSSE} providers, loaded
   * from the class loader that loaded Tether.
   *
   * @param setting the setting that chose the provider (e.g. {@code jetty.tether.provider}), named in
   *     the message if the provider cannot be installed
   * @throws IllegalStateException naming the setting and the missing jars when Bouncy Castle is not on
   *     the class path
   */
  public Provider install(String setting) {
    return install(setting, TlsProvider.class.getClassLoader());
  }

  synchronized Provider install(String setting, ClassLoader loader) {
    if (this == BCJSSE && Security.getProvider(providerName) == null) {
      List<Class<?>> classes = bouncyCastle(setting, loader);
      if (Security.getProvider("BC") == null) {
        Security.addProvider(newProvider(setting, classes.get(0)));
      }
      Security.addProvider(newProvider(setting, classes.get(2)));
    }
    return Security.getProvider(providerName);
  }

  /** Returns the marker class of each Bouncy Castle jar, or fails naming every missing jar. */
  List<Class<?>> bouncyCastle(String setting, ClassLoader loader) {
    List<Class<?>> found = new ArrayList<>();
    List<String> missing = new ArrayList<>();
    for (String[] jar : BOUNCY_CASTLE) {
      try {
        found.add(Class.forName(jar[1], false, loader));
      } catch (ClassNotFoundException | LinkageError e) {
        missing.add(jar[0]);
      }
    }
    if (!missing.isEmpty()) {
      throw new IllegalStateException(setting + "=" + settingValue() + " needs Bouncy Castle on the"
          + " server's class path, next to Tether's jars: bcprov-jdk18on, bcutil-jdk18on and"
          + " bctls-jdk18on, all of one version (1.84 is tested); missing: "
          + String.join(", ", missing));
    }
    return found;
  }

  private Provider newProvider(String setting, Class<?> type) {
    try {
      return (Provider) type.getConstructor().newInstance();
    } catch (InvocationTargetException e) {
      throw new IllegalStateException(setting + "=" + settingValue() + ": " + type.getName()
          + " failed to start: " + e.getCause(), e.getCause());
    } catch (ReflectiveOperationException | LinkageError | ClassCastException e) {
      throw new IllegalStateException(setting + "=" + settingValue() + ": cannot create "
          + type.getName() + ": " + e, e);
    }
  }

  /** Returns the lower-case name used in settings. */
  public String settingValue() {
    return name().toLowerCase(Locale.ROOT);
  }
}
