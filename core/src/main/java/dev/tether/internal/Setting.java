package dev.tether.internal;

import dev.tether.tls.TlsProvider;
import java.time.Duration;
import java.util.Locale;

/**
 * The settings both container adapters share, defined once: name, default, the values it takes and
 * what it means. Jetty's {@code jetty.tether.*} properties and bean setters, Tomcat's connector
 * attributes, both JMX views and the README's table all follow this list, so the containers cannot
 * drift apart.
 *
 * <p>Every value is text, as Jetty's start properties and server.xml give it; {@link #parse} checks it
 * and {@link #format} writes it back in one canonical form (durations as {@code 30s}, {@code 30m}).
 * Durations accept {@code 0}, {@code 500ms}, {@code 30s}, {@code 15m}, {@code 2h}, {@code 1d},
 * ISO-8601 {@code PT30S} and plain milliseconds ({@code 30000}) alike.
 */
public enum Setting {
  /** The registry's name, in logs and JMX (and matched by Tomcat's valve). */
  REGISTRY_NAME("registryName", "default", "letters, digits, '.', '_' or '-'",
      "name of the SA registry, in logs and JMX"),
  /** The grace period of the built-in default policy. */
  GRACE("grace", "30s", "a duration, 0 or more",
      "how long an SA stays resumable after its last connection closed; 0 deletes it at the last"
          + " close. The grace of the built-in default policy: with a policy file, each policy's"
          + " own grace applies"),
  /** The most SAs held. */
  MAX_ASSOCIATIONS("maxAssociations", "100000", "1 to 2147483647",
      "most SAs held; past it an idle SA makes room or the handshake fails"),
  /** The most SAs held for one client address. */
  MAX_ASSOCIATIONS_PER_PEER("maxAssociationsPerPeer", "1000", "1 to 2147483647",
      "most SAs held for one client IP address; past it the handshake fails"),
  /** The JSSE provider. */
  PROVIDER("provider", "jdk", "jdk or bcjsse",
      "TLS provider: the JDK's, or Bouncy Castle's BCJSSE (its jars added to the server)"),
  /** Whether stateless TLS session tickets stop the start. */
  REQUIRE_STATEFUL_SESSIONS("requireStatefulSessions", "true", "true or false",
      "whether a JDK TLS server with stateless session tickets stops the start (true) or only"
          + " logs a WARN (false)"),
  /** Whether clients may renegotiate TLS 1.2. */
  RENEGOTIATION_ALLOWED("renegotiationAllowed", "false", "true or false",
      "whether a client may renegotiate a TLS 1.2 connection; a renegotiated session would escape"
          + " its SA"),
  /** The policy file. */
  POLICIES("policies", "", "path of a policy file, or empty",
      "named policies (README, \"Policies and login-driven flushes\"); relative to the server's"
          + " base directory; empty: the built-in default policy. Read at start"),
  /** How long a login binds its peer to the user's policy. */
  PEER_BINDING_TTL("peerBindingTtl", "30m", "a duration, more than 0",
      "how long a login binds the client address to the user's policy (its new connections"
          + " negotiate under it), unless a logout ends it first"),
  /** The most peers bound at once. */
  MAX_BOUND_PEERS("maxBoundPeers", "100000", "1 or more",
      "most client addresses bound at once; the oldest bindings go first");

  private static final String DURATION_SYNTAX =
      "500ms, 30s, 15m, 2h, 1d, PT30S or milliseconds (30000)";

  private final String key;
  private final String defaultText;
  private final String accepts;
  private final String meaning;

  Setting(String key, String defaultText, String values, String meaning) {
    this.key = key;
    this.defaultText = defaultText;
    this.accepts = values;
    this.meaning = meaning;
  }

  /** Returns the name: the setter, the Jetty property after {@code jetty.tether.}, the attribute. */
  public String key() {
    return key;
  }

  /** Returns the default, as text. */
  public String defaultText() {
    return defaultText;
  }

  /** Returns the values the setting takes, for messages and documentation. */
  public String accepts() {
    return accepts;
  }

  /** Returns what the setting means, for documentation and JMX descriptions. */
  public String meaning() {
    return meaning;
  }

  /**
   * Returns whether the setting configures the registry (rather than the connector's TLS): a
   * container given a registry built elsewhere must not be given these.
   */
  public boolean ofRegistry() {
    return this != PROVIDER && this != REQUIRE_STATEFUL_SESSIONS && this != RENEGOTIATION_ALLOWED;
  }

  /** Returns the setting named {@code key}, or {@code null}. */
  public static Setting byKey(String key) {
    for (Setting s : values()) {
      if (s.key.equals(key)) {
        return s;
      }
    }
    return null;
  }

  /**
   * Parses a value: a {@link String} (name, path), {@link Duration}, {@link Long}, {@link Boolean} or
   * {@link TlsProvider}.
   *
   * @throws IllegalArgumentException with what the setting expects (the caller adds its name)
   */
  public Object parse(String text) {
    String t = text == null ? "" : text.trim();
    return switch (this) {
      case REGISTRY_NAME -> {
        if (!t.matches("[A-Za-z0-9_.-]+")) {
          throw expected();
        }
        yield t;
      }
      case GRACE -> duration(t, false);
      case PEER_BINDING_TTL -> duration(t, true);
      case MAX_ASSOCIATIONS, MAX_ASSOCIATIONS_PER_PEER -> number(t, Integer.MAX_VALUE);
      case MAX_BOUND_PEERS -> number(t, Long.MAX_VALUE);
      case PROVIDER -> {
        try {
          yield TlsProvider.parse(key, t);
        } catch (IllegalArgumentException e) {
          throw expected();
        }
      }
      case REQUIRE_STATEFUL_SESSIONS, RENEGOTIATION_ALLOWED -> switch (t.toLowerCase(Locale.ROOT)) {
        case "true" -> Boolean.TRUE;
        case "false" -> Boolean.FALSE;
        default -> throw expected();
      };
      case POLICIES -> t;
    };
  }

  /** Writes a value back as text, in the form {@link #parse} reads: durations in their largest unit. */
  public String format(Object value) {
    if (value instanceof Duration d) {
      return Durations.format(d);
    }
    if (value instanceof TlsProvider p) {
      return p.settingValue();
    }
    return String.valueOf(value);
  }

  private Duration duration(String text, boolean positive) {
    Duration d;
    try {
      d = Durations.parse(key, text);
    } catch (IllegalArgumentException e) {
      throw expected();
    }
    if (positive && d.isZero()) {
      throw expected();
    }
    return d;
  }

  private Long number(String text, long max) {
    try {
      long n = Long.parseLong(text.replace("_", ""));
      if (n >= 1 && n <= max) {
        return n;
      }
    } catch (NumberFormatException e) {
      // the message below says what is expected
    }
    throw expected();
  }

  private IllegalArgumentException expected() {
    String syntax = switch (this) {
      case GRACE -> ": 0, " + DURATION_SYNTAX;
      case PEER_BINDING_TTL -> ": " + DURATION_SYNTAX;
      default -> "";
    };
    return new IllegalArgumentException("expected " + accepts + syntax);
  }
}
