package dev.tether.shop;

import dev.tether.Lease;
import dev.tether.SecurityAssociation;
import dev.tether.servlet.TetherAttributes;
import jakarta.servlet.http.HttpServletRequest;

/**
 * What a page tells a visitor about the connection it arrived on: TLS or not, the protocol and cipher
 * suite, and the Tether security association with whether it was resumed.
 *
 * <p>The SA id and the resumed flag come from the request attributes of {@link TetherAttributes};
 * protocol and cipher suite from the SA when the lease is readable, else from the standard servlet
 * attributes ({@code jakarta.servlet.request.secure_protocol} is Servlet 6.1 and not set by every
 * container).
 *
 * @param secure whether the request came over TLS
 * @param protocol the TLS protocol, or {@code null} if unknown
 * @param cipherSuite the cipher suite, or {@code null} if unknown
 * @param associationId the SA id, or {@code null} if the connection has none
 * @param resumed whether the connection resumed its SA, or {@code null} if it has none
 * @param deleted whether the SA was flushed while this connection held it (the connection ends
 *     after this response, unless a policy keeps it open)
 */
public record ConnectionInfo(boolean secure, String protocol, String cipherSuite,
    String associationId, Boolean resumed, boolean deleted) {

  static final String CIPHER_SUITE = "jakarta.servlet.request.cipher_suite";
  static final String SECURE_PROTOCOL = "jakarta.servlet.request.secure_protocol";

  /** Reads the connection's facts from the request. */
  public static ConnectionInfo of(HttpServletRequest request) {
    String protocol = null;
    String cipher = null;
    boolean deleted = false;
    Lease lease = TetherAttributes.lease(request);
    if (lease != null) {
      SecurityAssociation sa = lease.association();
      protocol = sa.protocol();
      cipher = sa.cipherSuite();
      deleted = sa.state() == SecurityAssociation.State.DELETED;
    }
    if (protocol == null && request.getAttribute(SECURE_PROTOCOL) instanceof String p) {
      protocol = p;
    }
    if (cipher == null && request.getAttribute(CIPHER_SUITE) instanceof String c) {
      cipher = c;
    }
    return new ConnectionInfo(request.isSecure(), protocol, cipher,
        TetherAttributes.associationId(request), TetherAttributes.resumed(request), deleted);
  }

  /** Returns the footer's text, for example {@code TLSv1.3 · TLS_AES_128_GCM_SHA256}. */
  public String transport() {
    if (!secure) {
      return "plain HTTP: no TLS, no security association";
    }
    StringBuilder sb = new StringBuilder("TLS");
    if (protocol != null) {
      sb.setLength(0);
      sb.append(protocol);
    }
    if (cipherSuite != null) {
      sb.append(" · ").append(cipherSuite);
    }
    return sb.toString();
  }

  /** Returns the SA part of the footer, or a note that there is none. */
  public String association() {
    if (associationId == null) {
      return secure ? "no Tether SA on this connector" : "none";
    }
    if (deleted) {
      // A login or logout flushed it during this request: the connection ends after this page.
      return "SA " + associationId + " · deleted (flushed: the next page comes over a new SA)";
    }
    if (resumed == null) {
      return "SA " + associationId;
    }
    return "SA " + associationId + (resumed ? " · resumed (no new handshake)"
        : " · new (full handshake)");
  }
}
