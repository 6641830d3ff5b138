package dev.tether;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.Test;

class BoundsTest {

  @Test
  void aPeersCountGoesBackToZeroAndComesBack() {
    Bounds bounds = new Bounds(10, 2);
    assertThat(bounds.reservePeer("a")).isTrue();
    assertThat(bounds.reservePeer("a")).isTrue();
    assertThat(bounds.reservePeer("a")).isFalse();
    assertThat(bounds.peer("a")).isEqualTo(2);
    bounds.releasePeer("a");
    bounds.releasePeer("a");
    assertThat(bounds.peer("a")).isZero();
    assertThat(bounds.reservePeer("a")).isTrue();
    assertThat(bounds.peer("a")).isEqualTo(1);
    assertThat(bounds.peer("b")).isZero();
  }

  /**
   * Threads of one peer reserve and release at its bound, each reservation held for a moment: the
   * peer never holds more than its bound, and its count ends at zero, however the retirement of a
   * count at its last release and the next reservation interleave.
   */
  @Test
  void threadsOfOnePeerNeverOvershootItsBound() throws Exception {
    threadsOfOnePeer(3);
  }

  /** The same at a bound of one, where the peer's count never becomes a counter of its own. */
  @Test
  void threadsOfOnePeerNeverOvershootABoundOfOne() throws Exception {
    threadsOfOnePeer(1);
  }

  @Test
  void aPeerWithOneSa_thenTwo_thenNone() {
    Bounds bounds = new Bounds(10, 5);
    Object peer = Peers.key("192.0.2.1");
    assertThat(bounds.reservePeer(peer)).isTrue();
    assertThat(bounds.peer(peer)).isEqualTo(1);
    assertThat(bounds.reservePeer(peer)).isTrue(); // now a counter of its own
    assertThat(bounds.peer(peer)).isEqualTo(2);
    bounds.releasePeer(peer);
    assertThat(bounds.peer(peer)).isEqualTo(1);
    bounds.releasePeer(peer);
    assertThat(bounds.peer(peer)).isZero();
    bounds.releasePeer(peer); // nothing held: no negative count
    assertThat(bounds.peer(peer)).isZero();
    assertThat(bounds.reservePeer(peer)).isTrue();
    assertThat(bounds.peer(peer)).isEqualTo(1);
  }

  private static void threadsOfOnePeer(int max) throws Exception {
    int threads = 6;
    int rounds = 20_000;
    Bounds bounds = new Bounds(Long.MAX_VALUE, max);
    AtomicInteger holding = new AtomicInteger();
    AtomicInteger most = new AtomicInteger();
    AtomicInteger granted = new AtomicInteger();
    CountDownLatch start = new CountDownLatch(1);
    ExecutorService pool = Executors.newFixedThreadPool(threads);
    try {
      List<Future<?>> done = new ArrayList<>();
      for (int t = 0; t < threads; t++) {
        done.add(pool.submit(() -> {
          start.await();
          for (int i = 0; i < rounds; i++) {
            if (bounds.reservePeer("198.51.100.7")) {
              granted.incrementAndGet();
              most.accumulateAndGet(holding.incrementAndGet(), Math::max);
              holding.decrementAndGet();
              bounds.releasePeer("198.51.100.7");
            }
          }
          return null;
        }));
      }
      start.countDown();
      for (Future<?> f : done) {
        f.get();
      }
    } finally {
      pool.shutdownNow();
    }
    assertThat(most.get()).isBetween(1, max);
    assertThat(granted.get()).isPositive();
    assertThat(bounds.peer("198.51.100.7")).isZero();
    assertThat(bounds.reservePeer("198.51.100.7")).isTrue();
    assertThat(bounds.peer("198.51.100.7")).isEqualTo(1);
  }
}
