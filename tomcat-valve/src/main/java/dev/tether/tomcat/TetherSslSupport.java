package dev.tether.tomcat;

import java.io.IOException;
import java.security.cert.X509Certificate;
import java.util.Map;
import javax.net.ssl.SSLSession;
import org.apache.tomcat.util.net.SSLSessionManager;
import org.apache.tomcat.util.net.SSLSupport;
import org.apache.tomcat.util.net.jsse.JSSESupport;

/**
 * Tomcat's view of a connection's TLS session, as the channel gives it to every processor of the
 * connection, carrying the {@link TrackedConnection} it belongs to. An HTTP/1.1 processor and each
 * HTTP/2 stream processor of the connection receive it ({@code Processor.setSslSupport}), and a
 * request reads it back as the attribute {@link SSLSupport#SESSION_MGR}: so the valve finds the
 * request's connection on whichever thread the request runs, HTTP/2 streams included.
 *
 * <p>It extends {@link JSSESupport}, because Tomcat casts to it (a TLS 1.2 renegotiation for a client
 * certificate sets the new session on it), and answers every question through the support the
 * connector's implementation made, so applications see exactly what they would without Tether.
 *
 * <p>Immutable apart from the delegate's session; thread-safe as the delegate is.
 */
final class TetherSslSupport extends JSSESupport {
  private final SSLSupport delegate;
  private final TrackedConnection connection;

  TetherSslSupport(SSLSupport delegate, TrackedConnection connection) {
    super(null, Map.of());
    this.delegate = delegate;
    this.connection = connection;
  }

  /** Returns the connection whose TLS session this is. */
  TrackedConnection connection() {
    return connection;
  }

  @Override
  public String getCipherSuite() throws IOException {
    return delegate.getCipherSuite();
  }

  @Override
  public X509Certificate[] getLocalCertificateChain() {
    return delegate.getLocalCertificateChain();
  }

  @Override
  public X509Certificate[] getPeerCertificateChain() throws IOException {
    return delegate.getPeerCertificateChain();
  }

  @Override
  public Integer getKeySize() throws IOException {
    return delegate.getKeySize();
  }

  @Override
  public String getSessionId() throws IOException {
    return delegate.getSessionId();
  }

  @Override
  public void setSession(SSLSession session) {
    if (delegate instanceof JSSESupport jsse) {
      jsse.setSession(session);
    }
  }

  @Override
  public void invalidateSession() {
    if (delegate instanceof SSLSessionManager manager) {
      manager.invalidateSession();
    }
  }

  @Override
  public String getProtocol() throws IOException {
    return delegate.getProtocol();
  }

  @Override
  public String getRequestedProtocols() throws IOException {
    return delegate.getRequestedProtocols();
  }

  @Override
  public String getRequestedCiphers() throws IOException {
    return delegate.getRequestedCiphers();
  }

  @Override
  public String toString() {
    return "TetherSslSupport[" + connection + "]";
  }
}
