package dev.tether;

import static java.util.Objects.requireNonNull;

import com.github.benmanes.caffeine.cache.Caffeine;
import com.github.benmanes.caffeine.cache.Ticker;
import dev.tether.SaPolicy.OpenConnections;
import java.lang.System.Logger.Level;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ConcurrentMap;
import java.util.concurrent.atomic.AtomicLong;
import java.util.function.Predicate;
import javax.net.ssl.SSLSession;

/**
 * The registry's engine, behind {@link AssociationRegistry}: the SA table (a Caffeine cache of
 * {@link Entry} records keyed by SA id), the correlation of connections with SAs, the end of SAs,
 * pressure, deletion, the counters and the views.
 *
 * <p>Concurrency: lock-free on the fast path. SAs live in the cache as immutable {@link Entry}
 * records; an SA's lease count and life are one state word in its {@link SessionTag}, changed by
 * compare-and-set: a connection resuming an SA and its release touch neither the cache nor anything
 * else shared, and counts never go negative. The cache has no expiry and no bound (Caffeine could
 * not be told that a connection revived an SA at the instant it expires it): SAs wait for their end
 * in an {@link IdleQueue}, whose sweep deletes them, and the registry keeps its own bounds. A change
 * of principals is one {@code compute} on the SA's key. Deletion removes the entry in the same atomic
 * step that decides it (marking the state word dead, by compare-and-set where the SA must be idle),
 * and only the thread that removed it runs the deletion's side effects (bounds, driver, counters,
 * the connections to end). Listeners are told outside every lock, through an {@link Outbox} that one
 * thread at a time runs in order. Ids are never reused, so a late release or flush of a deleted SA
 * finds nothing and does nothing.
 */
final class AssociationTable implements IdleQueue.Deleter {
  private static final System.Logger LOG = System.getLogger(AssociationRegistry.class.getName());
  private static final int STRIPES = 64;
  private static final int PRESSURE_SCAN = 64;

  private final AssociationRegistry registry;
  private final String name;
  private final String tagKey;
  private final Ticker ticker;
  private final AssociationDriver driver;
  private final Listeners listeners;
  private final Counters counters = new Counters();
  private final Bounds bounds;
  private final RefusalLog refusalLog;
  private final FlushLog flushLog;
  private final ConcurrentMap<SaKey, Entry> map;
  private final IdleQueue idle;
  private static final AtomicLong INSTANCES = new AtomicLong();

  private final long instance = INSTANCES.incrementAndGet();
  private final AtomicLong sequence = new AtomicLong();
  private final Object[] stripes = new Object[STRIPES];
  private final ConcurrentHashMap<Entry.Terms, Entry.Terms> terms = new ConcurrentHashMap<>();
  private final long epochNanos;
  private final Instant epoch;
  private final DriverWarnings driverWarnings;
  private volatile boolean closed;

  AssociationTable(AssociationRegistry registry, RegistryBuilder b) {
    this.registry = registry;
    this.name = b.name;
    // The instance number keeps a restarted registry of the same name from trusting old tags.
    this.tagKey = "dev.tether.association." + b.name + "#" + instance;
    this.ticker = b.ticker;
    this.driver = b.driver;
    this.listeners = new Listeners(b.listeners);
    this.bounds = new Bounds(b.maxAssociations, b.maxAssociationsPerPeer);
    this.refusalLog = new RefusalLog(name, ticker, IdleQueue.nanos(b.refusalLogInterval));
    this.flushLog = new FlushLog(name, ticker, IdleQueue.nanos(b.refusalLogInterval));
    this.driverWarnings = new DriverWarnings(driver);
    for (int i = 0; i < STRIPES; i++) {
      stripes[i] = new Object();
    }
    // No expiry, no bound: an SA's end is decided by its state word and the idle queue, and the
    // registry keeps its own bounds. Caffeine's unbounded cache is a ConcurrentHashMap of entries.
    this.map = Caffeine.newBuilder().<SaKey, Entry>build().asMap();
    this.idle = new IdleQueue(this, ticker, b.scheduler, b.executor);
    this.epochNanos = ticker.read();
    this.epoch = b.clock.instant();
  }

  long maxAssociations() {
    return bounds.maxTotal();
  }

  int maxAssociationsPerPeer() {
    return bounds.maxPerPeer();
  }

