package dev.tether;

import static java.util.Objects.requireNonNull;

import java.time.Duration;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Set;

/**
 * A named security policy: which TLS parameters a new SA is negotiated with, how long it lives, and
 * what a login or logout under it flushes.
 *
 * <p>Immutable. Build one with {@link #builder(String)}; every setter validates at once and names the
 * bad value. {@link #defaults()} is the policy used when nothing else is configured.
 *
 * <pre>{@code
 * SaPolicy admin = SaPolicy.builder("admin")
 *     .appliesTo("role:admin")
 *     .protocols("TLSv1.3")
 *     .grace(Duration.ZERO)
 *     .onLogin(FlushScope.PEER)
 *     .requireOwnAssociation(true)
 *     .build();
 * }</pre>
 *
 * @param name unique name, shown in the SA table
 * @param appliesTo selectors of the principals it applies to: {@code anonymous}, {@code role:NAME},
 *     {@code user:NAME}
 * @param protocols TLS protocols allowed for new SAs; empty means the container's own setting
 * @param cipherSuites cipher suites allowed for new SAs; empty means the container's own setting
 * @param clientAuth whether new SAs ask for a client certificate
 * @param grace how long an SA stays resumable after its last connection closes; zero deletes at once
 * @param maxAge the age past which an SA is deleted; zero means no limit
 * @param maxAgeAtOnce whether an SA past its maximum age is deleted at once, live connections or not
 *     (otherwise when its last connection closes)
 * @param onLogin what a login under this policy flushes
 * @param onLogout what a logout under this policy flushes
 * @param requireOwnAssociation whether requests of principals under this policy are refused on an SA
 *     negotiated under another policy
 * @param openConnections what happens to the open connections of the SAs that a login or logout under
 *     this policy flushes
 */
