package dev.tether.testing;

import java.security.Principal;
import java.security.cert.Certificate;
import java.util.HashMap;
import java.util.Map;
import javax.net.ssl.SSLPeerUnverifiedException;
import javax.net.ssl.SSLSession;
import javax.net.ssl.SSLSessionContext;

/**
 * A TLS session without TLS: the least an {@link SSLSession} needs for the registry, a value map and
 * invalidation. It stands in for the JSSE session where a test or benchmark needs many SAs and no
 * handshakes (the JSSE session's own cost, about 1.2-1.6 KB, is not Tether's).
 *
 * <p>Thread-safe: the value map is guarded by this session's monitor.
 */
public final class StubSession implements SSLSession {
  private final Map<String, Object> values = new HashMap<>(2);
  private volatile boolean valid = true;

  @Override public synchronized void putValue(String name, Object value) { values.put(name, value); }
  @Override public synchronized Object getValue(String name) { return values.get(name); }
  @Override public synchronized void removeValue(String name) { values.remove(name); }
  @Override public synchronized String[] getValueNames() { return values.keySet().toArray(String[]::new); }
  @Override public void invalidate() { valid = false; }
  @Override public boolean isValid() { return valid; }
  @Override public String getProtocol() { return "TLSv1.3"; }
  @Override public String getCipherSuite() { return "TLS_AES_128_GCM_SHA256"; }
  @Override public byte[] getId() { return new byte[0]; }
  @Override public SSLSessionContext getSessionContext() { return null; }
  @Override public long getCreationTime() { return 0; }
  @Override public long getLastAccessedTime() { return 0; }
  @Override public Certificate[] getPeerCertificates() throws SSLPeerUnverifiedException {
    throw new SSLPeerUnverifiedException("none");
  }
  @Override public Certificate[] getLocalCertificates() { return null; }
  @Override public Principal getPeerPrincipal() throws SSLPeerUnverifiedException {
    throw new SSLPeerUnverifiedException("none");
  }
  @Override public Principal getLocalPrincipal() { return null; }
  @Override public String getPeerHost() { return null; }
  @Override public int getPeerPort() { return -1; }
  @Override public int getPacketBufferSize() { return 16_709; }
  @Override public int getApplicationBufferSize() { return 16_384; }
}
