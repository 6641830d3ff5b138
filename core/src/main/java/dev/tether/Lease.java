package dev.tether;

import java.lang.invoke.MethodHandles;
import java.lang.invoke.VarHandle;
import java.util.Objects;

/**
 * One connection's hold on a security association: the patent's correlation of a socket with its SA
 * (S2e). The SA's reference count is the number of its unreleased leases.
 *
 * <p>A container gets a lease from {@link AssociationRegistry#acquire} when the connection's handshake
 * completes and calls {@link #release()} when the connection closes, for whatever reason. Release is
 * idempotent and thread-safe: only the first call counts. A lease on an SA that was flushed stays valid
 * to release but can never bring the SA back.
 *
 * <pre>{@code
 * Lease lease = registry.acquire(sslSession, peerAddress);
 * try {
 *   serve(connection);
 * } finally {
 *   lease.release();
 * }
 * }</pre>
 */
public final class Lease {
  private static final VarHandle RELEASED;
  private static final VarHandle TOLD;

  static {
    try {
      RELEASED = MethodHandles.lookup().findVarHandle(Lease.class, "released", boolean.class);
      TOLD = MethodHandles.lookup().findVarHandle(Lease.class, "told", boolean.class);
    } catch (ReflectiveOperationException e) {
      throw new ExceptionInInitializerError(e);
    }
  }

  private final AssociationRegistry registry;
  private final AssociationTable table;
  private final Entry acquired;
  private final boolean resumed;
  @SuppressWarnings("unused") // accessed through RELEASED
  private volatile boolean released;
  @SuppressWarnings("unused") // accessed through TOLD
  private volatile boolean told;
  /** The principal last recorded through this lease: requests of the same user cost nothing. */
  private volatile String lastPrincipal;
  private String formattedId;
  private String peerText;
  /** What to run when a flush deletes the SA while this lease holds it; see {@link #onDeleted}. */
  private volatile Runnable whenDeleted;

  Lease(AssociationRegistry registry, AssociationTable table, Entry acquired, boolean resumed) {
    this.registry = registry;
    this.table = table;
    this.acquired = acquired;
    this.resumed = resumed;
  }

  /** Returns the id of the SA this lease holds. */
  public String associationId() {
    String id = formattedId;
    if (id == null) {
      // Read on every request of the connection; racing threads format the same string.
      id = AssociationRegistry.formatId(acquired.tag().id);
      formattedId = id;
    }
    return id;
  }

  /** Returns whether the connection resumed an existing SA rather than negotiating a new one. */
  public boolean isResumed() {
    return resumed;
  }

  /** Returns the policy the SA was negotiated under. */
  public SaPolicy policy() {
    return acquired.policy();
  }

  /** Returns the peer the SA belongs to. */
  public String peer() {
    String peer = peerText;
    if (peer == null) {
      // Read on every request of the connection (its login flow); the entry keeps it as a key.
      peer = acquired.peer();
      peerText = peer;
    }
    return peer;
  }

  /** Returns the registry that granted this lease. */
  public AssociationRegistry registry() {
    return registry;
  }

  /** Returns a current view of the SA; its state is {@code DELETED} once it is gone. */
  public SecurityAssociation association() {
    return table.view(acquired);
  }

  /** Returns whether the SA was deleted (flushed, expired) while or after this lease held it. */
  public boolean isDeleted() {
    return acquired.tag().isDead();
  }

  /** Returns whether this lease was released. */
  public boolean isReleased() {
    return released;
  }

  /** Records that {@code principal} authenticated over this lease's SA; cheap when repeated. */
  public void recordPrincipal(String principal) {
    if (!principal.equals(lastPrincipal)) {
      lastPrincipal = principal;
      table.recordPrincipal(acquired.tag(), principal);
    }
  }

  /**
   * Asks to be told, once, when the SA is deleted by a flush (a login, a logout, an operator, its
   * maximum age, the registry's close) while this lease holds it: the container then ends the
   * connection, so that no request travels on a deleted SA. Runs {@code action} at once, on this
   * thread, if the SA is gone already; otherwise on the thread that deletes the SA, outside any lock.
   * A flush under a policy that keeps open connections does not run it. One action per lease; it
   * must be quick and must not throw.
   */
  public void onDeleted(Runnable action) {
    whenDeleted = Objects.requireNonNull(action, "action");
    if (released) {
      return;
    }
    if (!acquired.tag().add(this) || isDeleted()) {
      // Deleted before (or while) we were added: tell ourselves.
      fireDeleted();
    }
  }

  /** Runs the {@link #onDeleted} action, at most once. */
  void fireDeleted() {
    Runnable action = whenDeleted;
    if (action != null && TOLD.compareAndSet(this, false, true)) {
      table.connectionEnded();
      try {
        action.run();
      } catch (RuntimeException e) {
        System.getLogger(AssociationRegistry.class.getName()).log(System.Logger.Level.WARNING,
            "Tether: the action of " + this + " on the deletion of its SA failed", e);
      }
    }
  }

  /**
   * Releases this lease (S4). The first call decrements the SA's reference count and, at zero, deletes
   * the SA or starts its grace period; later calls do nothing.
   *
   * @return whether this call released the lease
   */
  public boolean release() {
    if (!RELEASED.compareAndSet(this, false, true)) {
      return false;
    }
    if (whenDeleted != null) {
      acquired.tag().remove(this);
    }
    table.release(acquired);
    return true;
  }

  @Override
  public String toString() {
    return "Lease[" + associationId() + (released ? ", released]" : "]");
  }
}
