package dev.tether.jetty;

import static dev.tether.jetty.JettyTether.PROPERTY_PREFIX;

import dev.tether.AssociationRegistry;
import dev.tether.PolicySet;
import dev.tether.RegistryBuilder;
import dev.tether.SaPolicy;
import java.io.IOException;
import java.nio.file.Path;
import java.time.Duration;
import java.util.LinkedHashSet;
import java.util.Set;

/**
 * The settings of the registry a {@link JettyTether} owns, and which of them were set: a bean given a
 * registry must not be configured as if it owned one. Values are checked by the bean's setters; the
 * policy file is read at start, so that a start after editing it sees the new policies.
 *
 * <p>Not thread-safe: configured, then read by the bean's start, as Jetty does with settings.
 */
final class RegistrySettings {
  final Set<String> explicit = new LinkedHashSet<>();
  String registryName = "jetty";
  long grace = SaPolicy.DEFAULT_GRACE.toMillis();
  long maxAssociations = RegistryBuilder.DEFAULT_MAX_ASSOCIATIONS;
  int maxAssociationsPerPeer = RegistryBuilder.DEFAULT_MAX_ASSOCIATIONS_PER_PEER;
  String policies = "";
  long peerBindingTtl = RegistryBuilder.DEFAULT_BINDING_TTL.toMillis();
  long maxBoundPeers = RegistryBuilder.DEFAULT_MAX_BINDINGS;

  /**
   * Reads the policy file, or returns {@code null} without one.
   *
   * @throws IllegalArgumentException naming the setting, the file and the line of the problem
   */
  PolicySet policySet() {
    if (policies.isEmpty()) {
      return null;
    }
    try {
      return PolicySet.load(Path.of(policies));
    } catch (IOException e) {
      throw new IllegalArgumentException(PROPERTY_PREFIX + "policies=" + policies
          + " cannot be read: " + e, e);
    } catch (IllegalArgumentException e) {
      throw new IllegalArgumentException(PROPERTY_PREFIX + "policies=" + policies
          + " is invalid: " + e.getMessage(), e);
    }
  }

  /** Builds the registry; with a policy file the policies' own graces apply, not {@link #grace}. */
  AssociationRegistry build(PolicySet policySet) {
    RegistryBuilder b = AssociationRegistry.builder()
        .name(registryName)
        .grace(Duration.ofMillis(grace))
        .maxAssociations(maxAssociations)
        .maxAssociationsPerPeer(maxAssociationsPerPeer)
        .peerBinding(Duration.ofMillis(peerBindingTtl), maxBoundPeers);
    if (policySet != null) {
      b.policies(policySet);
    }
    return b.build();
  }

  /** Returns the longest grace period of the policies, or {@link #grace} without a policy file. */
  Duration longestGrace(PolicySet policySet) {
    if (policySet == null) {
      return Duration.ofMillis(grace);
    }
    Duration longest = policySet.anonymous().grace();
    for (SaPolicy p : policySet.policies()) {
      longest = p.grace().compareTo(longest) > 0 ? p.grace() : longest;
    }
    return longest;
  }
}