  // ---------------------------------------------------------------------------------------------
  // S2: correlate a connection with its SA

  /** See {@link AssociationRegistry#inspectHandshake}. */
  boolean inspectHandshake(SSLSession handshakeSession, String peer)
      throws AssociationRefusedException {
    Object tag = tagOf(handshakeSession);
    if (tag == null) {
      if (!closed) {
        bind(handshakeSession, new SessionTag(sequence.incrementAndGet(), false));
      }
      return true;
    }
    if (tag instanceof SessionTag t && t.created()) {
      expireIfPast(t);
      if (!map.containsKey(t) && t.refusesResumption()) {
        throw refuseStale(handshakeSession, peer, t);
      }
    }
    return false;
  }

  /** See {@link AssociationRegistry#acquire(SSLSession, String, SaPolicy)}. */
  Lease acquire(SSLSession session, String peer, SaPolicy policy)
      throws AssociationRefusedException {
    if (closed) {
      deleteSession(session);
      throw refuse(RefusalReason.CLOSED, peer, "the registry is closed");
    }
    long now = ticker.read();
    Object tag = tagOf(session);
    if (!(tag instanceof SessionTag t)) {
      return create(session, peer, policy, now);
    }
    if (t.created()) {
      Lease lease = reuse(t, session, now);
      return lease != null ? lease : stale(session, peer, policy, now, t);
    }
    return createReserved(session, peer, policy, now, t);
  }

  /**
   * Resumes the SA of the tag, or returns {@code null} if it is gone. One compare-and-set on the SA's
   * state word adds the lease, whether other connections hold the SA or it is idle; neither the cache
   * nor its expiry changes. An idle SA past its end that the sweep has not reached yet is deleted
   * here, as the sweep would (see {@link IdleQueue}).
   */
  private Lease reuse(SessionTag t, SSLSession session, long now) {
    // The session first: a deletion that follows the lease then invalidates it too.
    t.addSession(session);
    for (;;) {
      long state = t.state();
      if (SessionTag.isDead(state)) {
        return null;
      }
      if (!SessionTag.isIdle(state)) {
        if (t.compareAndSet(state, state + 1)) {
          t.reused();
          t.used(now);
          return reused(t.entry(), -1, now);
        }
        continue;
      }
      Entry entry = t.entry();
      long idleSince = t.lastUsedNanos();
      if (IdleQueue.deadline(entry, idleSince) <= now) {
        if (!expire(t, state, entry, idleSince) && t.state() == state) {
          return null; // no longer in the table (closed)
        }
        continue;
      }
      counters.activating();
      if (t.compareAndSet(state, state + 1)) {
        counters.revived.increment();
        t.reused();
        t.used(now);
        return reused(entry, idleSince, now);
      }
      counters.deactivated();
    }
  }

  /**
   * Deletes the SA of the tag if it is idle past its end (its grace or its maximum age); the sweep
   * has not come yet. An SA in use past its maximum age at once is the sweep's alone, within its
   * pace, as it was the cache's expiry's before.
   */
  private void expireIfPast(SessionTag t) {
    long state = t.state();
    if (SessionTag.isIdle(state)) {
      Entry entry = t.entry();
      long idleSince = t.lastUsedNanos();
      if (IdleQueue.deadline(entry, idleSince) <= ticker.read()) {
        expire(t, state, entry, idleSince);
      }
    }
  }

  @Override
  public boolean expire(SessionTag tag, long state, Entry entry, long idleSince) {
    return remove(tag, IdleQueue.cause(entry, idleSince), e -> tag.killIf(state),
        OpenConnections.CLOSE);
  }

  @Override
  public void endOfAge(SessionTag tag) {
    remove(tag, DeletionCause.MAX_AGE, e -> true, OpenConnections.CLOSE);
  }

  /** Whether an SA's policy deletes it at its maximum age whether in use or not, and that age came. */
  private static boolean isPastMaxAgeAtOnce(Entry e, long now) {
    return e.policy().maxAgeAtOnce() && e.pastMaxAge(now);
  }

  @Override
  public boolean makeRoom(SessionTag tag) {
    return remove(tag, DeletionCause.PRESSURE, e -> tag.killIfIdle(), OpenConnections.CLOSE);
  }

