package dev.tether;

import java.util.Arrays;

/**
 * The leases of one SA whose connections want to hear of its deletion ({@link Lease#onDeleted}):
 * when a flush deletes the SA, the registry tells each of them, so that the container can end the
 * connection and the client's next request negotiates anew.
 *
 * <p>Shared by every {@link Entry} of the SA (entries are copied on each change; this holder is not).
 * Concurrency: a monitor per SA, held only for an array update; nothing is called under it.
 */
final class Sockets {
  private static final Lease[] NONE = new Lease[0];

  private Lease[] leases = NONE;
  private int size;
  private boolean deleted;

  /** Adds a lease; returns false if the SA was deleted already (the caller tells the lease itself). */
  synchronized boolean add(Lease lease) {
    if (deleted) {
      return false;
    }
    if (size == leases.length) {
      leases = Arrays.copyOf(leases, Math.max(2, size * 2));
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

  /** Marks the SA deleted and returns the leases to tell; later {@link #add}s are refused. */
  synchronized Lease[] delete() {
    deleted = true;
    Lease[] held = size == 0 ? NONE : Arrays.copyOf(leases, size);
    leases = NONE;
    size = 0;
    return held;
  }

  /** Marks the SA deleted without telling anyone: its connections may stay open. */
  synchronized void forget() {
    deleted = true;
    leases = NONE;
    size = 0;
  }
}
