package dev.tether.boot;

import dev.tether.AssociationRegistry;
import dev.tether.PolicySet;
import dev.tether.RegistryBuilder;
import dev.tether.internal.AdapterSettings;
import dev.tether.internal.Durations;
import dev.tether.internal.Setting;
import dev.tether.tls.ClientRenegotiation;
import dev.tether.tls.StatefulSessions;
import dev.tether.tls.TlsProvider;
import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Locale;
import org.springframework.beans.BeanWrapperImpl;
import org.springframework.core.io.Resource;
import org.springframework.core.io.ResourceLoader;

/**
 * The {@code tether.*} properties checked as the shared {@link Setting}s, and what they make: the
 * policy set and the registry. Every value goes through {@link AdapterSettings}, so a Spring Boot
 * application takes exactly what Jetty's properties and Tomcat's attributes take; a refused value
 * becomes a {@link TetherConfigurationException} naming the property.
 *
 * <p>Also checks the JVM flags Tether relies on ({@link #checkJvm()}). Made once at start-up.
 */
final class TetherSettings {
  /** The prefix of the properties. */
  static final String PREFIX = "tether.";

  private final AdapterSettings settings;
  private final PolicySet policies;

  private TetherSettings(AdapterSettings settings, PolicySet policies) {
    this.settings = settings;
    this.policies = policies;
  }

  /**
   * Checks every property as its setting, reads the policy file and checks the cluster settings.
   *
   * @throws TetherConfigurationException naming the first property refused
   */
  static TetherSettings of(TetherProperties properties, ResourceLoader resources) {
    AdapterSettings s = new AdapterSettings((key, value) -> property(key) + "=" + value);
    BeanWrapperImpl bean = new BeanWrapperImpl(properties);
    for (Setting setting : Setting.values()) {
      String text = text(bean.getPropertyValue(setting.key()));
      try {
        s.set(setting, text);
      } catch (IllegalArgumentException e) {
        throw refused(setting, e);
      }
    }
    PolicySet policies;
    try {
      policies = policySet(s, properties.getPolicies().trim(), resources);
      // Made here only to be checked (named as the properties), it is made again for the registry.
      s.cluster(null);
    } catch (IllegalArgumentException e) {
      throw refused(settingNamed(e.getMessage()), e);
    }
    return new TetherSettings(s, policies);
  }

  /** Returns the Spring property of a setting: {@code maxAssociations} is {@code tether.max-associations}. */
  static String property(String key) {
    return PREFIX + key.replaceAll("([a-z0-9])([A-Z])", "$1-$2").toLowerCase(Locale.ROOT);
  }

  /** Returns the checked settings, named as the properties. */
  AdapterSettings adapterSettings() {
    return settings;
  }

  /** Returns the policies read from {@code tether.policies}, or {@code null} without a file. */
  PolicySet policies() {
    return policies;
  }