  private Lease reused(Entry after, long idleSince, long now) {
    counters.reused.increment();
    if (!listeners.isEmpty()) {
      SecurityAssociation view = view(after, SecurityAssociation.State.ACTIVE, now);
      listeners.fire(l -> l.onReused(view));
      if (idleSince >= 0) {
        // 'now' was read before the atomic step, and a release racing with it may have made the
        // SA idle after that instant: such an SA was idle for no time at all, never for less.
        Duration idleFor = Duration.ofNanos(Math.max(0, now - idleSince));
        listeners.fire(l -> l.onRevived(view, idleFor));
      }
    }
    return new Lease(registry, this, after, true);
  }

  /**
   * The first connection of a lineage tagged during its handshake: creates the SA under the reserved
   * id. Connections of the same lineage may complete together (a client resuming a ticket before the
   * first connection's handshake was reported): one atomic step on the id decides who creates it;
   * the others reuse it.
   */
  private Lease createReserved(SSLSession session, String peer, SaPolicy policy, long now,
      SessionTag tag) throws AssociationRefusedException {
    Object peerKey = reserveRoom(session, peer);
    Entry created = Entry.create(peerKey, terms(session, policy), now, canResume(session), tag);
    boolean[] won = {false};
    map.computeIfAbsent(tag, k -> {
      if (tag.created()) {
        return null; // created by another connection and deleted meanwhile
      }
      tag.start(created, session, now);
      tag.markCreated();
      won[0] = true;
      counters.created();
      return created;
    });
    if (!won[0]) {
      bounds.releaseTotal();
      bounds.releasePeer(peerKey);
      Lease lease = reuse(tag, session, now);
      return lease != null ? lease : stale(session, peer, policy, now, tag);
    }
    return negotiated(created, now);
  }

  /** A lineage that was not tagged during its handshake: creates its SA and tags it now. */
  private Lease create(SSLSession session, String peer, SaPolicy policy, long now)
      throws AssociationRefusedException {
    Object peerKey = reserveRoom(session, peer);
    Entry entry = null;
    Object raced;
    synchronized (stripes[(System.identityHashCode(session) & 0x7fffffff) % STRIPES]) {
      // Two connections resuming a session that was just created could both miss the tag.
      raced = tagOf(session);
      if (raced == null) {
        // The session's tag is the table's key too.
        SessionTag tag = new SessionTag(sequence.incrementAndGet(), true);
        entry = Entry.create(peerKey, terms(session, policy), now, canResume(session), tag);
        tag.start(entry, session, now);
        counters.created();
        map.put(tag, entry);
        bind(session, tag);
      }
    }
    if (raced != null) {
      bounds.releaseTotal();
      bounds.releasePeer(peerKey);
      return acquire(session, peer, policy);
    }
    return negotiated(entry, now);
  }

  /**
   * Takes room for one more SA of the peer, or refuses the connection; returns the peer's key
   * ({@link Peers#key}), under which the room was taken.
   */
  private Object reserveRoom(SSLSession session, String peer) throws AssociationRefusedException {
    if (!reserveTotalMakingRoom()) {
      deleteSession(session);
      throw refuse(RefusalReason.MAX_ASSOCIATIONS, peer,
          "the registry holds its maximum of " + bounds.maxTotal() + " SAs");
    }
    Object peerKey = Peers.key(peer);
    if (!bounds.reservePeer(peerKey)) {
      bounds.releaseTotal();
      deleteSession(session);
      throw refuse(RefusalReason.MAX_PER_PEER, peer,
          "peer " + peer + " holds its maximum of " + bounds.maxPerPeer() + " SAs");
    }
    return peerKey;
  }

  private Lease negotiated(Entry entry, long now) {
    if (entry.policy().maxAgeAtOnce() && entry.policy().hasMaxAge()) {
      idle.addAged(entry.tag(), entry, now);
    }
    counters.negotiated.increment();
    refusalLog.granted();
    if (!listeners.isEmpty()) {
      SecurityAssociation view = view(entry, SecurityAssociation.State.ACTIVE, now);
      listeners.fire(l -> l.onNegotiated(view));
    }
    if (closed) {
      // close() ran while this SA was being created, after its check above: flush it like the rest.
      // The connection keeps its lease, on a deleted SA, until the stopping container closes it.
      remove(entry.tag(), DeletionCause.SHUTDOWN, e -> true, OpenConnections.CLOSE);
    }
    return new Lease(registry, this, entry, false);
  }

