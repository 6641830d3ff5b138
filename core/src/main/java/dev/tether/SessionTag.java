package dev.tether;

import java.lang.invoke.MethodHandles;
import java.lang.invoke.VarHandle;
import java.util.Arrays;
import java.util.function.Consumer;
import javax.net.ssl.SSLSession;

/**
 * The mutable part of an SA, shared by every {@link Entry} of it (entries are copied when a principal
 * is added) and by every TLS session of its lineage: JSSE shares a session's values with every
 * session resumed from it, so every connection of the lineage finds the same tag.
 *
 * <ul>
 *   <li>{@link #id}: the SA's id. A tag is reserved during a full handshake, before the TLS stack
 *       issues its session tickets (see {@link AssociationRegistry#inspectHandshake}); the first
 *       connection of the lineage to complete its handshake creates the SA under the reserved id.
 *   <li>Whether the SA was created, and once it is gone why ({@link #deletedBy()}): a created tag
 *       whose SA is gone belongs to a deleted lineage, and how it ended decides what a connection that
 *       still resumes it gets ({@link #refusesResumption()}).
 *   <li>The leases that asked to hear of the SA's deletion ({@link Lease#onDeleted}).
 *   <li>The SA's lease count and whether it is dead, in one word ({@link #references()}); its reuses,
 *       its last use and the TLS sessions it has seen.
 * </ul>
 *
 * <p>Memory: one object of 64 bytes per SA (compressed references), which is also the SA table's
 * key ({@link SaKey}: equal to any key of the same id); the lease array exists only while a
 * connection listens. {@code sessions} holds a single {@link SSLSession} (the common case, and
 * always TLS 1.2) or, once a TLS 1.3 lineage has produced several session objects, an array of them;
 * it keeps the first session and the most recent ones up to {@link #MAX_SESSIONS}.
 *
 * <p>Concurrency: the creation and the deletion cause change only inside the registry's atomic step
 * on {@link #id} (volatile for the readers outside it); the leases to tell and the sessions are
 * guarded by this object's monitor, held only for an array update. The state word (lease count,
 * idle generation, queued bit, dead bit) changes by compare-and-set alone, on any thread, and is the
 * one point of truth of the SA's life: a connection adds a lease to a living SA, active or idle, by
 * one compare-and-set, and the last release makes it idle by one, starting a new generation; neither
 * touches the cache. Death is the only state without a way back: a deletion marks the SA dead inside
 * the registry's atomic step on {@link #id}, unconditionally (a flush, its maximum age at once) or by
 * a compare-and-set from the idle state word it read ({@link #killIf}, {@link #killIfIdle}), which a
 * racing revival makes fail. The generation makes that state word unique to one idle period, so an
 * SA revived and released again in between is not deleted for the grace of the period before.
 */
final class SessionTag extends SaKey {
  /** The most sessions kept per SA; invalidating the first one ends every ticket derived from it. */
  static final int MAX_SESSIONS = 8;

  /** The state word's dead bit: the SA was deleted, no lease can be added. */
  private static final long DEAD = 1L << 63;
  /** The state word's queued bit: the SA waits in the {@link IdleQueue}, or its sweeper holds it. */
  private static final long QUEUED = 1L << 62;
  /** One idle period: the generation field counts how often the SA went idle. */
  private static final long GENERATION = 1L << 32;
  private static final long GENERATIONS = QUEUED - GENERATION;
  private static final long COUNT = GENERATION - 1;

  private static final VarHandle STATE;
  private static final VarHandle REUSES;

  static {
    try {
      MethodHandles.Lookup lookup = MethodHandles.lookup();
      STATE = lookup.findVarHandle(SessionTag.class, "state", long.class);
      REUSES = lookup.findVarHandle(SessionTag.class, "reuses", int.class);
    } catch (ReflectiveOperationException e) {
      throw new ExceptionInInitializerError(e);
    }
  }

  private static final byte CREATED = 1;
  private static final byte DELETE_FAILED = 2;
  private static final DeletionCause[] CAUSES = DeletionCause.values();

  private volatile byte flags;
  /** The deletion cause's ordinal + 1; 0 while the SA lives. */
  private volatile byte cause;
  /** The leases to tell, {@code null} slots free; {@code null} if none; {@link #DELETED} after. */
  private Lease[] leases;
  /** The lease count, the idle generation, {@link #QUEUED}, and {@link #DEAD} once deleted. */
  @SuppressWarnings("unused") // accessed through STATE
  private volatile long state;
  @SuppressWarnings("unused") // accessed through REUSES
  private volatile int reuses;
  private volatile long lastUsedNanos;
  /** One {@link SSLSession} or an array of them; written under this object's monitor. */
  private volatile Object sessions;
  /** The SA's entry, for connections that resume it without looking it up. */
  private volatile Entry entry;
  /**
   * When the SA's grace ends as the {@link IdleQueue} saw it when it queued the SA; written by the
   * holder of the queued bit before it queues the SA.
   */
  volatile long queuedUntil;

