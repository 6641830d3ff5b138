package dev.tether;

import static java.util.Objects.requireNonNull;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Collection;
import java.util.Collections;
import java.util.HashSet;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Optional;
import java.util.Set;
import java.util.function.Predicate;

/**
 * The named policies of a server, and which one applies to whom.
 *
 * <p>A principal gets the first policy that names the user ({@code user:NAME}), else the first that
 * names one of its roles ({@code role:NAME}), in the order the policies were given; anonymous traffic,
 * and any principal nothing names, gets the anonymous policy (the one that applies to
 * {@code anonymous}, or {@link SaPolicy#defaults()}).
 *
 * <p>Immutable and thread-safe. Load one from a file with {@link #load(Path)} (format in the README,
 * "Policies"); every error names the file and line.
 *
 * <pre>{@code
 * PolicySet policies = PolicySet.load(Path.of("conf/tether-policies.conf"));
 * SaPolicy p = policies.resolve("alice", request::isUserInRole);
 * }</pre>
 */
public final class PolicySet {
  private final List<SaPolicy> policies;
  private final SaPolicy anonymous;
  private final Set<String> roles;

  private PolicySet(List<SaPolicy> policies) {
    Set<String> names = new HashSet<>();
    SaPolicy anon = null;
    for (SaPolicy p : policies) {
      if (!names.add(p.name())) {
        throw new IllegalArgumentException("policy '" + p.name() + "' is defined twice");
      }
      if (p.appliesTo().contains("anonymous")) {
        if (anon != null) {
          throw new IllegalArgumentException("policies '" + anon.name() + "' and '" + p.name()
              + "' both apply to anonymous");
        }
        anon = p;
      }
    }
    this.policies = List.copyOf(policies);
    this.anonymous = anon != null ? anon : SaPolicy.defaults();
    Set<String> named = new LinkedHashSet<>();
    for (SaPolicy p : policies) {
      for (String selector : p.appliesTo()) {
        if (selector.startsWith("role:")) {
          named.add(selector.substring(5));
        }
      }
    }
    this.roles = Collections.unmodifiableSet(named);
  }

  /** Returns a set of the given policies; at most one may apply to {@code anonymous}. */
  public static PolicySet of(SaPolicy... policies) {
    return new PolicySet(List.of(policies));
  }

  /** Returns a set of the given policies. */
  public static PolicySet of(Collection<SaPolicy> policies) {
    return new PolicySet(new ArrayList<>(policies));
  }

  /** Returns the set holding only {@link SaPolicy#defaults()}. */
  public static PolicySet defaults() {
    return of(SaPolicy.defaults());
  }

  /**
   * Loads policies from a file.
   *
   * @throws IOException if the file cannot be read
   * @throws IllegalArgumentException naming the file, the line and the problem if it is invalid
   */
  public static PolicySet load(Path file) throws IOException {
    requireNonNull(file, "file");
    return parse(Files.readString(file), file.toString());
  }

  /**
   * Parses policies from text in the policy file format.
   *
   * @param source names the text in error messages, e.g. a file name
   * @throws IllegalArgumentException naming the source, the line and the problem if it is invalid
   */
  public static PolicySet parse(String text, String source) {
    return of(PolicyFile.parse(text, source));
  }

  /** Returns the policies, in the order given. */
  public List<SaPolicy> policies() {
    return policies;
  }

  /**
   * Returns the role names the policies' {@code role:NAME} selectors name: the only roles that can
   * change which policy a principal gets. An event source that must remember a user's policy
   * beyond the request (to report a later logout) keeps the user's roles among these.
   */
  public Set<String> roles() {
    return roles;
  }

  /** Returns the policy of anonymous traffic. */
  public SaPolicy anonymous() {
    return anonymous;
  }

  /** Returns the policy with this name. */
  public Optional<SaPolicy> find(String name) {
    return policies.stream().filter(p -> p.name().equals(name)).findFirst()
        .or(() -> anonymous.name().equals(name) ? Optional.of(anonymous) : Optional.empty());
  }

  /**
   * Returns the policy of a principal.
   *
   * @param principal the user's name, or {@code null} for anonymous traffic
   * @param inRole tells whether the principal has a role
   */
  public SaPolicy resolve(String principal, Predicate<String> inRole) {
    if (principal == null) {
      return anonymous;
    }
    for (SaPolicy p : policies) {
      if (p.appliesTo().contains("user:" + principal)) {
        return p;
      }
    }
    for (SaPolicy p : policies) {
      for (String selector : p.appliesTo()) {
        if (selector.startsWith("role:") && inRole.test(selector.substring(5))) {
          return p;
        }
      }
    }
    return anonymous;
  }

  @Override
  public String toString() {
    return "PolicySet" + policies.stream().map(SaPolicy::name).toList();
  }
}
