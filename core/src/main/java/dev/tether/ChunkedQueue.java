package dev.tether;

import static java.util.Objects.requireNonNull;

import java.lang.invoke.MethodHandles;
import java.lang.invoke.VarHandle;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicReferenceArray;

/**
 * A first-in-first-out queue kept in arrays of {@value #CHUNK} slots: an element costs its slot, 4
 * bytes (a compressed reference), where a linked queue such as {@code ConcurrentLinkedQueue}
 * allocates a 24-byte node for each. The idle queue holds every idle SA once, so at a million SAs
 * this is 20 MB.
 *
 * <p>Adding is lock-free, from any thread: a slot is claimed by one atomic increment of its chunk's
 * count and then written; the producer that finds its chunk full links the next one. Taking is one
 * thread at a time (this queue's monitor): the sweep, and a full table making room. A slot claimed
 * but not yet written holds back the elements after it for the few instructions its producer still
 * needs; the consumer waits for it, so no element is ever skipped.
 *
 * <p>A consumer may see a producer's element a moment late, never out of order; {@link #size()} is
 * exact only when no producer is adding.
 */
final class ChunkedQueue<E> {
  /** Slots per chunk. */
  static final int CHUNK = 1024;
  /** How many times a consumer spins on a claimed slot before it lets other threads run. */
  private static final int SPINS = 64;

  private static final VarHandle TAIL;
  private static final VarHandle NEXT;

  static {
    try {
      MethodHandles.Lookup lookup = MethodHandles.lookup();
      TAIL = lookup.findVarHandle(ChunkedQueue.class, "tail", Chunk.class);
      NEXT = lookup.findVarHandle(Chunk.class, "next", Chunk.class);
    } catch (ReflectiveOperationException e) {
      throw new ExceptionInInitializerError(e);
    }
  }

  private static final class Chunk<E> {
    final AtomicReferenceArray<E> slots = new AtomicReferenceArray<>(CHUNK);
    /** Slots claimed by producers; at {@link #CHUNK} or more the chunk is full. */
    final AtomicInteger claimed = new AtomicInteger();
    volatile Chunk<E> next;

    int filled() {
      return Math.min(claimed.get(), CHUNK);
    }
  }

  /** The chunk producers add to (or one before it, for an instant). */
  private volatile Chunk<E> tail;
  /** The chunk the consumer takes from; guarded by this queue's monitor. */
  private Chunk<E> head;
  /** The slots of {@link #head} taken; guarded by this queue's monitor. */
  private int taken;

  ChunkedQueue() {
    Chunk<E> first = new Chunk<>();
    head = first;
    tail = first;
  }

  /** Adds an element at the end; lock-free. */
  void add(E element) {
    requireNonNull(element, "element");
    for (;;) {
      Chunk<E> last = tail;
      int slot = last.claimed.getAndIncrement();
      if (slot < CHUNK) {
        last.slots.setRelease(slot, element);
        return;
      }
      Chunk<E> next = last.next;
      if (next == null) {
        Chunk<E> fresh = new Chunk<>();
        next = NEXT.compareAndSet(last, null, fresh) ? fresh : last.next;
      }
      TAIL.compareAndSet(this, last, next);
    }
  }

  /** Returns the first element without taking it, or {@code null} if the queue is empty. */
  synchronized E peek() {
    return first(false);
  }

  /** Takes the first element, or returns {@code null} if the queue is empty. */
  synchronized E poll() {
    return first(true);
  }

  private E first(boolean take) {
    int spins = 0;
    for (;;) {
      Chunk<E> chunk = head;
      if (taken < CHUNK) {
        E element = chunk.slots.getAcquire(taken);
        if (element != null) {
          if (take) {
            chunk.slots.setPlain(taken, null); // the queue no longer keeps it alive
            taken++;
          }
          return element;
        }
        if (taken >= chunk.filled()) {
          return null; // no producer claimed this slot yet
        }
        // Claimed and not yet written: its producer is between two instructions.
        if (++spins < SPINS) {
          Thread.onSpinWait();
        } else {
          Thread.yield();
        }
        continue;
      }
      Chunk<E> next = chunk.next;
      if (next == null) {
        return null;
      }
      head = next;
      taken = 0;
    }
  }

  /** Returns the number of elements; exact when no producer is adding. */
  synchronized int size() {
    int n = 0;
    int from = taken;
    for (Chunk<E> c = head; c != null; c = c.next) {
      n += Math.max(0, c.filled() - from);
      from = 0;
    }
    return n;
  }

  /** Takes every element. */
  synchronized void clear() {
    while (first(true) != null) {
      // taken
    }
  }
}