  /**
   * A connection resumed the lineage of a deleted SA. If the SA was flushed, its terms ended with it
   * (a login may have flushed it): the connection is refused. Otherwise the SA ended its life while
   * the client was resuming it (its last close, its grace): the connection gets a new SA that cannot
   * be resumed and is deleted at its last close. The session keeps its old tag, so a ticket that
   * still leaves on this connection leads nowhere, and is deleted at once.
   */
  private Lease stale(SSLSession session, String peer, SaPolicy policy, long now, SessionTag old)
      throws AssociationRefusedException {
    if (old.refusesResumption()) {
      throw refuseStale(session, peer, old);
    }
    counters.staleResumptions.increment();
    Object peerKey = reserveRoom(session, peer);
    SessionTag tag = new SessionTag(sequence.incrementAndGet(), true);
    Entry entry = Entry.create(peerKey, terms(session, policy), now, false, tag);
    tag.start(entry, session, now);
    counters.created();
    map.put(tag, entry);
    deleteSession(session);
    return negotiated(entry, now);
  }

  /** Refuses a resumption of a flushed SA: see {@link #stale}. */
  private AssociationRefusedException refuseStale(SSLSession session, String peer,
      SessionTag tag) {
    counters.staleResumptions.increment();
    deleteSession(session);
    return refuse(RefusalReason.STALE, peer, "peer " + peer + " resumed the TLS session of SA "
        + AssociationRegistry.formatId(tag.id) + ", which was " + describe(tag.deletedBy()));
  }

  private static String describe(DeletionCause cause) {
    return cause == null ? "deleted" : "deleted (" + cause + ")";
  }

  private void bind(SSLSession session, SessionTag tag) {
    try {
      driver.bind(session, tagKey, tag);
    } catch (RuntimeException e) {
      driverWarnings.warn("bind", e);
    }
  }

  private boolean canResume(SSLSession session) {
    try {
      return driver.canResume(session);
    } catch (RuntimeException e) {
      driverWarnings.warn("inspect", e);
      return true;
    }
  }

  private Entry.Terms terms(SSLSession session, SaPolicy policy) {
    Entry.Terms t = new Entry.Terms(session.getProtocol(), session.getCipherSuite(), policy);
    Entry.Terms shared = terms.putIfAbsent(t, t);
    return shared != null ? shared : t;
  }

  /**
   * Reserves room for one more SA, deleting idle SAs while the registry is full. Handshakes that
   * complete together at the bound race for the room made and for the same idle SAs: a thread that
   * loses tries again as long as an idle SA is left, so a connection is refused only when none is.
   */
  private boolean reserveTotalMakingRoom() {
    while (!bounds.reserveTotal()) {
      if (!makeRoom()) {
        return bounds.reserveTotal();
      }
    }
    return true;
  }

  /**
   * Deletes the idle SA closest to its end (or, if another thread deletes or resumes it first, the
   * next one) to make room. Returns false if no SA is idle; true if it deleted one, or if every
   * candidate went meanwhile, since other threads made room or changed the table: look again.
   */
  private boolean makeRoom() {
    return idle.makeRoom(PRESSURE_SCAN, ticker.read());
  }

  // ---------------------------------------------------------------------------------------------
  // S4-S7: release, delete

