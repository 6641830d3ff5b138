package dev.tether.tls;

import static org.assertj.core.api.Assertions.assertThat;

import dev.tether.AssociationRegistry;
import dev.tether.testing.StubSession;
import java.nio.ByteBuffer;
import java.security.AlgorithmConstraints;
import java.security.AlgorithmParameters;
import java.security.CryptoPrimitive;
import java.security.Key;
import java.util.EnumSet;
import java.util.Set;
import javax.net.ssl.SSLContext;
import javax.net.ssl.SSLEngine;
import javax.net.ssl.SSLEngineResult;
import javax.net.ssl.SSLSession;
import org.junit.jupiter.api.Test;

/**
 * What the inspector answers for the engine's own constraints: a JDK engine's defaults are checked by
 * the JDK around any constraints, so the inspector does not check them again; constraints the
 * engine's owner set are asked, and their refusals stand. And how often it asks the engine for its
 * handshake session. (That it finds the session in time in real JDK handshakes, before any TLS 1.3
 * ticket, is {@code TlsConnectionHandshakeTest}'s.)
 */
class HandshakeInspectorTest {
  private static final Set<CryptoPrimitive> SIGNATURE = EnumSet.of(CryptoPrimitive.SIGNATURE);

  @Test
  void jdkEngine_holdsTheJdkDefaults_whichTheInspectorDoesNotCheckAgain() throws Exception {
    SSLEngine engine = SSLContext.getDefault().createSSLEngine();
    engine.setUseClientMode(false);
    AlgorithmConstraints engines = engine.getSSLParameters().getAlgorithmConstraints();

    assertThat(HandshakeInspector.isJdkDefault(engines)).isTrue();
    HandshakeInspector inspector = new HandshakeInspector(engine, engines, null, null);
    assertThat(inspector.passesOn()).isFalse();
    // The JDK's defaults refuse MD5 signatures; the inspector leaves that to the JDK's own check.
    assertThat(engines.permits(SIGNATURE, "MD5withRSA", null)).isFalse();
    assertThat(inspector.permits(SIGNATURE, "MD5withRSA", null)).isTrue();
  }

  @Test
  void ownersConstraints_areAsked_andTheirRefusalStands() throws Exception {
    SSLEngine engine = SSLContext.getDefault().createSSLEngine();
    AlgorithmConstraints noSha384 = new AlgorithmConstraints() {
      @Override
      public boolean permits(Set<CryptoPrimitive> primitives, String algorithm,
          AlgorithmParameters parameters) {
        return !algorithm.contains("SHA384");
      }

      @Override
      public boolean permits(Set<CryptoPrimitive> primitives, Key key) {
        return true;
      }

      @Override
      public boolean permits(Set<CryptoPrimitive> primitives, String algorithm, Key key,
          AlgorithmParameters parameters) {
        return permits(primitives, algorithm, parameters);
      }
    };

    assertThat(HandshakeInspector.isJdkDefault(noSha384)).isFalse();
    HandshakeInspector inspector = new HandshakeInspector(engine, noSha384, null, null);
    assertThat(inspector.passesOn()).isTrue();
    assertThat(inspector.permits(SIGNATURE, "SHA384withECDSA", null)).isFalse();
    assertThat(inspector.permits(SIGNATURE, "SHA256withECDSA", null)).isTrue();
    assertThat(HandshakeInspector.isJdkDefault(null)).isFalse();
  }

  @Test
  void asksTheEngineForItsSession_atEveryEighthQuestion_findsItWithinEight_thenStopsAsking() {
    try (AssociationRegistry registry = AssociationRegistry.builder().name("inspector").build()) {
      SessionEngine engine = new SessionEngine();
      TlsConnection connection = TlsConnection.accepted(registry, "192.0.2.1");
      HandshakeInspector inspector = new HandshakeInspector(engine, null, connection, null);

      // Questions before the engine has a handshake session (a JDK engine asks some 200).
      for (int i = 0; i < 200; i++) {
        assertThat(inspector.permits(SIGNATURE, "SHA256withECDSA", null)).isTrue();
      }
      assertThat(engine.asked).isEqualTo(25);

      StubSession session = new StubSession();
      engine.session = session;
      for (int i = 0; i < 8; i++) {
        inspector.permits(SIGNATURE, "SHA256withECDSA", null);
      }
      // Found at the next eighth question: the new lineage is tagged, and the engine is not asked
      // again for the rest of the handshake.
      assertThat(engine.asked).isEqualTo(26);
      assertThat(session.getValueNames()).isNotEmpty();
      for (int i = 0; i < 100; i++) {
        inspector.permits(SIGNATURE, "SHA256withECDSA", null);
      }
      assertThat(engine.asked).isEqualTo(26);
    }
  }

  /** An engine that only says what its handshake session is, and counts how often it was asked. */
  private static final class SessionEngine extends SSLEngine {
    SSLSession session;
    int asked;

    @Override public SSLSession getHandshakeSession() {
      asked++;
      return session;
    }

    @Override public SSLEngineResult wrap(ByteBuffer[] srcs, int off, int len, ByteBuffer dst) {
      throw new UnsupportedOperationException();
    }

    @Override public SSLEngineResult unwrap(ByteBuffer src, ByteBuffer[] dsts, int off, int len) {
      throw new UnsupportedOperationException();
    }

    @Override public Runnable getDelegatedTask() { return null; }
    @Override public void closeInbound() { }
    @Override public boolean isInboundDone() { return false; }
    @Override public void closeOutbound() { }
    @Override public boolean isOutboundDone() { return false; }
    @Override public String[] getSupportedCipherSuites() { return new String[0]; }
    @Override public String[] getEnabledCipherSuites() { return new String[0]; }
    @Override public void setEnabledCipherSuites(String[] suites) { }
    @Override public String[] getSupportedProtocols() { return new String[0]; }
    @Override public String[] getEnabledProtocols() { return new String[0]; }
    @Override public void setEnabledProtocols(String[] protocols) { }
    @Override public SSLSession getSession() { return session; }
    @Override public void beginHandshake() { }
    @Override public SSLEngineResult.HandshakeStatus getHandshakeStatus() {
      return SSLEngineResult.HandshakeStatus.NOT_HANDSHAKING;
    }
    @Override public void setUseClientMode(boolean mode) { }
    @Override public boolean getUseClientMode() { return false; }
    @Override public void setNeedClientAuth(boolean need) { }
    @Override public boolean getNeedClientAuth() { return false; }
    @Override public void setWantClientAuth(boolean want) { }
    @Override public boolean getWantClientAuth() { return false; }
    @Override public void setEnableSessionCreation(boolean flag) { }
    @Override public boolean getEnableSessionCreation() { return true; }
  }
}
