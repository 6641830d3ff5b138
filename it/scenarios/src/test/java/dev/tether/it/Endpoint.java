package dev.tether.it;

import dev.tether.AssociationRegistry;
import dev.tether.SaPolicy;
import dev.tether.SecurityAssociation;
import java.time.Duration;
import java.util.List;

/**
 * One HTTPS connector of the shop with Tether on it: its port, its registry (read in the test JVM),
 * the grace period of its anonymous policy, and the journal of its registry's events.
 *
 * @param name the connector's (and registry's) name
 * @param port the local port, on 127.0.0.1
 * @param registry the connector's registry
 * @param grace the grace period of anonymous SAs on the connector
 * @param journal what the registry announced
 */
record Endpoint(String name, int port, AssociationRegistry registry, Duration grace,
    SaJournal journal) {

  /**
   * Returns the endpoint of a connector whose registry started, after checking that the registry runs
   * the anonymous policy the fixture configured (so a setting the adapter ignored fails the start, not
   * a scenario), and starts its journal.
   *
   * @param anonymousPolicy the name of the policy anonymous traffic should get
   * @param grace that policy's grace period
   */
  static Endpoint of(String name, int port, AssociationRegistry registry, String anonymousPolicy,
      Duration grace) {
    if (registry == null) {
      throw new IllegalStateException("Tether did not start on connector " + name);
    }
    SaPolicy anonymous = registry.defaultPolicy();
    if (!anonymous.name().equals(anonymousPolicy) || !anonymous.grace().equals(grace)) {
      throw new IllegalStateException("Tether connector " + name + " runs anonymous policy '"
          + anonymous.name() + "' with grace " + anonymous.grace() + ", not '" + anonymousPolicy
          + "' with grace " + grace);
    }
    SaJournal journal = new SaJournal();
    registry.addListener(journal);
    return new Endpoint(name, port, registry, grace, journal);
  }

  /** Returns the live SAs of {@code peer}, oldest first. */
  List<SecurityAssociation> associationsOf(String peer) {
    return registry.associations().stream().filter(sa -> sa.peer().equals(peer)).toList();
  }
}
