package dev.tether;

/** Why a security association was deleted. */
public enum DeletionCause {
  /** Its last connection closed and it had no grace period (or could not be resumed anyway). */
  LAST_CLOSE(false),
  /** It stayed idle for its whole grace period. */
  GRACE_EXPIRED(false),
  /** It reached its policy's maximum age. */
  MAX_AGE(false),
  /** The registry was full and an idle SA made room for a new one. */
  PRESSURE(false),
  /** A user logged in (or the principal changed) and the policy flushes on login. */
  LOGIN(true),
  /** A user logged out and the policy flushes on logout. */
  LOGOUT(true),
  /** An operator or the application asked for it. */
  MANUAL(true),
  /** The registry was closed. */
  SHUTDOWN(true),
  /**
   * The node missed events of its cluster (e.g. the stream was trimmed past its position while it
   * was away) and cannot know which of its SAs those flushes named, so it flushed them all.
   */
  MISSED_EVENTS(true);

  private final boolean flush;

  DeletionCause(boolean flush) {
    this.flush = flush;
  }

  /** Returns whether the SA was flushed on demand rather than reaching the end of its life. */
  public boolean isFlush() {
    return flush;
  }
}