  /**
   * Checks the JVM's TLS flags for the chosen provider: stateless session tickets stop the start
   * unless {@code tether.require-stateful-sessions=false} (then a WARN); a value of
   * {@value ClientRenegotiation#PROPERTY} the JDK would reject stops it; renegotiation refused without
   * the JDK's alert logs a WARN.
   *
   * @throws TetherConfigurationException saying exactly which flags to add
   */
  void checkJvm() {
    TlsProvider provider = settings.provider();
    boolean refusesRenegotiation;
    try {
      refusesRenegotiation = ClientRenegotiation.refusedByProvider(provider);
    } catch (IllegalStateException e) {
      throw new TetherConfigurationException("-D" + ClientRenegotiation.PROPERTY,
          "the JVM runs with -D" + ClientRenegotiation.PROPERTY + "="
              + System.getProperty(ClientRenegotiation.PROPERTY) + ", which is neither true nor"
              + " false: with it the JDK fails every TLS handshake",
          "Start the JVM with -D" + ClientRenegotiation.PROPERTY + "=true", e);
    }
    String required = property(Setting.REQUIRE_STATEFUL_SESSIONS.key());
    if (!StatefulSessions.isStateful(provider) && settings.flag(Setting.REQUIRE_STATEFUL_SESSIONS)) {
      String flags = "-D" + StatefulSessions.PROPERTY + "=false"
          + (refusesRenegotiation ? "" : " -D" + ClientRenegotiation.PROPERTY + "=true");
      throw new TetherConfigurationException("-D" + StatefulSessions.PROPERTY,
          "the JDK's TLS server uses stateless session tickets (" + StatefulSessions.PROPERTY + "="
              + System.getProperty(StatefulSessions.PROPERTY, "true, the default") + "), so a"
              + " client could still resume a security association Tether deleted. The JDK reads"
              + " the flag once, when its TLS classes initialise, so it belongs on the command line.",
          "Start the JVM with " + flags + ", for example:\n\n"
              + "    java " + flags + " -jar app.jar\n"
              + "    mvn spring-boot:run -Dspring-boot.run.jvmArguments=\"" + flags + "\"\n"
              + "    JAVA_TOOL_OPTIONS=\"" + flags + "\" (in the environment)\n\n"
              + "or set " + required + "=false to start with a warning instead.", null);
    }
    StatefulSessions.check(provider, false, required);
    ClientRenegotiation.check(provider, settings.flag(Setting.RENEGOTIATION_ALLOWED),
        property(Setting.RENEGOTIATION_ALLOWED.key()));
  }

  /**
   * Builds the registry: the settings, the policies, the cluster (started now), then the
   * customizers in order.
   */
  AssociationRegistry buildRegistry(List<TetherRegistryCustomizer> customizers) {
    RegistryBuilder builder;
    try {
      builder = settings.registryBuilder(policies, null);
    } catch (IllegalArgumentException e) {
      throw refused(settingNamed(e.getMessage()), e);
    }
    for (TetherRegistryCustomizer c : customizers) {
      c.customize(builder);
    }
    try {
      return builder.build();
    } catch (IllegalStateException e) {
      // A cluster that must reach its transport and cannot names its setting first.
      Setting setting = settingNamed(e.getMessage());
      if (setting == null) {
        throw e;
      }
      throw new TetherConfigurationException(property(setting.key()), e.getMessage(),
          "Check " + property(setting.key()) + " and what it names", e);
    }
  }

  private static PolicySet policySet(AdapterSettings s, String location, ResourceLoader resources) {
    if (location.startsWith(ResourceLoader.CLASSPATH_URL_PREFIX)) {
      Resource resource = resources.getResource(location);
      try (InputStream in = resource.getInputStream()) {
        return PolicySet.parse(new String(in.readAllBytes(), StandardCharsets.UTF_8), location);
      } catch (IOException e) {
        throw s.invalid(Setting.POLICIES, location, "the resource cannot be read: " + e);
      } catch (IllegalArgumentException e) {
        throw s.invalid(Setting.POLICIES, location, e.getMessage());
      }
    }
    if (location.startsWith("file:")) {
      AdapterSettings file = new AdapterSettings((key, value) -> property(key) + "=" + location);
      file.set(Setting.POLICIES, Path.of(location.substring("file:".length())).toString());
      return file.policySet(null);
    }
    return s.policySet(null);
  }

  private static String text(Object value) {
    if (value == null) {
      return "";
    }
    return value instanceof Duration d ? Durations.format(d) : value.toString();
  }

  /** Returns the setting a message starts with (its key or its property), or {@code null}. */
  private static Setting settingNamed(String message) {
    Setting named = null;
    for (Setting s : Setting.values()) {
      if (message != null && (message.startsWith(s.key()) || message.startsWith(property(s.key())))
          && (named == null || s.key().length() > named.key().length())) {
        named = s;
      }
    }
    return named;
  }

  private static TetherConfigurationException refused(Setting setting, IllegalArgumentException e) {
    String property = setting == null ? PREFIX + "*" : property(setting.key());
    return new TetherConfigurationException(property, e.getMessage(),
        "Update " + property + " in the application's configuration (application.properties,"
            + " application.yaml, the environment or the command line)", e);
  }
}
