package dev.tether;

import java.time.Duration;

/**
 * Receives the registry's events. Every method has an empty default, so implement only what you need.
 *
 * <p>Listeners are called on the thread that caused the event (a container's I/O thread, the expiry
 * scheduler, or the caller of a flush), after the change and never while the registry holds a lock.
 * They must be quick and thread-safe. One that throws is logged once at WARN and keeps receiving
 * events; it cannot break the registry or the connection.
 */
public interface AssociationListener {

  /** A full handshake created a new SA (S2b-S2e). */
  default void onNegotiated(SecurityAssociation sa) {}

  /** A connection resumed an existing SA and holds a lease on it (S2a yes, S2e). */
  default void onReused(SecurityAssociation sa) {}

  /** A connection closed and released its lease (S4). */
  default void onReleased(SecurityAssociation sa) {}

  /**
   * A connection resumed an SA during its grace period, after {@code idleFor} without connections: a
   * full handshake the grace period saved. Follows {@link #onReused}.
   */
  default void onRevived(SecurityAssociation sa, Duration idleFor) {}

  /** The last connection of an SA closed and the SA waits out its grace period. */
  default void onIdle(SecurityAssociation sa) {}

  /** An SA was deleted (S7); {@code sa} is its last view, in state {@code DELETED}. */
  default void onDeleted(SecurityAssociation sa, DeletionCause cause) {}

  /** A connection was refused an SA. */
  default void onRefused(String peer, RefusalReason reason) {}

  /** A principal was seen for the first time on an SA. */
  default void onPrincipal(SecurityAssociation sa, String principal) {}
}
