package dev.tether;

import com.github.benmanes.caffeine.cache.Scheduler;
import com.github.benmanes.caffeine.cache.Ticker;
import java.lang.ref.WeakReference;
import java.time.Duration;
import java.util.Comparator;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ConcurrentSkipListSet;
import java.util.concurrent.Executor;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicLong;

/**
 * The idle SAs in the order their grace ends, and the sweep that deletes them when it does.
 *
 * <p>An SA that goes idle (its last connection closed) is queued here and not in the cache's expiry:
 * a connection that resumes it, and its last release after, are then each one compare-and-set on the
 * SA's state word ({@link SessionTag}) and touch neither the cache nor its timer wheel. The cache
 * keeps the entries and nothing else. An SA whose policy deletes it at its maximum age whether in use
 * or not waits for that age here too, from its creation.
 *
 * <p>One first-in-first-out queue per grace period: SAs go idle in the order of time, so each queue
 * is ordered by the end of its SAs' grace, and appending is cheap at any size. A queued SA stays
 * queued once (its state word's queued bit), whatever it does meanwhile: the sweep, finding it at
 * the head, deletes it if its grace really ended, lets go of it if it is active or deleted, and if it
 * was resumed and went idle again since, queues it again in one ordered set, since its grace now ends
 * before that of SAs queued after its last release (at most one such move per SA and grace period,
 * on the sweep's thread). An SA whose maximum age comes before the end of its grace (and which its
 * connections may outlive) waits in the ordered set too. The queues therefore hold at most the SAs
 * idle in the last grace period, plus those deleted or resumed since.
 *
 * <p>The sweep runs on a wake-up at the first deadline (paced like Caffeine's expiry: at most about
 * once a second) and on {@link AssociationRegistry#cleanUp()}; a connection that finds an idle SA
 * past its end before the sweep deletes it itself ({@link AssociationTable}). Deleting is the
 * table's: a compare-and-set from the idle state word the sweep read, inside the atomic step that
 * removes the entry, so a connection that resumes the SA at that instant either wins (the SA lives)
 * or finds it deleted.
 *
 * <p>Thread-safe. Queuing an SA is lock-free; taking SAs off a grace period's queue (the sweep, and a
 * full table making room) is one thread at a time per queue ({@link ChunkedQueue}, 4 bytes per
 * queued SA); one sweep runs at a time.
 */
final class IdleQueue {
  /** The least time between wake-ups: Caffeine's pacing tolerance, 2^30 ns (about 1.07 s). */
  static final long TOLERANCE = 1L << 30;
  private static final long NONE = Long.MAX_VALUE;
  /** Not the state word of an idle SA (its dead bit is set): see {@link #idleOrLetGo}. */
  private static final long LET_GO = -1;
  private static final Comparator<SessionTag> BY_DEADLINE = new ByDeadline();

  /** The order of {@link #ordered}: deadline, then id. */
  private static final class ByDeadline implements Comparator<SessionTag> {
    @Override
    public int compare(SessionTag a, SessionTag b) {
      int byTime = Long.compare(a.queuedUntil, b.queuedUntil);
      return byTime != 0 ? byTime : Long.compare(a.id, b.id);
    }
  }

  /** How the table deletes an SA the queue hands it. */
  interface Deleter {
    /**
     * Deletes the idle SA if its state word is still {@code state} (its grace or maximum age ended);
     * returns whether it did.
     */
    boolean expire(SessionTag tag, long state, Entry entry, long idleSince);

    /** Deletes the SA if it is idle, to make room; returns whether it did. */
    boolean makeRoom(SessionTag tag);

    /** Deletes the SA, in use or not: its policy deletes it at its maximum age at once. */
    void endOfAge(SessionTag tag);
  }

  /** The order of {@link #aged}: the end of the SA's maximum age, then id. */
  private static final class ByAge implements Comparator<SessionTag> {
    @Override
    public int compare(SessionTag a, SessionTag b) {
      int byTime = Long.compare(ageEnd(a.entry()), ageEnd(b.entry()));
      return byTime != 0 ? byTime : Long.compare(a.id, b.id);
    }
  }

  private final ConcurrentHashMap<Duration, ChunkedQueue<SessionTag>> byGrace =
      new ConcurrentHashMap<>();
  /** SAs whose end does not follow the order they went idle in; see the class comment. */
  private final ConcurrentSkipListSet<SessionTag> ordered = new ConcurrentSkipListSet<>(BY_DEADLINE);
  /**
   * SAs whose policy deletes them at their maximum age whether in use or not, from their creation
   * until that age (the end of their age is fixed, so each is added once).
   */
  private final ConcurrentSkipListSet<SessionTag> aged = new ConcurrentSkipListSet<>(new ByAge());
  private final AtomicBoolean sweeping = new AtomicBoolean();
  /** Set by every call of {@link #sweep()}; the running sweep runs again while it is set. */
  private volatile boolean again;
  private final AtomicLong nextWake = new AtomicLong(NONE);
  private final Deleter deleter;
  private final Ticker ticker;
  private final Scheduler scheduler;
  private final Executor executor;
  /**
   * The sweep, as the scheduler runs it. The scheduler holds it only weakly, so that a wake-up still
   * pending keeps no closed registry alive (the default scheduler's delay thread cannot cancel its
   * tasks, and would keep it until the wake-up is due, an SA's grace or maximum age later).
   */
  private final Runnable wakeUp;

