package dev.tether;

import java.security.Principal;
import java.security.cert.Certificate;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;
import javax.net.ssl.SSLPeerUnverifiedException;
import javax.net.ssl.SSLSession;
import javax.net.ssl.SSLSessionContext;

/**
 * A stand-in for a JSSE session: values, invalidation and the few getters the registry reads. TLS 1.3
 * lineages are modelled with {@link #resumed()}, which returns a new session object sharing the values,
 * as the JDK's stateful cache does.
 */
final class FakeSession implements SSLSession {
  private static final AtomicInteger IDS = new AtomicInteger();

  private final Map<String, Object> values;
  /** Shared by a lineage; invalidating its first session ends every resumption from it, as in JSSE. */
  private final AtomicBoolean lineage;
  private final boolean first;
  private final String protocol;
  private final byte[] id = Integer.toString(IDS.incrementAndGet()).getBytes();
  private volatile boolean valid = true;
  final AtomicInteger invalidations = new AtomicInteger();

  FakeSession() {
    this("TLSv1.3");
  }

  FakeSession(String protocol) {
    this(protocol, new ConcurrentHashMap<>(), new AtomicBoolean(true), true);
  }

  private FakeSession(String protocol, Map<String, Object> values, AtomicBoolean lineage,
      boolean first) {
    this.protocol = protocol;
    this.values = values;
    this.lineage = lineage;
    this.first = first;
  }

  /** Returns the session object a TLS 1.3 resumption of this one gets: new object, same values. */
  FakeSession resumed() {
    return new FakeSession(protocol, values, lineage, false);
  }

  /** Returns whether a client could still resume from this session. */
  boolean isResumable() {
    return valid && lineage.get();
  }

  @Override public byte[] getId() { return id.clone(); }
  @Override public SSLSessionContext getSessionContext() { return null; }
  @Override public long getCreationTime() { return 0; }
  @Override public long getLastAccessedTime() { return 0; }
  @Override public void invalidate() {
    valid = false;
    if (first) {
      lineage.set(false);
    }
    invalidations.incrementAndGet();
  }
  @Override public boolean isValid() { return valid; }
  @Override public void putValue(String name, Object value) { values.put(name, value); }
  @Override public Object getValue(String name) { return values.get(name); }
  @Override public void removeValue(String name) { values.remove(name); }
  @Override public String[] getValueNames() { return values.keySet().toArray(String[]::new); }
  @Override public Certificate[] getPeerCertificates() throws SSLPeerUnverifiedException {
    throw new SSLPeerUnverifiedException("none");
  }
  @Override public Certificate[] getLocalCertificates() { return null; }
  @Override public Principal getPeerPrincipal() throws SSLPeerUnverifiedException {
    throw new SSLPeerUnverifiedException("none");
  }
  @Override public Principal getLocalPrincipal() { return null; }
  @Override public String getCipherSuite() { return "TLS_AES_128_GCM_SHA256"; }
  @Override public String getProtocol() { return protocol; }
  @Override public String getPeerHost() { return null; }
  @Override public int getPeerPort() { return -1; }
  @Override public int getPacketBufferSize() { return 16_709; }
  @Override public int getApplicationBufferSize() { return 16_384; }
}
