package dev.tether.it;

import dev.tether.AssociationRegistry;
import dev.tether.SecurityAssociation;
import java.time.Duration;
import java.util.List;

/**
 * One HTTPS connector of the shop with Tether on it: its port, its registry (read in the test JVM),
 * the grace period it was configured with, and the journal of its registry's events.
 *
 * @param name the connector's (and registry's) name
 * @param port the local port, on 127.0.0.1
 * @param registry the connector's registry
 * @param grace the grace period set on the connector
 * @param journal what the registry announced
 */
record Endpoint(String name, int port, AssociationRegistry registry, Duration grace,
    SaJournal journal) {

  /** Returns the live SAs of {@code peer}, oldest first. */
  List<SecurityAssociation> associationsOf(String peer) {
    return registry.associations().stream().filter(sa -> sa.peer().equals(peer)).toList();
  }
}