  /**
   * {@code scheduler} wakes the sweep (on {@code executor}, if it uses one); a disabled scheduler
   * wakes nobody, and {@link AssociationRegistry#cleanUp()} sweeps.
   */
  IdleQueue(Deleter deleter, Ticker ticker, Scheduler scheduler, Executor executor) {
    this.deleter = deleter;
    this.ticker = ticker;
    this.scheduler = scheduler;
    this.executor = executor;
    this.wakeUp = this::sweep;
  }

  /** When an SA idle since {@code idleSince} is deleted: the end of its grace or its maximum age. */
  static long deadline(Entry entry, long idleSince) {
    long graceEnd = plus(idleSince, nanos(entry.policy().grace()));
    return Math.min(graceEnd, ageEnd(entry));
  }

  /** Why an SA idle since {@code idleSince} ends: whichever of its grace and maximum age comes first. */
  static DeletionCause cause(Entry entry, long idleSince) {
    long graceEnd = plus(idleSince, nanos(entry.policy().grace()));
    return entry.policy().hasMaxAge() && ageEnd(entry) <= graceEnd
        ? DeletionCause.MAX_AGE : DeletionCause.GRACE_EXPIRED;
  }

  private static long ageEnd(Entry entry) {
    SaPolicy policy = entry.policy();
    return policy.hasMaxAge()
        ? plus(entry.createdNanos(), nanos(policy.maxAge())) : NONE;
  }

  /** Converts without overflow: durations of centuries saturate. */
  static long nanos(Duration d) {
    try {
      return d.toNanos();
    } catch (ArithmeticException e) {
      return Long.MAX_VALUE;
    }
  }

  /** {@code a + b} for {@code b >= 0}, saturating at "never". */
  private static long plus(long a, long b) {
    long sum = a + b;
    return sum < a ? NONE : sum;
  }

  /**
   * Queues an SA that went idle at {@code idleSince}, which is now; the caller set its queued bit, so
   * the SA is queued once.
   */
  void add(SessionTag tag, Entry entry, long idleSince, long now) {
    add(tag, entry, idleSince, now, true);
  }

  /** Queues an SA, at the end of its queue if it went idle just now ({@code inOrder}). */
  private void add(SessionTag tag, Entry entry, long idleSince, long now, boolean inOrder) {
    SaPolicy policy = entry.policy();
    long graceEnd = plus(idleSince, nanos(policy.grace()));
    long ageEnd = ageEnd(entry);
    if (!inOrder) {
      tag.queuedUntil = Math.min(graceEnd, ageEnd);
      ordered.add(tag);
    } else if (ageEnd < graceEnd && !policy.maxAgeAtOnce()) {
      tag.queuedUntil = ageEnd;
      ordered.add(tag);
    } else {
      // An SA deleted at its maximum age at once, in use or not, is in aged as well: on time.
      tag.queuedUntil = graceEnd;
      byGrace.computeIfAbsent(policy.grace(), g -> new ChunkedQueue<>()).add(tag);
    }
    wakeAt(tag.queuedUntil, now);
  }

  /**
   * Adds a new SA whose policy deletes it at its maximum age whether in use or not; called once, when
   * it is created.
   */
  void addAged(SessionTag tag, Entry entry, long now) {
    aged.add(tag);
    wakeAt(ageEnd(entry), now);
  }

  /**
   * Deletes the SAs whose grace (or maximum age) has ended, and asks for a wake-up at the next end. A
   * thread that finds a sweep running leaves the work to it, and that sweep runs once more when it
   * is done: the sweep it left to may have passed the queues before the SAs it came for, and a
   * wake-up that finds a sweep running would otherwise be lost.
   */
  void sweep() {
    again = true;
    while (again && sweeping.compareAndSet(false, true)) {
      long now;
      long next = NONE;
      try {
        again = false;
        now = ticker.read();
        nextWake.set(NONE);
        for (ChunkedQueue<SessionTag> queue : byGrace.values()) {
          next = Math.min(next, sweep(queue, now));
        }
        next = Math.min(next, sweepOrdered(now));
        next = Math.min(next, sweepAged(now));
      } finally {
        sweeping.set(false);
      }
      if (next != NONE) {
        wakeAt(next, now);
      }
    }
  }

  /** Sweeps one queue; returns the deadline of its new head, or {@link #NONE}. */
  private long sweep(ChunkedQueue<SessionTag> queue, long now) {
    for (SessionTag head; (head = queue.peek()) != null; ) {
      long until = head.queuedUntil;
      if (until > now) {
        return until;
      }
      SessionTag polled = queue.poll();
      if (polled != null) {
        settle(polled, now);
      }
    }
    return NONE;
  }

