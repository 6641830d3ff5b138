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
      "most client addresses bound at once; the oldest bindings go first"),
  /** Where the cluster's transport is; empty: a node alone. */
  CLUSTER_URI("clusterUri", "", "redis://HOST:PORT, rediss://USER:PASSWORD@HOST:PORT, or empty",
      "the Redis of the nodes' cluster (README, \"Running several nodes\"): flushes of peers and of"
          + " all SAs, and peer bindings, reach every node; needs tether-cluster-redis on the class"
          + " path. Empty: the node is alone"),
  /** This node's name in the cluster. */
  CLUSTER_NODE("clusterNode", "", "1 to 64 letters, digits, '.', '_' or '-'",
      "this node's name, unique in the cluster; required with clusterUri"),
  /** The file holding the cluster's shared secret. */
  CLUSTER_SECRET_FILE("clusterSecretFile", "", "path of a file of 16 bytes or more",
      "the secret every node signs and checks events with (HMAC-SHA256), relative to the server's"
          + " base directory; required with clusterUri"),
  /** How long a flush waits for the other nodes. */
  CLUSTER_ACK_TIMEOUT("clusterAckTimeout", "50ms", "a duration from 0 to 10s",
      "how long a login's flush waits for every live node to apply it; past it the response goes"
          + " and the miss is counted and logged. 0: never wait"),
  /** How often a node announces itself. */
  CLUSTER_HEARTBEAT("clusterHeartbeat", "1s", "a duration from 10ms to 1m",
      "how often the node announces itself; a node silent for three periods is not waited for"),
  /** The name shared by the nodes of one cluster. */
  CLUSTER_STREAM("clusterStream", "tether", "letters, digits, '.', '_', ':', '{', '}' or '-'",
      "prefix of the cluster's Redis keys (stream PREFIX:events); one prefix, one cluster"),
  /** Events kept while Redis is away. */
  CLUSTER_MAX_PENDING("clusterMaxPending", "10000", "1 to 2147483647",
      "events kept while Redis is unreachable, sent on reconnection; past it other nodes see the"
          + " gap and flush their own SAs"),
  /** Entries the stream keeps. */
  CLUSTER_MAX_LENGTH("clusterMaxLength", "100000", "100 or more",
      "entries the stream keeps for nodes that were away; a node further behind flushes its own SAs"),
  /** Whether the node refuses to start without Redis. */
  CLUSTER_REQUIRED("clusterRequired", "false", "true or false",
      "whether an unreachable Redis stops the start (true) or the node serves alone and retries"
          + " (false)"),
  /** What the node announces as its address. */
  CLUSTER_ADDRESS("clusterAddress", "", "any text, or empty",
      "what the node announces as its address in the cluster view");

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
      case POLICIES, CLUSTER_SECRET_FILE, CLUSTER_ADDRESS -> t;
      case CLUSTER_URI -> {
        if (!t.isEmpty() && !t.matches("[A-Za-z][A-Za-z0-9+.-]*://\\S+")) {
          throw expected();
        }
        yield t;
      }
      case CLUSTER_NODE -> {
        if (!t.matches("[A-Za-z0-9_.-]{0,64}")) {
          throw expected();
        }
        yield t;
      }
      case CLUSTER_STREAM -> {
        if (!t.matches("[A-Za-z0-9_.:{}-]{1,100}")) {
          throw expected();
        }
        yield t;
      }
      case CLUSTER_ACK_TIMEOUT -> within(duration(t, false), Duration.ZERO, Duration.ofSeconds(10));
      case CLUSTER_HEARTBEAT -> within(duration(t, true), Duration.ofMillis(10), Duration.ofMinutes(1));
      case CLUSTER_MAX_PENDING -> number(t, Integer.MAX_VALUE);
      case CLUSTER_MAX_LENGTH -> {
        Long n = number(t, Long.MAX_VALUE);
        if (n < 100) {
          throw expected();
        }
        yield n;
      }
      case REQUIRE_STATEFUL_SESSIONS, RENEGOTIATION_ALLOWED, CLUSTER_REQUIRED -> flag(t);
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

  private Boolean flag(String text) {
    return switch (text.toLowerCase(Locale.ROOT)) {
      case "true" -> Boolean.TRUE;
      case "false" -> Boolean.FALSE;
      default -> throw expected();
    };
  }

  private Duration within(Duration d, Duration min, Duration max) {
    if (d.compareTo(min) < 0 || d.compareTo(max) > 0) {
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
      case PEER_BINDING_TTL, CLUSTER_ACK_TIMEOUT, CLUSTER_HEARTBEAT -> ": " + DURATION_SYNTAX;
      default -> "";
    };
    return new IllegalArgumentException("expected " + accepts + syntax);
  }
}
