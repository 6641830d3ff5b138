package dev.tether;

import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicLong;

/**
 * The registry's size bounds: a total and a per-peer count of SAs, reserved before an SA is created
 * and returned when it is deleted. Each reservation is one atomic operation, so a bound is never
 * overshot, however many handshakes complete at once.
 */
final class Bounds {
  private final long maxTotal;
  private final int maxPerPeer;
  private final AtomicLong total = new AtomicLong();
  private final ConcurrentHashMap<String, Integer> perPeer = new ConcurrentHashMap<>();

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
  boolean reservePeer(String peer) {
    boolean[] granted = {false};
    perPeer.compute(peer, (p, n) -> {
      int held = n == null ? 0 : n;
      if (held >= maxPerPeer) {
        return n;
      }
      granted[0] = true;
      return held + 1;
    });
    return granted[0];
  }

  void releasePeer(String peer) {
    perPeer.computeIfPresent(peer, (p, n) -> n <= 1 ? null : n - 1);
  }

  long total() {
    return total.get();
  }

  int peer(String peer) {
    return perPeer.getOrDefault(peer, 0);
  }
}
