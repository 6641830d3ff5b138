package dev.tether;

import static org.assertj.core.api.Assertions.assertThat;

import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

class PeersTest {

  @ParameterizedTest
  @ValueSource(strings = {"0.0.0.0", "10.0.0.1", "127.0.0.1", "192.0.2.7", "255.255.255.255",
      "198.51.100.200", "1.22.133.4"})
  void anIpv4AddressInItsUsualForm_isKeptAsANumber_andGivesBackItsText(String peer) {
    Object key = Peers.key(peer);

    assertThat(key).isInstanceOf(Integer.class);
    assertThat(Peers.text(key)).isEqualTo(peer);
    assertThat(key).isEqualTo(Peers.key(new String(peer)));
  }

  @ParameterizedTest
  @ValueSource(strings = {"", "unknown", "local", "::1", "2001:db8::7", "[::1]", "010.0.0.1",
      "1.2.3", "1.2.3.4.5", "256.0.0.1", "1.2.3.", ".1.2.3", "1..2.3", "1.2.3.4 ", "+1.2.3.4",
      "1.2.3.1000", "a.b.c.d", "example.org", "0001.2.3.4"})
  void anythingElse_isKeptAsItsText(String peer) {
    Object key = Peers.key(peer);

    assertThat(key).isSameAs(peer);
    assertThat(Peers.text(key)).isSameAs(peer);
  }

  @ParameterizedTest
  @ValueSource(strings = {"10.0.0.1", "::1"})
  void keysOfDifferentPeers_differ(String peer) {
    assertThat(Peers.key(peer)).isNotEqualTo(Peers.key("10.0.0.2"));
  }
}
