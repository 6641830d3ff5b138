package dev.tether;

/** Why a connection was refused a security association. */
public enum RefusalReason {
  /** The registry holds its maximum number of SAs and none was idle to make room. */
  MAX_ASSOCIATIONS,
  /** The peer holds its maximum number of SAs. */
  MAX_PER_PEER,
  /** The policy engine refused the SA or the request it carried. */
  POLICY,
  /** The registry is closed. */
  CLOSED,
  /**
   * The connection resumed the TLS session of an SA that was deleted meanwhile (a stale resumption):
   * its terms ended with the SA, so the connection is not served and the session is deleted.
   */
  STALE
}
