package dev.tether.tls;

import static org.assertj.core.api.Assertions.assertThat;

import dev.tether.SaPolicy;
import javax.net.ssl.SSLContext;
import javax.net.ssl.SSLEngine;
import javax.net.ssl.SSLParameters;
import org.junit.jupiter.api.Test;

/**
 * Narrowing an engine to a policy on a real JDK engine: what the policy names is intersected with what
 * the engine enables; what it keeps goes back null and the engine keeps its own lists.
 */
class NegotiationTest {

  private static SSLEngine engine() throws Exception {
    SSLEngine engine = SSLContext.getDefault().createSSLEngine();
    engine.setUseClientMode(false);
    engine.setEnabledProtocols(new String[] {"TLSv1.3", "TLSv1.2"});
    return engine;
  }

  @Test
  void aPolicyThatKeepsTheLists_handsThemBackNull_andTheEngineKeepsItsOwn() throws Exception {
    SSLEngine engine = engine();
    String[] suites = engine.getEnabledCipherSuites();
    SSLParameters params = engine.getSSLParameters();

    Negotiation.narrow(params, SaPolicy.defaults());

    assertThat(params.getProtocols()).isNull();
    assertThat(params.getCipherSuites()).isNull();
    engine.setSSLParameters(params);
    assertThat(engine.getEnabledProtocols()).containsExactly("TLSv1.3", "TLSv1.2");
    assertThat(engine.getEnabledCipherSuites()).containsExactly(suites);
  }

  @Test
  void aPolicyThatNamesProtocols_narrowsTheEnginesToThoseItEnables() throws Exception {
    SSLEngine engine = engine();
    engine.setEnabledProtocols(new String[] {"TLSv1.2"});
    String[] suites = engine.getEnabledCipherSuites();
    SSLParameters params = engine.getSSLParameters();

    Negotiation.narrow(params, SaPolicy.builder("both").protocols("TLSv1.3", "TLSv1.2").build());
    engine.setSSLParameters(params);

    assertThat(engine.getEnabledProtocols()).containsExactly("TLSv1.2");
    assertThat(engine.getEnabledCipherSuites()).containsExactly(suites);
  }
}
