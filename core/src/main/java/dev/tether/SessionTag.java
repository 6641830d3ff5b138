package dev.tether;

import java.util.Arrays;

/**
 * The one mutable part of an SA, shared by every {@link Entry} of it (entries are copied on each
 * change) and by every TLS session of its lineage: JSSE shares a session's values with every session
 * resumed from it, so every connection of the lineage finds the same tag.
 *
 * <ul>
 *   <li>{@link #id}: the SA's id. A tag is reserved during a full handshake, before the TLS stack
 *       issues its session tickets (see {@link AssociationRegistry#inspectHandshake}); the first
 *       connection of the lineage to complete its handshake creates the SA under the reserved id.
 *   <li>{@link #created}, {@link #deletedBy}: a created tag whose SA is gone belongs to a deleted
 *       lineage; how it ended decides what a connection that still resumes it gets.
 *   <li>The leases that asked to hear of the SA's deletion ({@link Lease#onDeleted}).
 * </ul>
 *
 * <p>Concurrency: {@link #created} and {@link #deletedBy} change only inside the registry's atomic
 * step on {@link #id}; the leases are guarded by this object's monitor, held only for an array update.
 */
final class SessionTag {
  final Long id;
  volatile boolean created;
  /** Why the SA was deleted, once it was; null while it lives. */
  volatile DeletionCause deletedBy;

  /** The leases to tell; {@code null} until the first, as most SAs have none. */
  private Lease[] leases;
  private int size;
  private boolean deleted;

  SessionTag(Long id, boolean created) {
    this.id = id;
    this.created = created;
  }

  /**
   * Returns whether a connection resuming this lineage now must be refused: its SA was flushed (a
   * login, a logout, an operator, the shutdown) or reached its maximum age, so its terms ended. An SA
   * that merely ended its life (its last connection closed, its grace ran out, it made room) leaves
   * a racing resumption to be served as a new SA that cannot be resumed. An SA without a cause is not
   * deleted: it is being created by another connection of the lineage, this very instant.
   */
  boolean refusesResumption() {
    DeletionCause cause = deletedBy;
    return cause != null && (cause.isFlush() || cause == DeletionCause.MAX_AGE);
  }

  /** Adds a lease; returns false if the SA was deleted already (the caller tells the lease itself). */
  synchronized boolean add(Lease lease) {
    if (deleted) {
      return false;
    }
    if (leases == null) {
      leases = new Lease[2];
    } else if (size == leases.length) {
      leases = Arrays.copyOf(leases, size * 2);
    }
    leases[size++] = lease;
    return true;
  }

  /** Removes a lease, if it is here. */
  synchronized void remove(Lease lease) {
    for (int i = 0; i < size; i++) {
      if (leases[i] == lease) {
        leases[i] = leases[--size];
        leases[size] = null;
        return;
      }
    }
  }

  /**
   * Marks the SA deleted and returns the leases to tell ({@code tell}), or {@code null} if none;
   * later {@link #add}s are refused.
   */
  synchronized Lease[] delete(boolean tell) {
    deleted = true;
    Lease[] held = !tell || size == 0 ? null : Arrays.copyOf(leases, size);
    leases = null;
    size = 0;
    return held;
  }

  @Override
  public String toString() {
    return "SessionTag[" + AssociationRegistry.formatId(id) + (created ? "]" : ", reserved]");
  }
}
