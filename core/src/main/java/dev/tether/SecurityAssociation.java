package dev.tether;

import java.time.Duration;
import java.time.Instant;
import java.util.Set;

/**
 * An immutable view of one security association (SA): the resumable TLS state born in one full
 * handshake, together with the bookkeeping Tether keeps for it.
 *
 * <p>Views are snapshots taken at one instant; they never change and hold no TLS state. Get them from
 * {@link AssociationRegistry#associations()}, {@link AssociationRegistry#find(String)}, a
 * {@link Lease} or an {@link AssociationListener} event.
 *
 * @param id opaque identifier, unique within its registry
 * @param peer the client's IP address, as text
 * @param protocol the TLS protocol negotiated in the full handshake, e.g. {@code TLSv1.3}
 * @param cipherSuite the cipher suite negotiated in the full handshake
 * @param policy the name of the {@link SaPolicy} it was negotiated under
 * @param principals the names of the users that authenticated over it, in order of first use
 * @param created when the full handshake completed
 * @param lastUsed when a connection last acquired or released it
 * @param idleSince when its last connection closed, or {@code null} while it is referenced
 * @param age time since {@code created}, at the snapshot
 * @param idleFor time since {@code idleSince}, or zero while referenced
 * @param state where it is in its life
 * @param references the number of live connections using it (open leases)
 * @param reuses the number of connections that resumed it instead of negotiating
 */
public record SecurityAssociation(
    String id,
    String peer,
    String protocol,
    String cipherSuite,
    String policy,
    Set<String> principals,
    Instant created,
    Instant lastUsed,
    Instant idleSince,
    Duration age,
    Duration idleFor,
    State state,
    int references,
    int reuses) {

  /** Where an SA is in its life. */
  public enum State {
    /** Referenced by at least one connection. */
    ACTIVE,
    /** No connection uses it; it waits out its grace period so that a returning client can resume. */
    IDLE,
    /** Removed from the registry; its TLS sessions were invalidated and can no longer be resumed. */
    DELETED
  }
}
