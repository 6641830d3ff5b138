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
 *   <li>Whether the SA was created, and once it is gone why ({@link #deletedBy()}): a created tag
 *       whose SA is gone belongs to a deleted lineage, and how it ended decides what a connection that
 *       still resumes it gets ({@link #refusesResumption()}).
 *   <li>The leases that asked to hear of the SA's deletion ({@link Lease#onDeleted}).
 * </ul>
 *
 * <p>Memory: one object of 24 bytes per SA (compressed references), whose {@link #id} is also the
 * cache's key; the lease array exists only while a connection listens.
 *
 * <p>Concurrency: the creation and the deletion cause change only inside the registry's atomic step
 * on {@link #id} (volatile for the readers outside it); the leases are guarded by this object's
 * monitor, held only for an array update.
 */
final class SessionTag {
  private static final byte CREATED = 1;
  private static final byte DELETE_FAILED = 2;
  private static final DeletionCause[] CAUSES = DeletionCause.values();

  final Long id;
  private volatile byte flags;
  /** The deletion cause's ordinal + 1; 0 while the SA lives. */
  private volatile byte cause;
  /** The leases to tell, {@code null} slots free; {@code null} if none; {@link #DELETED} after. */
  private Lease[] leases;

  private static final Lease[] DELETED = {};

  SessionTag(Long id, boolean created) {
    this.id = id;
    this.flags = created ? CREATED : 0;
  }

  boolean created() {
    return (flags & CREATED) != 0;
  }

  /** Marks the SA created; called inside the atomic step that creates it. */
  void markCreated() {
    flags |= CREATED;
  }

  /** Returns why the SA was deleted, or {@code null} while it lives. */
  DeletionCause deletedBy() {
    int c = cause;
    return c == 0 ? null : CAUSES[c - 1];
  }

  /** Records why the SA is deleted; called inside the atomic step that removes it. */
  void deletedBy(DeletionCause why) {
    cause = (byte) (why.ordinal() + 1);
  }

  /** Records that the driver failed to delete one of the SA's sessions. */
  void deleteFailed() {
    flags |= DELETE_FAILED;
  }

  /**
   * Returns whether a connection resuming this lineage now must be refused: its SA was flushed (a
   * login, a logout, an operator, the shutdown) or reached its maximum age, so its terms ended. An SA
   * that merely ended its life (its last connection closed, its grace ran out, it made room) leaves
   * a racing resumption to be served as a new SA that cannot be resumed, and so does an SA whose
   * sessions the driver failed to delete (the client did nothing wrong; the deletion is retried). An
   * SA without a cause is not deleted: it is being created by another connection of the lineage,
   * this very instant.
   */
  boolean refusesResumption() {
    DeletionCause c = deletedBy();
    return c != null && (flags & DELETE_FAILED) == 0
        && (c.isFlush() || c == DeletionCause.MAX_AGE);
  }

  /** Adds a lease; returns false if the SA was deleted already (the caller tells the lease itself). */
  synchronized boolean add(Lease lease) {
    if (leases == DELETED) {
      return false;
    }
    if (leases == null) {
      leases = new Lease[2];
    }
    for (int i = 0; i < leases.length; i++) {
      if (leases[i] == null) {
        leases[i] = lease;
        return true;
      }
    }
    Lease[] grown = Arrays.copyOf(leases, leases.length * 2);
    grown[leases.length] = lease;
    leases = grown;
    return true;
  }

  /** Removes a lease, if it is here. */
  synchronized void remove(Lease lease) {
    if (leases == null) {
      return;
    }
    for (int i = 0; i < leases.length; i++) {
      if (leases[i] == lease) {
        leases[i] = null;
        return;
      }
    }
  }

  /**
   * Marks the SA deleted and returns the leases to tell ({@code tell}), or {@code null} if none;
   * later {@link #add}s are refused.
   */
  synchronized Lease[] delete(boolean tell) {
    Lease[] held = leases;
    leases = DELETED;
    return tell && held != null && held != DELETED ? held : null;
  }

  @Override
  public String toString() {
    return "SessionTag[" + AssociationRegistry.formatId(id) + (created() ? "]" : ", reserved]");
  }
}
