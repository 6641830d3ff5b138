package dev.tether;

import com.github.benmanes.caffeine.cache.Expiry;

/**
 * How long Caffeine keeps an entry: until its maximum age if its policy deletes it then whether in
 * use or not, otherwise forever. The end of an idle SA's grace is not the cache's: see
 * {@link IdleQueue}. The expiry is fixed when the entry is created.
 */
final class EntryExpiry implements Expiry<Long, Entry> {

  @Override
  public long expireAfterCreate(Long key, Entry entry, long now) {
    SaPolicy policy = entry.policy();
    if (!policy.hasMaxAge() || !policy.maxAgeAtOnce()) {
      return Long.MAX_VALUE;
    }
    return Math.max(0L, entry.createdNanos() + nanos(policy.maxAge()) - now);
  }

  @Override
  public long expireAfterUpdate(Long key, Entry entry, long now, long currentDuration) {
    return currentDuration;
  }

  @Override
  public long expireAfterRead(Long key, Entry entry, long now, long currentDuration) {
    return currentDuration;
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