  /**
   * Releases a lease: one compare-and-set on the SA's state word. The last release makes the SA idle
   * and queues it for the end of its grace ({@link IdleQueue}), without touching the cache; an SA that
   * ends at its last close (no grace, not resumable, past its maximum age) is deleted in one atomic
   * step on its key that removes the last lease with it.
   */
  void release(Entry acquired) {
    long now = ticker.read();
    counters.released.increment();
    SessionTag tag = acquired.tag();
    tag.used(now);
    for (;;) {
      long state = tag.state();
      if (SessionTag.isDead(state)) {
        // Flushed or expired while this lease held it: nothing left to count down.
        if (!listeners.isEmpty()) {
          SecurityAssociation view = view(acquired, SecurityAssociation.State.DELETED, now);
          listeners.fire(l -> l.onReleased(view));
        }
        return;
      }
      if (SessionTag.count(state) > 1) {
        if (tag.compareAndSet(state, state - 1)) {
          // Other connections hold the SA: it stays active.
          if (!listeners.isEmpty()) {
            SecurityAssociation view = view(tag.entry(), now);
            listeners.fire(l -> l.onReleased(view));
          }
          return;
        }
        continue;
      }
      Entry e = tag.entry();
      DeletionCause cause = !e.resumable() || e.policy().grace().isZero()
          ? DeletionCause.LAST_CLOSE
          : e.pastMaxAge(now) ? DeletionCause.MAX_AGE : null;
      if (cause != null) {
        if (deleteAtLastClose(tag, cause, now) || tag.state() == state) {
          return;
        }
        continue;
      }
      if (tag.compareAndSet(state, SessionTag.idleQueued(state))) {
        counters.deactivated();
        if (!SessionTag.isQueued(state)) {
          idle.add(tag, e, tag.lastUsedNanos(), now);
        }
        if (!listeners.isEmpty()) {
          SecurityAssociation view = view(e, SecurityAssociation.State.IDLE, now);
          listeners.fire(l -> l.onReleased(view));
          listeners.fire(l -> l.onIdle(view));
        }
        return;
      }
    }
  }

  /**
   * Deletes an SA with its last lease, in one atomic step on its key; returns false if another
   * connection resumed it meanwhile or it is gone.
   */
  private boolean deleteAtLastClose(SessionTag tag, DeletionCause cause, long now) {
    Entry[] held = new Entry[1];
    map.computeIfPresent(tag, (k, e) -> {
      if (!tag.killIfLast()) {
        return e;
      }
      tag.deletedBy(cause);
      held[0] = e;
      return null;
    });
    if (held[0] == null) {
      return false;
    }
    if (!listeners.isEmpty()) {
      SecurityAssociation view = view(held[0], SecurityAssociation.State.IDLE, now);
      listeners.fire(l -> l.onReleased(view));
    }
    // Counted active until now: it went from active to deleted in one step.
    deleted(held[0], true, cause, now, OpenConnections.CLOSE);
    return true;
  }

  /** Removes the SA if {@code condition} holds; runs the deletion and returns whether it did. */
  private boolean remove(SaKey id, DeletionCause cause, Predicate<Entry> condition,
      OpenConnections open) {
    Entry[] removed = new Entry[1];
    boolean[] wasActive = {false};
    map.computeIfPresent(id, (k, e) -> {
      if (!condition.test(e)) {
        return e;
      }
      removed[0] = e;
      wasActive[0] = e.tag().kill() > 0;
      e.tag().deletedBy(cause);
      return null;
    });
    if (removed[0] == null) {
      return false;
    }
    deleted(removed[0], wasActive[0], cause, ticker.read(), open);
    return true;
  }

  /** The side effects of a deletion, run once by the thread that removed the entry. */
  private void deleted(Entry entry, boolean wasActive, DeletionCause cause, long now,
      OpenConnections open) {
    retire(entry, wasActive, cause);
    endConnections(entry, open);
    if (!listeners.isEmpty()) {
      announce(entry, cause, now);
    }
  }

  /** Tells the deleted SA's connections that asked ({@link Lease#onDeleted}), unless they stay. */
  private static void endConnections(Entry entry, OpenConnections open) {
    Lease[] told = entry.tag().delete(open == OpenConnections.CLOSE);
    if (told != null) {
      for (Lease lease : told) {
        if (lease != null) {
          lease.fireDeleted();
        }
      }
    }
  }

  /** The bookkeeping of a deletion: gauges, bounds, counters, and invalidating the sessions. */
  private void retire(Entry entry, boolean wasActive, DeletionCause cause) {
    counters.removed(wasActive);
    bounds.releaseTotal();
    bounds.releasePeer(entry.peerKey());
    entry.forEachSession(session -> {
      if (!deleteSession(session)) {
        // The lineage may still be resumed: that is no ticket slipping past a deletion.
        entry.tag().deleteFailed();
      }
    });
    counters.deleted(cause);
    if (LOG.isLoggable(Level.DEBUG)) {
      LOG.log(Level.DEBUG, "Tether deleted SA {0} of {1} ({2})", entry.tag(), entry.peer(), cause);
    }
  }

  private void announce(Entry entry, DeletionCause cause, long now) {
    SecurityAssociation view = view(entry, SecurityAssociation.State.DELETED, now);
    listeners.fire(l -> l.onDeleted(view, cause));
  }


