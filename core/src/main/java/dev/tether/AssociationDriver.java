package dev.tether;

import javax.net.ssl.SSLSession;

/**
 * What a security association is, underneath: how its id travels with the TLS session and what
 * deleting it means. This is the patent's "driver" (the IPsec packet classifier that hands back a
 * handle and deletes an SA when told to).
 *
 * <p>The registry keeps its own tag in the first session of every SA with {@link #bind}, finds it again
 * on resumed connections with {@link #tag}, and calls {@link #delete} on every session an SA has seen
 * when the SA is deleted. Implementations must be thread-safe. A driver that throws is logged and the
 * registry carries on, consistent: the SA is deleted from the registry all the same.
 *
 * <p>{@link #jsse()} works for every JSSE provider (the JDK's and Bouncy Castle's {@code BCJSSE}):
 * {@code getValue}/{@code putValue} carry the tag and {@link SSLSession#invalidate()} deletes.
 */
public interface AssociationDriver {

  /** Returns the tag bound under {@code key} to the session (or the lineage it resumes), or {@code null}. */
  Object tag(SSLSession session, String key);

  /** Binds the tag under {@code key} to the session, so that connections resuming it find it. */
  void bind(SSLSession session, String key, Object tag);

  /** Deletes the session: it can no longer be resumed. Connections already open on it carry on. */
  void delete(SSLSession session);

  /**
   * Returns whether a client could ever resume this session. An SA whose session cannot be resumed is
   * deleted when its last connection closes, whatever its grace period: waiting would keep state no
   * client can use. By default, true.
   */
  default boolean canResume(SSLSession session) {
    return true;
  }

  /** Returns the driver for JSSE sessions: session values carry the tag, invalidation deletes. */
  static AssociationDriver jsse() {
    return JsseDriver.INSTANCE;
  }
}

/** The JSSE driver: {@code putValue} carries the tag and {@code invalidate()} deletes. */
enum JsseDriver implements AssociationDriver {
  INSTANCE;

  @Override
  public Object tag(SSLSession session, String key) {
    return session.getValue(key);
  }

  @Override
  public void bind(SSLSession session, String key, Object tag) {
    session.putValue(key, tag);
  }

  @Override
  public void delete(SSLSession session) {
    session.invalidate();
  }

  /** Bouncy Castle's provider does no server-side TLS 1.3 resumption; the JDK's resumes both. */
  @Override
  public boolean canResume(SSLSession session) {
    return !("TLSv1.3".equals(session.getProtocol())
        && session.getClass().getName().startsWith("org.bouncycastle."));
  }

  @Override
  public String toString() {
    return "jsse";
  }
}
