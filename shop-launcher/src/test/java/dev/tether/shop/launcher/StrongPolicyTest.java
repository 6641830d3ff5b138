package dev.tether.shop.launcher;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.tether.PolicySet;
import dev.tether.SaPolicy;
import java.io.IOException;
import java.nio.file.Path;
import java.time.Duration;
import javax.net.ssl.SSLContext;
import javax.net.ssl.SSLHandshakeException;
import javax.net.ssl.SSLSocket;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;

/**
 * The shop's policy without {@code --policies}: one policy for everybody, AEAD suites only, the grace
 * of {@code --grace}; and the shop started on each container negotiates only what it allows.
 */
class StrongPolicyTest {
  @TempDir
  Path dir;

  @Test
  void policy_isForEverybody_aeadOnly_withTheGraceGiven() {
    PolicySet policies = StrongPolicy.policies(Duration.ofMillis(1500));
    SaPolicy strong = policies.anonymous();
    assertThat(policies.policies()).containsExactly(strong);
    assertThat(strong.name()).isEqualTo(StrongPolicy.NAME);
    assertThat(strong.grace()).isEqualTo(Duration.ofMillis(1500));
    assertThat(strong.protocols()).containsExactlyInAnyOrder("TLSv1.2", "TLSv1.3");
    assertThat(strong.cipherSuites()).isNotEmpty().allSatisfy(suite -> assertThat(suite)
        .containsAnyOf("_GCM_", "_CHACHA20_POLY1305_").doesNotContain("CBC"));
    assertThat(strong.cipherSuites()).filteredOn(s -> !s.startsWith("TLS_AES_")
        && !s.startsWith("TLS_CHACHA20_")).allMatch(s -> s.startsWith("TLS_ECDHE_"));
    assertThat(StrongPolicy.text(Duration.ZERO)).contains("\ngrace = 0\n");
  }

  @ParameterizedTest(name = "{0}")
  @EnumSource(Container.class)
  void shop_negotiatesAeadSuitesOnly_refusesCbc(Container container) throws Exception {
    try (RunningShop shop = ShopLauncher.start(LauncherOptions.parse("--container",
        container.optionValue(), "--port", "0", "--keystore", dir.resolve("shop.p12").toString()))) {
      SSLContext client = shop.certificate().clientContext();
      assertThat(handshake(client, shop.port(), "TLSv1.2",
          "TLS_ECDHE_ECDSA_WITH_AES_128_GCM_SHA256")).isEqualTo(
          "TLS_ECDHE_ECDSA_WITH_AES_128_GCM_SHA256");
      assertThat(handshake(client, shop.port(), "TLSv1.3", "TLS_CHACHA20_POLY1305_SHA256"))
          .isEqualTo("TLS_CHACHA20_POLY1305_SHA256");
      for (String cbc : new String[] {"TLS_ECDHE_ECDSA_WITH_AES_128_CBC_SHA256",
          "TLS_ECDHE_ECDSA_WITH_AES_256_CBC_SHA384", "TLS_ECDHE_ECDSA_WITH_AES_128_CBC_SHA"}) {
        assertThatThrownBy(() -> handshake(client, shop.port(), "TLSv1.2", cbc)).as(cbc)
            .isInstanceOf(SSLHandshakeException.class);
      }
      assertThat(shop.registry().associations()).allSatisfy(sa -> assertThat(sa.policy())
          .isEqualTo(StrongPolicy.NAME));
    }
  }

  /** Handshakes offering one protocol and one suite; returns the suite the server chose. */
  private static String handshake(SSLContext context, int port, String protocol, String suite)
      throws IOException {
    try (SSLSocket s = (SSLSocket) context.getSocketFactory().createSocket("localhost", port)) {
      s.setEnabledProtocols(new String[] {protocol});
      s.setEnabledCipherSuites(new String[] {suite});
      s.startHandshake();
      return s.getSession().getCipherSuite();
    }
  }
}