  private long sweepOrdered(long now) {
    for (SessionTag first; (first = ordered.pollFirst()) != null; ) {
      if (first.queuedUntil > now) {
        ordered.add(first);
        return first.queuedUntil;
      }
      settle(first, now);
    }
    return NONE;
  }

  private long sweepAged(long now) {
    for (SessionTag first; (first = aged.pollFirst()) != null; ) {
      long end = ageEnd(first.entry());
      if (end > now) {
        aged.add(first);
        return end;
      }
      if (!first.isDead()) {
        deleter.endOfAge(first);
      }
    }
    return NONE;
  }

  /**
   * Returns the state word of an SA taken off a queue if it is idle; lets go of it and returns
   * {@link #LET_GO} if it was deleted meanwhile, or resumed (it loses its queued bit, so that its next
   * last release queues it again).
   */
  private static long idleOrLetGo(SessionTag tag) {
    for (;;) {
      long state = tag.state();
      if (SessionTag.isDead(state)) {
        return LET_GO;
      }
      if (SessionTag.isIdle(state)) {
        return state;
      }
      if (tag.compareAndSet(state, SessionTag.unqueued(state))) {
        return LET_GO;
      }
    }
  }

  /** Decides what becomes of an SA taken off a queue, whose queued bit the caller now holds. */
  private void settle(SessionTag tag, long now) {
    for (;;) {
      long state = idleOrLetGo(tag);
      if (state == LET_GO) {
        return;
      }
      Entry entry = tag.entry();
      long idleSince = tag.lastUsedNanos();
      if (deadline(entry, idleSince) > now) {
        add(tag, entry, idleSince, now, false); // resumed and idle again since it was queued
        return;
      }
      if (deleter.expire(tag, state, entry, idleSince) || tag.state() == state) {
        return; // deleted, or no longer in the table (closed)
      }
    }
  }

  /**
   * Deletes the idle SA closest to its end to make room, taking at most {@code scan} SAs off the
   * queues. Returns false if no SA is queued; true if it deleted one, or if the SAs it took were
   * active, deleted, or idle again with a later end (queued again in their new place): look again.
   */
  boolean makeRoom(int scan, long now) {
    for (int i = 0; i < scan; i++) {
      SessionTag tag = pollEarliest();
      if (tag == null) {
        return i > 0;
      }
      for (;;) {
        long state = idleOrLetGo(tag);
        if (state == LET_GO) {
          break;
        }
        Entry entry = tag.entry();
        long idleSince = tag.lastUsedNanos();
        if (deadline(entry, idleSince) > tag.queuedUntil) {
          add(tag, entry, idleSince, now, false); // resumed and idle again: its place for later
          break;
        }
        if (deleter.makeRoom(tag)) {
          return true;
        }
        if (tag.state() == state) {
          break; // no longer in the table (closed)
        }
      }
    }
    return true;
  }

  /** Takes the queued SA whose deadline comes first, or returns {@code null} if none is queued. */
  private SessionTag pollEarliest() {
    ChunkedQueue<SessionTag> earliest = null;
    long until = NONE;
    for (ChunkedQueue<SessionTag> queue : byGrace.values()) {
      SessionTag head = queue.peek();
      if (head != null && (earliest == null || head.queuedUntil < until)) {
        earliest = queue;
        until = head.queuedUntil;
      }
    }
    SessionTag first = ordered.isEmpty() ? null : ordered.pollFirst();
    if (first != null) {
      if (earliest == null || first.queuedUntil <= until) {
        return first;
      }
      ordered.add(first);
    }
    return earliest == null ? null : earliest.poll();
  }

  /** Lets go of every queued SA (the table is closed and its SAs deleted). */
  void clear() {
    byGrace.values().forEach(ChunkedQueue::clear);
    ordered.clear();
    aged.clear();
  }

  /** Returns how many SAs are queued, deleted and resumed ones included; for tests. */
  int size() {
    int n = ordered.size() + aged.size();
    for (ChunkedQueue<SessionTag> queue : byGrace.values()) {
      n += queue.size();
    }
    return n;
  }

  /**
   * Makes sure a wake-up comes at {@code deadline}, or within {@link #TOLERANCE} after it; never
   * sooner than {@link #TOLERANCE} from {@code now}, so that SAs due one after the other are swept
   * together, as Caffeine paces its own expiry.
   */
  private void wakeAt(long deadline, long now) {
    if (scheduler == Scheduler.disabledScheduler()) {
      return;
    }
    for (;;) {
      long pending = nextWake.get();
      if (pending != NONE && pending - deadline <= TOLERANCE) {
        return;
      }
      long at = Math.max(deadline, now + TOLERANCE);
      if (nextWake.compareAndSet(pending, at)) {
        WeakReference<Runnable> weak = new WeakReference<>(wakeUp);
        scheduler.schedule(executor, () -> {
          Runnable due = weak.get();
          if (due != null) {
            due.run();
          }
        }, at - now, TimeUnit.NANOSECONDS);
        return;
      }
    }
  }
}