  private static final Lease[] DELETED = {};

  SessionTag(long id, boolean created) {
    super(id);
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

  /**
   * Starts the SA with its first connection: one lease, its first session, its entry. Called once,
   * in the atomic step that creates the SA, before the entry is published.
   */
  void start(Entry first, SSLSession session, long now) {
    entry = first;
    sessions = session;
    lastUsedNanos = now;
    state = 1;
  }

  /** Returns the SA's entry (the latest with its principals). */
  Entry entry() {
    return entry;
  }

  /** Records a newer entry of the SA; called in the atomic step that makes it. */
  void entry(Entry newer) {
    entry = newer;
  }

  /** Returns the number of leases, whether or not the SA is dead. */
  int references() {
    return count(state);
  }

  /**
   * Whether the SA was deleted: no lease can be added to it any more. The mark is set in the atomic
   * step that takes the SA out of the table, so it says what a lookup in the table would, without one.
   */
  boolean isDead() {
    return state < 0;
  }

  /** Returns the state word, for a {@link #compareAndSet} that depends on it. */
  long state() {
    return state;
  }

  boolean compareAndSet(long expected, long next) {
    return STATE.compareAndSet(this, expected, next);
  }

  /** The lease count of a state word. */
  static int count(long state) {
    return (int) (state & COUNT);
  }

  static boolean isDead(long state) {
    return state < 0;
  }

  /** Whether a state word is that of a living SA that no connection holds. */
  static boolean isIdle(long state) {
    return (state & (DEAD | COUNT)) == 0;
  }

  static boolean isQueued(long state) {
    return (state & QUEUED) != 0;
  }

  /** The state word of an SA whose last lease (in {@code state}) is released: a new idle period, queued. */
  static long idleQueued(long state) {
    return (((state & GENERATIONS) + GENERATION) & GENERATIONS) | QUEUED;
  }

  /** The state word without its queued bit. */
  static long unqueued(long state) {
    return state & ~QUEUED;
  }

  /** Marks the SA dead if it is idle; returns whether it did. Its lease count stays 0. */
  boolean killIfIdle() {
    for (long s = state; isIdle(s); s = state) {
      if (STATE.compareAndSet(this, s, s | DEAD)) {
        return true;
      }
    }
    return false;
  }

  /**
   * Marks the SA dead if it holds one lease, the last one, which goes with it; returns whether it
   * did (false if other leases were added, or the SA is dead already).
   */
  boolean killIfLast() {
    for (long s = state; s >= 0 && count(s) == 1; s = state) {
      if (STATE.compareAndSet(this, s, (s & ~COUNT) | DEAD)) {
        return true;
      }
    }
    return false;
  }

  /** Marks the SA dead if its state is still {@code expected}; returns whether it did. */
  boolean killIf(long expected) {
    return STATE.compareAndSet(this, expected, expected | DEAD);
  }

  /**
   * Marks the SA dead inside the atomic step that removes it; returns the leases it held, which say
   * whether it was active.
   */
  int kill() {
    return count((long) STATE.getAndBitwiseOr(this, DEAD));
  }

  /** Counts a connection that resumed the SA. */
  void reused() {
    REUSES.getAndAdd(this, 1);
  }

  int reuses() {
    return reuses;
  }

  /** Records a use (an acquire or a release) at {@code now}. */
  void used(long now) {
    lastUsedNanos = now;
  }

  long lastUsedNanos() {
    return lastUsedNanos;
  }

  /** Records a session of the lineage (TLS 1.3 makes a new one per resumption). */
  void addSession(SSLSession session) {
    if (sessions == session) {
      return;
    }
    synchronized (this) {
      Object known = sessions;
      if (known instanceof SSLSession first) {
        if (first != session) {
          sessions = new SSLSession[] {first, session};
        }
        return;
      }
      SSLSession[] all = (SSLSession[]) known;
      for (SSLSession s : all) {
        if (s == session) {
          return;
        }
      }
      SSLSession[] grown;
      if (all.length < MAX_SESSIONS) {
        grown = Arrays.copyOf(all, all.length + 1);
      } else {
        // Keep the first session of the lineage; drop the oldest of the others.
        grown = all.clone();
        System.arraycopy(all, 2, grown, 1, all.length - 2);
      }
      grown[grown.length - 1] = session;
      sessions = grown;
    }
  }

  /** Calls {@code action} with each session the SA has seen. */
  void forEachSession(Consumer<SSLSession> action) {
    Object known = sessions;
    if (known instanceof SSLSession s) {
      action.accept(s);
    } else if (known != null) {
      for (SSLSession s : (SSLSession[]) known) {
        action.accept(s);
      }
    }
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
    DeletionCause cause = deletedBy();
    return "SessionTag[" + AssociationRegistry.formatId(id) + (created() ? "" : ", reserved")
        + (cause != null ? ", deleted (" + cause + ")" : "") + "]";
  }
}
