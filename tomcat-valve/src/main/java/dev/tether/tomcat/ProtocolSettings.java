package dev.tether.tomcat;

import dev.tether.AssociationRegistry;
import dev.tether.PolicySet;
import dev.tether.RegistryBuilder;
import dev.tether.tls.TlsProvider;
import java.io.IOException;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Locale;

/**
 * The Tether attributes of a {@link TomcatTetherProtocol}, parsed and checked. server.xml hands every
 * attribute over as text; parsing here (rather than in typed setters) lets a wrong value stop the
 * connector with a message naming the attribute and the value, instead of Tomcat ignoring it.
 *
 * <p>Immutable; built once when the connector initializes.
 *
 * @param policies the policies read from the policy file, or {@code null} for the built-in default
 *     policy (whose grace is {@code grace})
 */
record ProtocolSettings(
    String registryName,
    Duration grace,
    long maxAssociations,
    int maxAssociationsPerPeer,
    TlsProvider provider,
    boolean requireStatefulSessions,
    boolean renegotiationAllowed,
    PolicySet policies,
    Duration peerBindingTtl,
    long maxBoundPeers) {

  static final String DEFAULT_REGISTRY_NAME = "default";
  static final String DEFAULT_GRACE = "30000";
  static final String DEFAULT_MAX_ASSOCIATIONS =
      Long.toString(RegistryBuilder.DEFAULT_MAX_ASSOCIATIONS);
  static final String DEFAULT_MAX_ASSOCIATIONS_PER_PEER =
      Integer.toString(RegistryBuilder.DEFAULT_MAX_ASSOCIATIONS_PER_PEER);
  static final String DEFAULT_PEER_BINDING_TTL =
      Long.toString(RegistryBuilder.DEFAULT_BINDING_TTL.toMillis());
  static final String DEFAULT_MAX_BOUND_PEERS = Long.toString(RegistryBuilder.DEFAULT_MAX_BINDINGS);

  /** The raw attribute values, as server.xml or {@code setProperty} gave them. */
  record Raw(String registryName, String grace, String maxAssociations,
      String maxAssociationsPerPeer, String provider, String requireStatefulSessions,
      String renegotiationAllowed, String policies, String peerBindingTtl, String maxBoundPeers) {}

  /** Parses the raw attribute values; throws {@link IllegalArgumentException} naming the first bad one. */
  static ProtocolSettings parse(Raw raw) {
    String name = raw.registryName() == null ? "" : raw.registryName().trim();
    if (!name.matches("[A-Za-z0-9_.-]+")) {
      throw bad("registryName", raw.registryName(), "use letters, digits, '.', '_' or '-'");
    }
    long graceMillis = parseLong("grace", raw.grace(), 0, Long.MAX_VALUE / 1_000_000,
        "milliseconds, 0 or more");
    long max = parseLong("maxAssociations", raw.maxAssociations(), 1, Integer.MAX_VALUE,
        "1 to " + Integer.MAX_VALUE);
    long perPeer = parseLong("maxAssociationsPerPeer", raw.maxAssociationsPerPeer(), 1,
        Integer.MAX_VALUE, "1 or more");
    TlsProvider tls = TlsProvider.parse("provider", raw.provider());
    long ttl = parseLong("peerBindingTtl", raw.peerBindingTtl(), 1, Long.MAX_VALUE / 1_000_000,
        "milliseconds, 1 or more");
    long bound = parseLong("maxBoundPeers", raw.maxBoundPeers(), 1, Long.MAX_VALUE, "1 or more");
    return new ProtocolSettings(name, Duration.ofMillis(graceMillis), max, (int) perPeer, tls,
        parseBoolean("requireStatefulSessions", raw.requireStatefulSessions()),
        parseBoolean("renegotiationAllowed", raw.renegotiationAllowed()),
        loadPolicies(raw.policies()), Duration.ofMillis(ttl), bound);
  }

  /** Returns a builder of the registry these settings describe. */
  RegistryBuilder registryBuilder() {
    RegistryBuilder b = AssociationRegistry.builder()
        .name(registryName)
        .grace(grace)
        .maxAssociations(maxAssociations)
        .maxAssociationsPerPeer(maxAssociationsPerPeer)
        .peerBinding(peerBindingTtl, maxBoundPeers);
    return policies == null ? b : b.policies(policies);
  }

  private static PolicySet loadPolicies(String path) {
    if (path == null || path.isBlank()) {
      return null;
    }
    Path file = Path.of(path.trim());
    String base = System.getProperty("catalina.base");
    if (!file.isAbsolute() && base != null) {
      // As Tomcat does for its own configuration files, e.g. conf/tether-policies.conf.
      file = Path.of(base).resolve(file);
    }
    try {
      return PolicySet.load(file);
    } catch (IOException e) {
      throw bad("policies", path, "the file cannot be read: " + e);
    } catch (IllegalArgumentException e) {
      throw bad("policies", path, e.getMessage());
    }
  }

  private static long parseLong(String attribute, String value, long min, long max, String expected) {
    try {
      long v = Long.parseLong(value == null ? "" : value.trim());
      if (v >= min && v <= max) {
        return v;
      }
    } catch (NumberFormatException e) {
      // reported below with the attribute's name
    }
    throw bad(attribute, value, "expected " + expected);
  }

  private static boolean parseBoolean(String attribute, String value) {
    String v = value == null ? "" : value.trim().toLowerCase(Locale.ROOT);
    return switch (v) {
      case "true" -> true;
      case "false" -> false;
      default -> throw bad(attribute, value, "expected true or false");
    };
  }

  static IllegalArgumentException bad(String attribute, String value, String hint) {
    return new IllegalArgumentException(
        "Tether connector attribute " + attribute + "=\"" + value + "\" is invalid: " + hint);
  }
}
