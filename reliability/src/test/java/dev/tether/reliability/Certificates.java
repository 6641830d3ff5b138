package dev.tether.reliability;

import dev.tether.certificates.SelfSignedCertificate;
import java.security.GeneralSecurityException;
import javax.net.ssl.SSLContext;
import javax.net.ssl.TrustManager;
import javax.net.ssl.TrustManagerFactory;

/**
 * The servers' certificate (made once per JVM) and client {@link SSLContext}s. Each context has its
 * own session cache: connections from one context resume each other's sessions, connections from
 * different contexts never do.
 */
final class Certificates {
  static final String PASSWORD = "reliability";
  static final SelfSignedCertificate SERVER = SelfSignedCertificate.create(PASSWORD.toCharArray());
  private static final TrustManager[] TRUST_SERVER = trustManagers();

  private Certificates() {}

  /** Returns a new client context that trusts the servers' certificate. */
  static SSLContext client() {
    try {
      SSLContext context = SSLContext.getInstance("TLS");
      context.init(null, TRUST_SERVER, null);
      return context;
    } catch (GeneralSecurityException e) {
      throw new IllegalStateException(e);
    }
  }

  /** Returns a new client context that trusts only the JDK's CAs, so it rejects the server. */
  static SSLContext distrusting() {
    try {
      SSLContext context = SSLContext.getInstance("TLS");
      context.init(null, null, null);
      return context;
    } catch (GeneralSecurityException e) {
      throw new IllegalStateException(e);
    }
  }

  private static TrustManager[] trustManagers() {
    try {
      TrustManagerFactory tmf =
          TrustManagerFactory.getInstance(TrustManagerFactory.getDefaultAlgorithm());
      tmf.init(SERVER.trustStore());
      return tmf.getTrustManagers();
    } catch (GeneralSecurityException e) {
      throw new IllegalStateException(e);
    }
  }
}
