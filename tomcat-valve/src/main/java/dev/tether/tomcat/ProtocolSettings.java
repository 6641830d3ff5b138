package dev.tether.tomcat;

import dev.tether.AssociationRegistry;
import dev.tether.RegistryBuilder;
import dev.tether.tls.TlsProvider;
import java.time.Duration;
import java.util.Locale;

/**
 * The Tether attributes of a {@link TomcatTetherProtocol}, parsed and checked. server.xml hands every
 * attribute over as text; parsing here (rather than in typed setters) lets a wrong value stop the
 * connector with a message naming the attribute and the value, instead of Tomcat ignoring it.
 *
 * <p>Immutable; built once when the connector initializes.
 */
record ProtocolSettings(
    String registryName,
    Duration gracePeriod,
    long maxAssociations,
    int maxAssociationsPerPeer,
    TlsProvider provider,
    boolean requireStatefulSessions,
    boolean allowRenegotiation) {

  static final String DEFAULT_REGISTRY_NAME = "default";
  static final String DEFAULT_GRACE_PERIOD = "30000";
  static final String DEFAULT_MAX_ASSOCIATIONS =
      Long.toString(RegistryBuilder.DEFAULT_MAX_ASSOCIATIONS);
  static final String DEFAULT_MAX_ASSOCIATIONS_PER_PEER =
      Integer.toString(RegistryBuilder.DEFAULT_MAX_ASSOCIATIONS_PER_PEER);

  /** Parses the raw attribute values; throws {@link IllegalArgumentException} naming the first bad one. */
  static ProtocolSettings parse(String registryName, String gracePeriod, String maxAssociations,
      String maxAssociationsPerPeer, String provider, String requireStatefulSessions,
      String allowRenegotiation) {
    String name = registryName == null ? "" : registryName.trim();
    if (!name.matches("[A-Za-z0-9_.-]+")) {
      throw bad("registryName", registryName, "use letters, digits, '.', '_' or '-'");
    }
    long graceMillis = parseLong("gracePeriod", gracePeriod, 0, Long.MAX_VALUE / 1_000_000,
        "milliseconds, 0 or more");
    long max = parseLong("maxAssociations", maxAssociations, 1, Long.MAX_VALUE, "1 or more");
    long perPeer = parseLong("maxAssociationsPerPeer", maxAssociationsPerPeer, 1,
        Integer.MAX_VALUE, "1 or more");
    TlsProvider tls = TlsProvider.parse("provider", provider);
    return new ProtocolSettings(name, Duration.ofMillis(graceMillis), max, (int) perPeer, tls,
        parseBoolean("requireStatefulSessions", requireStatefulSessions),
        parseBoolean("allowRenegotiation", allowRenegotiation));
  }

  /** Returns a builder of the registry these settings describe. */
  RegistryBuilder registryBuilder() {
    return AssociationRegistry.builder()
        .name(registryName)
        .grace(gracePeriod)
        .maxAssociations(maxAssociations)
        .maxAssociationsPerPeer(maxAssociationsPerPeer);
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

  private static IllegalArgumentException bad(String attribute, String value, String hint) {
    return new IllegalArgumentException(
        "Tether connector attribute " + attribute + "=\"" + value + "\" is invalid: " + hint);
  }
}