public record SaPolicy(
    String name,
    Set<String> appliesTo,
    List<String> protocols,
    List<String> cipherSuites,
    ClientAuth clientAuth,
    Duration grace,
    Duration maxAge,
    boolean maxAgeAtOnce,
    FlushScope onLogin,
    FlushScope onLogout,
    boolean requireOwnAssociation,
    OpenConnections openConnections) {

  /** The TLS protocol names a policy may list. */
  public static final Set<String> KNOWN_PROTOCOLS = Set.of("TLSv1.2", "TLSv1.3");

  /** The grace period of {@link #defaults()}. */
  public static final Duration DEFAULT_GRACE = Duration.ofSeconds(30);

  private static final SaPolicy DEFAULTS = builder("default").appliesTo("anonymous").build();

  /**
   * Hashes the name only. The registry interns each SA's terms (protocol, cipher suite, policy) in a
   * hash map on every new SA; the record's own hash would walk every list and duration of the
   * policy each time. Equal policies have equal names, so this agrees with {@link #equals}.
   */
  @Override
  public int hashCode() {
    return name.hashCode();
  }

  /** Whether a policy asks the client for a certificate. */
  public enum ClientAuth {
    NONE, WANT, NEED
  }

  /** Which SAs a login or logout flushes. */
  public enum FlushScope {
    /** Nothing. */
    NONE,
    /** The SA of the connection the event arrived on. */
    CONNECTION,
    /** Every SA of the peer the event came from. */
    PEER,
    /** Every SA in the registry. */
    ALL
  }

  /**
   * What happens to the connections still open on an SA that a login or logout flushes. The
   * connection that carried the login, and every other connection of the deleted SAs, can no longer
   * be trusted with the new user's requests: it was negotiated under the old terms.
   */
  public enum OpenConnections {
    /**
     * They end (the default): after the response they are writing, or at once if idle, so that the
     * client's next request negotiates a new SA under the right policy. A request that reaches a
     * deleted SA anyway is answered {@code 421 Misdirected Request}, which clients retry on a new
     * connection.
     */
    CLOSE,
    /**
     * They carry on until the client or the container closes them; only new connections negotiate
     * anew. For those who accept that requests keep travelling on an SA that no longer exists.
     */
    KEEP
  }

  public SaPolicy {
    requireNonNull(name, "name");
    appliesTo = Set.copyOf(appliesTo);
    protocols = List.copyOf(protocols);
    cipherSuites = List.copyOf(cipherSuites);
    requireNonNull(clientAuth, "clientAuth");
    requireNonNull(grace, "grace");
    requireNonNull(maxAge, "maxAge");
    requireNonNull(onLogin, "onLogin");
    requireNonNull(onLogout, "onLogout");
    requireNonNull(openConnections, "openConnections");
  }

  /** Returns the anonymous policy used when none is configured: grace 30 s, login flushes the connection's SA. */
  public static SaPolicy defaults() {
    return DEFAULTS;
  }

  /** Returns a builder for a policy with the given name, starting from the default settings. */
  public static Builder builder(String name) {
    return new Builder(name);
  }

  /** Returns a builder that starts from this policy. */
  public Builder toBuilder() {
    Builder b = new Builder(name);
    b.appliesTo.addAll(appliesTo);
    b.protocols = protocols;
    b.cipherSuites = cipherSuites;
    b.clientAuth = clientAuth;
    b.grace = grace;
    b.maxAge = maxAge;
    b.maxAgeAtOnce = maxAgeAtOnce;
    b.onLogin = onLogin;
    b.onLogout = onLogout;
    b.requireOwnAssociation = requireOwnAssociation;
    b.openConnections = openConnections;
    return b;
  }

  /** Returns whether the SA has a maximum age. */
  public boolean hasMaxAge() {
    return !maxAge.isZero();
  }

  /** Builds a {@link SaPolicy}; each setter checks its argument and names it when it is wrong. */
  public static final class Builder {
    private final String name;
    private final Set<String> appliesTo = new LinkedHashSet<>();
    private List<String> protocols = List.of();
    private List<String> cipherSuites = List.of();
    private ClientAuth clientAuth = ClientAuth.NONE;
    private Duration grace = DEFAULT_GRACE;
    private Duration maxAge = Duration.ZERO;
    private boolean maxAgeAtOnce;
    private FlushScope onLogin = FlushScope.CONNECTION;
    private FlushScope onLogout = FlushScope.CONNECTION;
    private boolean requireOwnAssociation;
    private OpenConnections openConnections = OpenConnections.CLOSE;

    private Builder(String name) {
      requireNonNull(name, "name");
      if (!name.matches("[A-Za-z0-9_.-]+")) {
        throw new IllegalArgumentException(
            "policy name '" + name + "' must be letters, digits, '.', '_' or '-'");
      }
      this.name = name;
    }

    /**
     * Adds selectors of the principals this policy applies to: {@code anonymous}, {@code role:NAME}
     * or {@code user:NAME}.
     */
    public Builder appliesTo(String... selectors) {
      for (String selector : selectors) {
        requireNonNull(selector, "selector");
        String s = selector.trim();
        boolean ok = s.equals("anonymous")
            || (s.startsWith("role:") && s.length() > 5)
            || (s.startsWith("user:") && s.length() > 5);
        if (!ok) {
          throw new IllegalArgumentException("policy '" + name + "': appliesTo '" + selector
              + "' must be 'anonymous', 'role:NAME' or 'user:NAME'");
        }
        appliesTo.add(s);
      }
      return this;
    }

    /** Sets the TLS protocols allowed for new SAs (from {@link #KNOWN_PROTOCOLS}); none means the container's. */
    public Builder protocols(String... names) {
      for (String p : names) {
        if (!KNOWN_PROTOCOLS.contains(p)) {
          throw new IllegalArgumentException("policy '" + name + "': protocol '" + p
              + "' is not one of " + KNOWN_PROTOCOLS);
        }
      }
      this.protocols = List.of(names);
      return this;
    }

    /** Sets the cipher suites allowed for new SAs (IANA/JSSE names); none means the container's. */
    public Builder cipherSuites(String... names) {
      for (String c : names) {
        if (!c.startsWith("TLS_")) {
          throw new IllegalArgumentException("policy '" + name + "': cipher suite '" + c
              + "' is not a TLS_* suite name");
        }
      }
      this.cipherSuites = List.of(names);
      return this;
    }

    /** Sets whether new SAs ask the client for a certificate. */
    public Builder clientAuth(ClientAuth clientAuth) {
      this.clientAuth = requireNonNull(clientAuth, "clientAuth");
      return this;
    }

    /** Sets the grace period after the last connection closes; zero deletes at once. */
    public Builder grace(Duration grace) {
      this.grace = nonNegative("grace", grace);
      return this;
    }

    /** Sets the maximum SA age; zero means none. */
    public Builder maxAge(Duration maxAge) {
      this.maxAge = nonNegative("maxAge", maxAge);
      return this;
    }

    /** Sets whether an SA past its maximum age is deleted at once rather than at its last close. */
    public Builder maxAgeAtOnce(boolean atOnce) {
      this.maxAgeAtOnce = atOnce;
      return this;
    }

    /** Sets what a login under this policy flushes. */
    public Builder onLogin(FlushScope scope) {
      this.onLogin = requireNonNull(scope, "onLogin");
      return this;
    }

    /** Sets what a logout under this policy flushes. */
    public Builder onLogout(FlushScope scope) {
      this.onLogout = requireNonNull(scope, "onLogout");
      return this;
    }

    /** Sets whether this policy's principals are refused on an SA negotiated under another policy. */
    public Builder requireOwnAssociation(boolean require) {
      this.requireOwnAssociation = require;
      return this;
    }

    /**
     * Sets what happens to the open connections of the SAs that a login or logout under this policy
     * flushes. Default {@link OpenConnections#CLOSE}.
     */
    public Builder openConnections(OpenConnections openConnections) {
      this.openConnections = requireNonNull(openConnections, "openConnections");
      return this;
    }

    /** Returns the policy. */
    public SaPolicy build() {
      return new SaPolicy(name, appliesTo, protocols, cipherSuites, clientAuth, grace, maxAge,
          maxAgeAtOnce, onLogin, onLogout, requireOwnAssociation, openConnections);
    }

    private Duration nonNegative(String what, Duration d) {
      requireNonNull(d, what);
      if (d.isNegative()) {
        throw new IllegalArgumentException("policy '" + name + "': " + what + " " + d + " is negative");
      }
      return d;
    }
  }
}
