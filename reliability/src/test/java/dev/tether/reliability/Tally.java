package dev.tether.reliability;

import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.atomic.LongAdder;

/**
 * What the clients of a scenario did and saw, counted by name ("connections", "logins", ...), and the
 * unexpected failures they met, with their messages.
 *
 * <p>Thread-safe: counters are {@link LongAdder}s, failures a copy-on-write list (they are rare).
 */
final class Tally {
  private final Map<String, LongAdder> counts = new ConcurrentHashMap<>();
  private final List<String> failures = new CopyOnWriteArrayList<>();

  void add(String what) {
    add(what, 1);
  }

  void add(String what, long n) {
    counts.computeIfAbsent(what, k -> new LongAdder()).add(n);
  }

  long get(String what) {
    LongAdder n = counts.get(what);
    return n == null ? 0 : n.sum();
  }

  /** Records an unexpected failure; a test asserts there were none. */
  void failed(String during, Throwable e) {
    add("failures");
    if (failures.size() < 20) {
      failures.add(during + ": " + e);
    }
  }

  List<String> failures() {
    return failures;
  }

  @Override
  public String toString() {
    Map<String, Long> sorted = new TreeMap<>();
    counts.forEach((k, v) -> sorted.put(k, v.sum()));
    return sorted.toString();
  }
}