  /** Deletes a session through the driver; returns false if the driver failed. */
  private boolean deleteSession(SSLSession session) {
    try {
      driver.delete(session);
      return true;
    } catch (RuntimeException e) {
      driverWarnings.warn("delete", e);
      return false;
    }
  }

  // ---------------------------------------------------------------------------------------------
  // Flushes

  /** Deletes the SA with this id, with its open connections as {@code open} says; returns 1 or 0. */
  int flush(String id, DeletionCause cause, OpenConnections open) {
    long key = AssociationRegistry.parseId(id);
    int n = key >= 0 && remove(new SaKey(key), cause, e -> true, open) ? 1 : 0;
    logFlush(n, cause, "SA " + id);
    return n;
  }

  /** The flush of a peer on this node: a local request's and a remote node's. */
  int flushPeerHere(String peer, DeletionCause cause, OpenConnections open) {
    Object key = Peers.key(peer);
    return flushEntries(e -> e.peerKey().equals(key), cause, "peer " + peer, open);
  }

  /** The flush of every SA on this node: a local request's and a remote node's. */
  int flushAllHere(DeletionCause cause, OpenConnections open) {
    return flushEntries(e -> true, cause, "all SAs", open);
  }

  /** Deletes every SA on this node whose view matches; returns how many. */
  int flushIf(Predicate<SecurityAssociation> filter, DeletionCause cause) {
    long now = ticker.read();
    return flushEntries(e -> filter.test(view(e, now)), cause, "matching SAs",
        OpenConnections.CLOSE);
  }

  private int flushEntries(Predicate<Entry> filter, DeletionCause cause, String what,
      OpenConnections open) {
    int n = 0;
    for (Entry e : map.values()) {
      if (filter.test(e) && remove(e.tag(), cause, x -> true, open)) {
        n++;
      }
    }
    logFlush(n, cause, what);
    return n;
  }

  private void logFlush(int n, DeletionCause cause, String what) {
    flushLog.flushed(n, cause, what);
  }

  // ---------------------------------------------------------------------------------------------
  // Principals, container events

  void recordPrincipal(SaKey id, String principal) {
    requireNonNull(principal, "principal");
    boolean[] added = {false};
    Entry after = map.computeIfPresent(id, (k, e) -> {
      Entry n = e.withPrincipal(principal);
      added[0] = n != e;
      if (added[0]) {
        n.tag().entry(n);
      }
      return n;
    });
    if (added[0] && !listeners.isEmpty()) {
      SecurityAssociation view = view(after, ticker.read());
      listeners.fire(l -> l.onPrincipal(view, principal));
    }
  }

  /** Counts a connection told to end because a flush deleted its SA ({@link Lease#onDeleted}). */
  void connectionEnded() {
    counters.endedConnections.increment();
  }

  void recordAccepted() {
    counters.accepted.increment();
  }

  void recordRefusal(String peer, RefusalReason reason) {
    refuse(reason, peer, "the container refused a request of peer " + peer + " (" + reason + ")");
  }

  void recordHandshakeFailure() {
    counters.handshakeFailures.increment();
  }

  void recordClosedBeforeHandshake() {
    counters.closedBeforeHandshake.increment();
  }

  // ---------------------------------------------------------------------------------------------
  // Views

  Optional<SecurityAssociation> find(String id) {
    long key = AssociationRegistry.parseId(id);
    Entry e = key < 0 ? null : map.get(new SaKey(key));
    long now = ticker.read();
    return e == null || isPast(e, now) ? Optional.empty() : Optional.of(view(e, now));
  }

  List<SecurityAssociation> associations() {
    long now = ticker.read();
    List<Entry> entries = new ArrayList<>(map.values());
    entries.sort(Comparator.comparingLong(e -> e.tag().id));
    List<SecurityAssociation> views = new ArrayList<>(entries.size());
    for (Entry e : entries) {
      if (!isPast(e, now)) {
        views.add(view(e, now));
      }
    }
    return views;
  }

  /**
   * Whether an SA is past its end (idle past its grace or maximum age, or past its maximum age at
   * once), which the sweep has not reached yet: the views leave it out.
   */
  private static boolean isPast(Entry e, long now) {
    return e.isIdle() && IdleQueue.deadline(e, e.idleSinceNanos()) <= now
        || isPastMaxAgeAtOnce(e, now);
  }

