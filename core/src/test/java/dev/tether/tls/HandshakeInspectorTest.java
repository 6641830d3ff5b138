package dev.tether.tls;

import static org.assertj.core.api.Assertions.assertThat;

import java.security.AlgorithmConstraints;
import java.security.AlgorithmParameters;
import java.security.CryptoPrimitive;
import java.security.Key;
import java.util.EnumSet;
import java.util.Set;
import javax.net.ssl.SSLContext;
import javax.net.ssl.SSLEngine;
import org.junit.jupiter.api.Test;

/**
 * What the inspector answers for the engine's own constraints: a JDK engine's defaults are checked by
 * the JDK around any constraints, so the inspector does not check them again; constraints the
 * engine's owner set are asked, and their refusals stand.
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
}
