package dev.tether.it;

import dev.tether.AssociationListener;
import dev.tether.DeletionCause;
import dev.tether.SecurityAssociation;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.stream.Collectors;

/**
 * Records what a registry announced, per SA: negotiations (with the SA's policy and protocol),
 * revivals within the grace and deletions with their cause. The server side of the scenarios, read in the test JVM; registered with
 * {@code registry.addListener(...)} by the container fixture as soon as the registry exists.
 *
 * <p>Thread-safe: the registry calls it from connection and maintenance threads.
 */
final class SaJournal implements AssociationListener {
  private final Map<String, SecurityAssociation> negotiated = new ConcurrentHashMap<>();
  private final Map<String, DeletionCause> deleted = new ConcurrentHashMap<>();
  private final Map<String, Long> idleSinceNanos = new ConcurrentHashMap<>();
  private final Map<String, Long> deletedNanos = new ConcurrentHashMap<>();
  private final List<String> revived = new CopyOnWriteArrayList<>();

  @Override
  public void onNegotiated(SecurityAssociation sa) {
    negotiated.put(sa.id(), sa);
  }

  @Override
  public void onIdle(SecurityAssociation sa) {
    idleSinceNanos.put(sa.id(), System.nanoTime());
  }

  @Override
  public void onRevived(SecurityAssociation sa, Duration idleFor) {
    revived.add(sa.id());
  }

  @Override
  public void onDeleted(SecurityAssociation sa, DeletionCause cause) {
    deletedNanos.putIfAbsent(sa.id(), System.nanoTime());
    deleted.putIfAbsent(sa.id(), cause);
  }

  /** Returns the ids of the SAs negotiated for {@code peer}. */
  Set<String> negotiatedFor(String peer) {
    return negotiated.entrySet().stream().filter(e -> e.getValue().peer().equals(peer))
        .map(Map.Entry::getKey).collect(Collectors.toSet());
  }

  /** Returns the SA as it was when it was negotiated (its policy, protocol), or {@code null}. */
  SecurityAssociation negotiation(String id) {
    return negotiated.get(id);
  }

  /** Returns the ids of every SA negotiated. */
  Set<String> negotiated() {
    return Set.copyOf(negotiated.keySet());
  }

  /** Returns the ids of every SA deleted. */
  Set<String> deleted() {
    return Set.copyOf(deleted.keySet());
  }

  /** Returns why the SA was deleted, or {@code null} while it lives. */
  DeletionCause deletionCause(String id) {
    return deleted.get(id);
  }

  /** Returns how long the SA was idle before it was deleted, or {@code null}. */
  Duration idleBeforeDeletion(String id) {
    Long idle = idleSinceNanos.get(id);
    Long gone = deletedNanos.get(id);
    return idle == null || gone == null ? null : Duration.ofNanos(gone - idle);
  }

  /** Returns how many connections resumed the SA during its grace period. */
  long revivals(String id) {
    return revived.stream().filter(id::equals).count();
  }
}
