package dev.tether.servlet;

import java.security.Principal;
import java.security.cert.Certificate;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import javax.net.ssl.SSLPeerUnverifiedException;
import javax.net.ssl.SSLSession;
import javax.net.ssl.SSLSessionContext;

/** A TLS session with values and an invalidation flag, enough for the registry's JSSE driver. */
final class FakeSslSession implements SSLSession {
  private final String protocol;
  private final String cipherSuite;
  private final Map<String, Object> values = new ConcurrentHashMap<>();
  private final long created = System.currentTimeMillis();
  private volatile boolean invalidated;

  FakeSslSession(String protocol, String cipherSuite) {
    this.protocol = protocol;
    this.cipherSuite = cipherSuite;
  }

  boolean isInvalidated() {
    return invalidated;
  }

  @Override
  public byte[] getId() {
    return new byte[] {1};
  }

  @Override
  public SSLSessionContext getSessionContext() {
    return null;
  }

  @Override
  public long getCreationTime() {
    return created;
  }

  @Override
  public long getLastAccessedTime() {
    return created;
  }

  @Override
  public void invalidate() {
    invalidated = true;
  }

  @Override
  public boolean isValid() {
    return !invalidated;
  }

  @Override
  public void putValue(String name, Object value) {
    values.put(name, value);
  }

  @Override
  public Object getValue(String name) {
    return values.get(name);
  }

  @Override
  public void removeValue(String name) {
    values.remove(name);
  }

  @Override
  public String[] getValueNames() {
    return values.keySet().toArray(new String[0]);
  }

  @Override
  public Certificate[] getPeerCertificates() throws SSLPeerUnverifiedException {
    throw new SSLPeerUnverifiedException("no client certificate");
  }

  @Override
  public Certificate[] getLocalCertificates() {
    return null;
  }

  @Override
  public Principal getPeerPrincipal() throws SSLPeerUnverifiedException {
    throw new SSLPeerUnverifiedException("no client certificate");
  }

  @Override
  public Principal getLocalPrincipal() {
    return null;
  }

  @Override
  public String getCipherSuite() {
    return cipherSuite;
  }

  @Override
  public String getProtocol() {
    return protocol;
  }

  @Override
  public String getPeerHost() {
    return "127.0.0.1";
  }

  @Override
  public int getPeerPort() {
    return 50000;
  }

  @Override
  public int getPacketBufferSize() {
    return 16709;
  }

  @Override
  public int getApplicationBufferSize() {
    return 16384;
  }
}
