package dev.tether;

import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicLong;

/**
 * The registry's size bounds: a total and a per-peer count of SAs, reserved before an SA is created
 * and returned when it is deleted. Each reservation is one atomic operation, so a bound is never
 * overshot, however many handshakes complete at once.
 *
 * <p>Peers are counted under their keys ({@link Peers#key}). A peer holding one SA, as most do, is
 * counted by the shared {@link #ONE} in the map: no object of its own. Its second SA gives it its
 * own {@link AtomicInteger}, changed by compare-and-set from then on: handshakes of one peer
 * completing together take no lock (a map's {@code compute} or {@code replace} locks the peer's bin,
 * and two threads then queue on it). The peer's last release removes its count: {@link #ONE} by a
 * conditional remove; a counter is marked {@link #RETIRED} first, and a reservation that finds a
 * retired counter removes it too (whichever thread comes first) and starts again.
 */
final class Bounds {
  private final long maxTotal;
  private final int maxPerPeer;
  private final AtomicLong total = new AtomicLong();
  /** A peer's count: {@link #ONE}, or its {@link AtomicInteger} once it held two SAs at once. */
  private final ConcurrentHashMap<Object, Object> perPeer = new ConcurrentHashMap<>();
  /** The count of a peer holding one SA (the cached {@code Integer}: shared by all such peers). */
  private static final Integer ONE = 1;
  /** The count of a peer whose last SA went: no longer in the map, or about to leave it. */
  private static final int RETIRED = -1;

  Bounds(long maxTotal, int maxPerPeer) {
    this.maxTotal = maxTotal;
    this.maxPerPeer = maxPerPeer;
  }

  long maxTotal() {
    return maxTotal;
  }

  int maxPerPeer() {
    return maxPerPeer;
  }

  /** Reserves one SA in total; returns false at the bound. */
  boolean reserveTotal() {
    for (;;) {
      long n = total.get();
      if (n >= maxTotal) {
        return false;
      }
      if (total.compareAndSet(n, n + 1)) {
        return true;
      }
    }
  }

  void releaseTotal() {
    total.decrementAndGet();
  }

  /** Reserves one SA for the peer; returns false at the bound. */
  boolean reservePeer(Object peer) {
    for (;;) {
      Object count = perPeer.get(peer);
      if (count == null) {
        if (perPeer.putIfAbsent(peer, ONE) == null) {
          return true; // the bound is at least 1
        }
      } else if (count == ONE) {
        if (maxPerPeer <= 1) {
          return false;
        }
        if (perPeer.replace(peer, ONE, new AtomicInteger(2))) {
          return true;
        }
      } else {
        AtomicInteger counter = (AtomicInteger) count;
        int held = counter.get();
        if (held == RETIRED) {
          perPeer.remove(peer, counter);
        } else if (held >= maxPerPeer) {
          return false;
        } else if (counter.compareAndSet(held, held + 1)) {
          return true;
        }
      }
    }
  }

  void releasePeer(Object peer) {
    for (;;) {
      Object count = perPeer.get(peer);
      if (count == null) {
        return;
      }
      if (count == ONE) {
        if (perPeer.remove(peer, ONE)) {
          return;
        }
        continue; // a second SA came meanwhile and gave the peer a counter
      }
      AtomicInteger counter = (AtomicInteger) count;
      for (;;) {
        int held = counter.get();
        if (held > 1) {
          if (counter.compareAndSet(held, held - 1)) {
            return;
          }
        } else if (held == RETIRED || counter.compareAndSet(held, RETIRED)) {
          perPeer.remove(peer, counter);
          return;
        }
      }
    }
  }

  long total() {
    return total.get();
  }

  int peer(Object peer) {
    Object count = perPeer.get(peer);
    if (count == null) {
      return 0;
    }
    return count == ONE ? 1 : Math.max(0, ((AtomicInteger) count).get());
  }
}
