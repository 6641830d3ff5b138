package dev.tether.internal;

import dev.tether.AssociationCluster;
import dev.tether.AssociationRegistry;
import dev.tether.PolicySet;
import dev.tether.RegistryBuilder;
import dev.tether.SaPolicy;
import dev.tether.tls.TlsProvider;
import java.io.IOException;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Collections;
import java.util.EnumMap;
import java.util.EnumSet;
import java.util.Map;
import java.util.Set;
import java.util.function.BiFunction;

/**
 * The values of the {@link Setting}s of one Jetty bean or Tomcat connector: checked when set, with a
 * message in the container's own words, and turned into the registry they describe.
 *
 * <pre>{@code
 * AdapterSettings settings = new AdapterSettings((key, value) -> "jetty.tether." + key + "=" + value);
 * settings.set(Setting.GRACE, "30s");        // or "30000", "PT30S"
 * AssociationRegistry registry = settings.registryBuilder(settings.policySet(base)).build();
 * }</pre>
 *
 * <p>Not thread-safe: configured, then read when the container starts, as containers do with their
 * settings.
 */
public final class AdapterSettings {
  private final BiFunction<String, String, String> naming;
  private final Map<Setting, Object> values = new EnumMap<>(Setting.class);
  private final Set<Setting> explicit = EnumSet.noneOf(Setting.class);

  /**
   * Creates settings at their defaults.
   *
   * @param naming writes a setting and a value the way the container's users wrote them, e.g.
   *     {@code jetty.tether.grace=abc} or {@code Tether connector attribute grace="abc"}
   */
  public AdapterSettings(BiFunction<String, String, String> naming) {
    this.naming = naming;
    for (Setting s : Setting.values()) {
      values.put(s, s.parse(s.defaultText()));
    }
  }

  /**
   * Sets a value given as text and remembers that it was set.
   *
   * @throws IllegalArgumentException naming the setting and the value, and what it expects
   */
  public void set(Setting setting, String text) {
    try {
      values.put(setting, setting.parse(text));
    } catch (IllegalArgumentException e) {
      throw invalid(setting, text, e.getMessage());
    }
    explicit.add(setting);
  }

  /** Returns the message for a value the setting does not take: its name, the value and why. */
  public IllegalArgumentException invalid(Setting setting, String text, String why) {
    return new IllegalArgumentException(naming.apply(setting.key(), text) + " is invalid: " + why);
  }

  /** Returns the settings given explicitly, in their order of definition. */
  public Set<Setting> explicit() {
    return Collections.unmodifiableSet(explicit);
  }

  /** Returns the value in its canonical text form (for JMX and logs). */
  public String text(Setting setting) {
    return setting.format(values.get(setting));
  }

  /**
   * Returns the value as an operator may see it (JMX, logs): {@link #text}, with the password of a
   * {@link Setting#CLUSTER_URI} hidden ({@code redis://USER:***@HOST}).
   */
  public String shown(Setting setting) {
    String t = text(setting);
    return setting == Setting.CLUSTER_URI ? t.replaceAll("(://[^:@/]*):[^@/]*@", "$1:***@") : t;
  }

  /** Returns a duration setting's value. */
  public Duration duration(Setting setting) {
    return (Duration) values.get(setting);
  }

  /** Returns a number setting's value. */
  public long number(Setting setting) {
    return (Long) values.get(setting);
  }

  /** Returns a true/false setting's value. */
  public boolean flag(Setting setting) {
    return (Boolean) values.get(setting);
  }

  /** Returns the TLS provider. */
  public TlsProvider provider() {
    return (TlsProvider) values.get(Setting.PROVIDER);
  }

  /** Returns the registry's name. */
  public String registryName() {
    return (String) values.get(Setting.REGISTRY_NAME);
  }

