package dev.tether;

import java.util.Map;

/**
 * A snapshot of a registry's gauges and counters. Counters only grow; gauges are exact when no
 * operation is in flight, and never negative. An SA moving between active and idle at the instant
 * of the snapshot is counted on one side or the other, never on both: {@code active + idle} never
 * exceeds the SAs held.
 *
 * @param active SAs referenced by at least one connection
 * @param idle SAs waiting out their grace period
 * @param leases open leases, i.e. live connections holding an SA (including SAs already flushed)
 * @param accepted TLS connections the container reported as accepted
 * @param negotiated SAs created by a full handshake
 * @param reused connections that resumed an existing SA
 * @param revived connections that resumed an SA during its grace period, i.e. after its last
 *     connection had closed: the full handshakes the grace period saved
 * @param released leases released
 * @param deleted SAs deleted, for any cause
 * @param flushed SAs deleted on demand (login, logout, manual, shutdown); included in {@code deleted}
 * @param refused connections refused an SA, for any reason
 * @param handshakeFailures handshakes that failed
 * @param closedBeforeHandshake connections that closed before their handshake completed
 * @param staleResumptions connections that resumed the TLS session of an SA deleted meanwhile; the
 *     session was deleted, and the connection refused (counted in {@code refused}, reason
 *     {@code STALE}) if the SA was flushed or reached its maximum age, or served as a new SA that
 *     cannot be resumed if the SA merely ended its life (its last close, its grace) as it came back
 * @param endedConnections open connections that a flush ended because it deleted their SA (closed
 *     after their response, or at once if idle)
 * @param deletedByCause {@code deleted}, by cause
 * @param refusedByReason {@code refused}, by reason
 */
public record AssociationStats(
    long active,
    long idle,
    long leases,
    long accepted,
    long negotiated,
    long reused,
    long revived,
    long released,
    long deleted,
    long flushed,
    long refused,
    long handshakeFailures,
    long closedBeforeHandshake,
    long staleResumptions,
    long endedConnections,
    Map<DeletionCause, Long> deletedByCause,
    Map<RefusalReason, Long> refusedByReason) {

  public AssociationStats {
    deletedByCause = Map.copyOf(deletedByCause);
    refusedByReason = Map.copyOf(refusedByReason);
  }

  /** Returns the number of SAs in the registry, active or idle. */
  public long associations() {
    return active + idle;
  }

  /** Returns the handshakes that produced a lease: {@code negotiated + reused}. */
  public long handshakes() {
    return negotiated + reused;
  }
}
