package dev.tether.tls;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.net.URL;
import java.net.URLClassLoader;
import java.security.Security;
import org.junit.jupiter.api.Test;

class TlsProviderTest {

  @Test
  void bcjsse_withoutBouncyCastle_failsNamingTheSettingAndEveryMissingJar() throws Exception {
    try (URLClassLoader bare = new URLClassLoader(new URL[0], ClassLoader.getPlatformClassLoader())) {
      assertThatThrownBy(() -> TlsProvider.BCJSSE.bouncyCastle("jetty.tether.provider", bare))
          .isInstanceOf(IllegalStateException.class)
          .hasMessageStartingWith("jetty.tether.provider=bcjsse needs Bouncy Castle")
          .hasMessageEndingWith("missing: bcprov-jdk18on, bcutil-jdk18on, bctls-jdk18on");
    }
  }

  @Test
  void bcjsse_withoutBcTls_namesThatJarOnly() {
    // The tests' class path holds bcprov and bcutil (through tether-certificates), not bctls.
    assertThatThrownBy(() -> TlsProvider.BCJSSE.install("Tether connector attribute provider"))
        .isInstanceOf(IllegalStateException.class)
        .hasMessageStartingWith("Tether connector attribute provider=bcjsse needs Bouncy Castle")
        .hasMessageEndingWith("missing: bctls-jdk18on");
    assertThat(Security.getProvider("BCJSSE")).isNull();
  }

  @Test
  void jdk_installs_withoutBouncyCastle() throws Exception {
    try (URLClassLoader bare = new URLClassLoader(new URL[0], ClassLoader.getPlatformClassLoader())) {
      assertThat(TlsProvider.JDK.install("provider", bare)).isSameAs(Security.getProvider("SunJSSE"));
    }
  }

  @Test
  void parse_acceptsEitherCase_andNamesTheSettingOtherwise() {
    assertThat(TlsProvider.parse("provider", " BcJsse ")).isEqualTo(TlsProvider.BCJSSE);
    assertThat(TlsProvider.parse("provider", "jdk")).isEqualTo(TlsProvider.JDK);
    assertThatThrownBy(() -> TlsProvider.parse("jetty.tether.provider", "openssl"))
        .hasMessage("jetty.tether.provider='openssl' is not a TLS provider: use 'jdk' or 'bcjsse'");
  }
}
