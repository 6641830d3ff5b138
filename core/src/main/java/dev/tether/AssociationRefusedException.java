package dev.tether;

/**
 * Thrown when a connection cannot be given a security association, for example because a bound was
 * reached. Containers answer it by failing the handshake or closing the connection; the refusal is
 * already counted and logged when this is thrown.
 */
public final class AssociationRefusedException extends Exception {
  private final RefusalReason reason;
  private final String peer;

  public AssociationRefusedException(RefusalReason reason, String peer, String message) {
    super(message, null, false, false);
    this.reason = reason;
    this.peer = peer;
  }

  /** Returns why the SA was refused. */
  public RefusalReason reason() {
    return reason;
  }

  /** Returns the peer that was refused. */
  public String peer() {
    return peer;
  }
}
