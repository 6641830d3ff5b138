package dev.tether;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.ArrayList;
import java.util.BitSet;
import java.util.List;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.atomic.AtomicBoolean;
import org.junit.jupiter.api.Test;

class ChunkedQueueTest {

  private record Item(int producer, int seq) {}

  @Test
  void firstInFirstOut_acrossChunks_andEmptyAfter() {
    ChunkedQueue<Integer> queue = new ChunkedQueue<>();
    assertThat(queue.peek()).isNull();
    assertThat(queue.poll()).isNull();
    int n = ChunkedQueue.CHUNK * 3 + 7;
    for (int i = 0; i < n; i++) {
      queue.add(i);
    }
    assertThat(queue.size()).isEqualTo(n);
    for (int i = 0; i < n; i++) {
      assertThat(queue.peek()).isEqualTo(i);
      assertThat(queue.poll()).isEqualTo(i);
    }
    assertThat(queue.size()).isZero();
    assertThat(queue.poll()).isNull();
    queue.add(-1);
    assertThat(queue.size()).isEqualTo(1);
    assertThat(queue.poll()).isEqualTo(-1);
  }

  @Test
  void clear_takesEverything() {
    ChunkedQueue<Integer> queue = new ChunkedQueue<>();
    for (int i = 0; i < ChunkedQueue.CHUNK + 1; i++) {
      queue.add(i);
    }
    queue.clear();
    assertThat(queue.size()).isZero();
    assertThat(queue.poll()).isNull();
    queue.add(1);
    assertThat(queue.poll()).isEqualTo(1);
  }

  /**
   * Producers add while two consumers take: every element is taken exactly once, and each consumer
   * sees each producer's elements in the order they were added (the queue is first in, first out,
   * and its consumers take one at a time).
   */
  @Test
  void producersAndConsumersAtOnce_loseNothing_duplicateNothing_keepEachProducersOrder()
      throws Exception {
    int producers = 4;
    int each = 40_000;
    ChunkedQueue<Item> queue = new ChunkedQueue<>();
    BitSet[] taken = new BitSet[producers];
    for (int p = 0; p < producers; p++) {
      taken[p] = new BitSet(each);
    }
    AtomicBoolean producing = new AtomicBoolean(true);
    CountDownLatch start = new CountDownLatch(1);
    ExecutorService pool = Executors.newFixedThreadPool(producers + 2);
    try {
      List<Future<?>> adding = new ArrayList<>();
      for (int p = 0; p < producers; p++) {
        int producer = p;
        adding.add(pool.submit(() -> {
          start.await();
          for (int i = 0; i < each; i++) {
            queue.add(new Item(producer, i));
          }
          return null;
        }));
      }
      List<Future<List<Item>>> taking = new ArrayList<>();
      for (int c = 0; c < 2; c++) {
        taking.add(pool.submit(() -> {
          List<Item> mine = new ArrayList<>();
          start.await();
          for (;;) {
            Item item = queue.poll();
            if (item != null) {
              mine.add(item);
            } else if (!producing.get() && queue.size() == 0) {
              return mine;
            }
          }
        }));
      }
      start.countDown();
      for (Future<?> f : adding) {
        f.get();
      }
      producing.set(false);
      int total = 0;
      for (Future<List<Item>> f : taking) {
        int[] last = new int[producers];
        java.util.Arrays.fill(last, -1);
        for (Item item : f.get()) {
          assertThat(item.seq()).isGreaterThan(last[item.producer()]);
          last[item.producer()] = item.seq();
          assertThat(taken[item.producer()].get(item.seq())).isFalse();
          taken[item.producer()].set(item.seq());
          total++;
        }
      }
      assertThat(total).isEqualTo(producers * each);
      for (BitSet b : taken) {
        assertThat(b.cardinality()).isEqualTo(each);
      }
    } finally {
      pool.shutdownNow();
    }
  }
}