  /**
   * Reads the policy file, or returns {@code null} without one.
   *
   * @param base the directory a relative path is read from (the server's base directory), or
   *     {@code null} for the working directory
   * @throws IllegalArgumentException naming the setting, the file and the line of the problem
   */
  public PolicySet policySet(Path base) {
    String path = (String) values.get(Setting.POLICIES);
    if (path.isEmpty()) {
      return null;
    }
    Path file = Path.of(path);
    if (!file.isAbsolute() && base != null) {
      file = base.resolve(file);
    }
    try {
      return PolicySet.load(file);
    } catch (IOException e) {
      throw invalid(Setting.POLICIES, path, "the file cannot be read: " + e);
    } catch (IllegalArgumentException e) {
      throw invalid(Setting.POLICIES, path, e.getMessage());
    }
  }

  /**
   * Returns the cluster these settings describe, not yet started, or {@code null} without
   * {@link Setting#CLUSTER_URI}.
   *
   * @param base the directory a relative secret file is read from, or {@code null}
   * @throws IllegalArgumentException naming the setting refused, e.g. a missing node name or secret,
   *     or no cluster module on the class path for the URI
   */
  public AssociationCluster cluster(Path base) {
    String uri = (String) values.get(Setting.CLUSTER_URI);
    if (uri.isEmpty()) {
      return null;
    }
    String secret = (String) values.get(Setting.CLUSTER_SECRET_FILE);
    Path secretFile = null;
    if (!secret.isEmpty()) {
      secretFile = Path.of(secret);
      if (!secretFile.isAbsolute() && base != null) {
        secretFile = base.resolve(secretFile);
      }
    }
    AssociationCluster.Config config = new AssociationCluster.Config(uri,
        (String) values.get(Setting.CLUSTER_NODE), secretFile,
        duration(Setting.CLUSTER_ACK_TIMEOUT), duration(Setting.CLUSTER_HEARTBEAT),
        (String) values.get(Setting.CLUSTER_STREAM), number(Setting.CLUSTER_MAX_PENDING),
        number(Setting.CLUSTER_MAX_LENGTH), flag(Setting.CLUSTER_REQUIRED),
        (String) values.get(Setting.CLUSTER_ADDRESS));
    try {
      return AssociationCluster.create(config);
    } catch (IllegalArgumentException e) {
      // The cluster module's message starts with the setting it refuses.
      Setting refused = Setting.CLUSTER_URI;
      for (Setting s : Setting.values()) {
        if (e.getMessage() != null && e.getMessage().startsWith(s.key())) {
          refused = s;
        }
      }
      IllegalArgumentException named = invalid(refused, text(refused), e.getMessage());
      named.initCause(e);
      throw named;
    }
  }

  /**
   * Returns a builder of the registry these settings describe, with {@code policies} if not null and
   * its {@link #cluster cluster} if one is set (files relative to {@code base}).
   */
  public RegistryBuilder registryBuilder(PolicySet policies, Path base) {
    RegistryBuilder b = registryBuilder(policies);
    AssociationCluster cluster = cluster(base);
    return cluster == null ? b : b.cluster(cluster);
  }

  /** Returns a builder of the registry these settings describe, with {@code policies} if not null. */
  public RegistryBuilder registryBuilder(PolicySet policies) {
    RegistryBuilder b = AssociationRegistry.builder()
        .name(registryName())
        .grace(duration(Setting.GRACE))
        .maxAssociations(number(Setting.MAX_ASSOCIATIONS))
        .maxAssociationsPerPeer((int) number(Setting.MAX_ASSOCIATIONS_PER_PEER))
        .peerBinding(duration(Setting.PEER_BINDING_TTL), number(Setting.MAX_BOUND_PEERS));
    return policies == null ? b : b.policies(policies);
  }

  /** Returns the longest grace period of the policies, or {@link Setting#GRACE} without them. */
  public Duration longestGrace(PolicySet policies) {
    if (policies == null) {
      return duration(Setting.GRACE);
    }
    Duration longest = policies.anonymous().grace();
    for (SaPolicy p : policies.policies()) {
      longest = p.grace().compareTo(longest) > 0 ? p.grace() : longest;
    }
    return longest;
  }
}