  void addListener(AssociationListener listener) {
    listeners.add(listener);
  }

  boolean removeListener(AssociationListener listener) {
    return listeners.remove(listener);
  }

  AssociationStats stats() {
    return counters.snapshot();
  }

  void cleanUp() {
    idle.sweep();
  }

  /** The idle SAs that no queue holds: none between two operations. For tests. */
  long idleUnqueued() {
    return map.values().stream().filter(e -> {
      long s = e.tag().state();
      return SessionTag.isIdle(s) && !SessionTag.isQueued(s);
    }).count();
  }

  /** How many SAs the idle queues hold, deleted and resumed ones included. For tests. */
  int queuedIdle() {
    return idle.size();
  }

  /**
   * Returns the SAs the bound counts: those in the table plus those being created or deleted at this
   * instant; the table never holds more. Read from one counter, it never exceeds
   * {@link #maxAssociations()}, whereas {@code stats().associations()} adds two gauges read one after
   * the other, so an SA moving between active and idle in between is counted twice.
   */
  long size() {
    return bounds.total();
  }

  /** The SAs the per-peer bound counts for {@code peer}. For tests. */
  int peerCount(String peer) {
    return bounds.peer(Peers.key(peer));
  }

  SecurityAssociation view(Entry acquired) {
    long now = ticker.read();
    Entry e = map.get(acquired.tag());
    return e != null ? view(e, now) : view(acquired, SecurityAssociation.State.DELETED, now);
  }

  private SecurityAssociation view(Entry e, long now) {
    return view(e,
        e.isIdle() ? SecurityAssociation.State.IDLE : SecurityAssociation.State.ACTIVE, now);
  }

  private SecurityAssociation view(Entry e, SecurityAssociation.State state, long now) {
    // A deleted SA that was idle keeps its idle times: how long it waited is worth knowing.
    boolean idle = e.isIdle();
    return new SecurityAssociation(AssociationRegistry.formatId(e.tag().id), e.peer(), e.protocol(),
        e.cipherSuite(), e.policy().name(), e.principals(), instant(e.createdNanos()),
        instant(e.lastUsedNanos()), idle ? instant(e.idleSinceNanos()) : null,
        since(now, e.createdNanos()),
        idle ? since(now, e.idleSinceNanos()) : Duration.ZERO, state, e.references(),
        e.reuses());
  }

  /** The time from {@code then} to {@code now}; zero if a racing change came after {@code now}. */
  private static Duration since(long now, long then) {
    return Duration.ofNanos(Math.max(0, now - then));
  }

  private Instant instant(long nanos) {
    return epoch.plusNanos(nanos - epochNanos);
  }

  // ---------------------------------------------------------------------------------------------

  /**
   * Closes the table: every SA is flushed (cause {@code SHUTDOWN}) and new handshakes are refused;
   * returns how many SAs it deleted, or -1 if it was closed already.
   */
  int close() {
    if (closed) {
      return -1;
    }
    closed = true;
    int n = flushAllHere(DeletionCause.SHUTDOWN, OpenConnections.CLOSE);
    idle.clear();
    flushLog.summarize();
    return n;
  }

  boolean isClosed() {
    return closed;
  }

  private AssociationRefusedException refuse(RefusalReason reason, String peer, String detail) {
    counters.refused(reason);
    if (reason == RefusalReason.POLICY || reason == RefusalReason.STALE) {
      // These follow users and their clients, not load: no refusal episode, no WARN per client.
      LOG.log(Level.DEBUG, () -> "Tether registry '" + name + "': " + detail);
    } else {
      refusalLog.refused(reason, peer, detail);
    }
    listeners.fire(l -> l.onRefused(peer, reason));
    return new AssociationRefusedException(reason, peer,
        "Tether refused an SA to " + peer + ": " + detail);
  }


  private Object tagOf(SSLSession session) {
    try {
      return driver.tag(session, tagKey);
    } catch (RuntimeException e) {
      driverWarnings.warn("tag", e);
      return null;
    }
  }

  /** Returns the name under which SAs leave their id in TLS sessions. */
  String tagKey() {
    return tagKey;
  }

  @Override
  public String toString() {
    return "AssociationTable[" + name + "]";
  }
}
