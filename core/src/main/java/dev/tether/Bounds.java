package dev.tether;

import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicLong;

/**
 * The registry's size bounds: a total and a per-peer count of SAs, reserved before an SA is created
 * and returned when it is deleted. Each reservation is one atomic operation, so a bound is never
 * overshot, however many handshakes complete at once.
 *
 * <p>Peers are counted under their keys ({@link Peers#key}). A peer's count is its own
 * {@link AtomicInteger}, changed by compare-and-set: handshakes of one peer completing together take
 * no lock (a map's {@code compute} locks the peer's bin, and two threads then queue on it). The
 * peer's last release marks its count {@link #RETIRED} and removes it from the map; a reservation
 * that finds a retired count removes it too (whichever thread comes first) and starts a new one.
 */
final class Bounds {
  private final long maxTotal;
  private final int maxPerPeer;
  private final AtomicLong total = new AtomicLong();
  private final ConcurrentHashMap<Object, AtomicInteger> perPeer = new ConcurrentHashMap<>();
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
      AtomicInteger count = perPeer.get(peer);
      if (count == null) {
        count = perPeer.putIfAbsent(peer, new AtomicInteger(1));
        if (count == null) {
          return true; // the bound is at least 1
        }
      }
      int held = count.get();
      if (held == RETIRED) {
        perPeer.remove(peer, count);
      } else if (held >= maxPerPeer) {
        return false;
      } else if (count.compareAndSet(held, held + 1)) {
        return true;
      }
    }
  }

  void releasePeer(Object peer) {
    AtomicInteger count = perPeer.get(peer);
    if (count == null) {
      return;
    }
    for (;;) {
      int held = count.get();
      if (held > 1) {
        if (count.compareAndSet(held, held - 1)) {
          return;
        }
      } else if (held == RETIRED || count.compareAndSet(held, RETIRED)) {
        perPeer.remove(peer, count);
        return;
      }
    }
  }

  long total() {
    return total.get();
  }

  int peer(Object peer) {
    AtomicInteger count = perPeer.get(peer);
    return count == null ? 0 : Math.max(0, count.get());
  }
}
