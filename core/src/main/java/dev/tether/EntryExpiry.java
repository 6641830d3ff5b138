package dev.tether;

import com.github.benmanes.caffeine.cache.Expiry;

/**
 * How long Caffeine keeps an entry: forever while referenced (unless its policy deletes it at once at
 * its maximum age), the grace period once idle, and never past the maximum age.
 */
final class EntryExpiry implements Expiry<Long, Entry> {

  @Override
  public long expireAfterCreate(Long key, Entry entry, long now) {
    return duration(entry, now);
  }

  @Override
  public long expireAfterUpdate(Long key, Entry entry, long now, long currentDuration) {
    return duration(entry, now);
  }

  @Override
  public long expireAfterRead(Long key, Entry entry, long now, long currentDuration) {
    return currentDuration;
  }

  static long duration(Entry entry, long now) {
    SaPolicy policy = entry.policy();
    long untilMaxAge = Long.MAX_VALUE;
    if (policy.hasMaxAge()) {
      untilMaxAge = Math.max(0L, entry.createdNanos() + nanos(policy.maxAge()) - now);
    }
    if (!entry.isIdle()) {
      return policy.maxAgeAtOnce() ? untilMaxAge : Long.MAX_VALUE;
    }
    return Math.min(nanos(policy.grace()), untilMaxAge);
  }

  /** Converts without overflow: durations of centuries saturate. */
  static long nanos(java.time.Duration d) {
    try {
      return d.toNanos();
    } catch (ArithmeticException e) {
      return Long.MAX_VALUE;
    }
  }
}
