package dev.tether.shop;

import static org.assertj.core.api.Assertions.assertThat;

import org.junit.jupiter.api.Test;

/** The footer's words for each state of the connection's SA. */
class ConnectionInfoTest {

  @Test
  void association_saysNewResumedOrFlushed() {
    assertThat(info(false, false).association()).isEqualTo("SA 0000002a · new (full handshake)");
    assertThat(info(true, false).association())
        .isEqualTo("SA 0000002a · resumed (no new handshake)");
    assertThat(info(true, true).association()).startsWith("SA 0000002a · deleted (flushed");
  }

  @Test
  void association_withoutTls_orWithoutTether() {
    assertThat(new ConnectionInfo(false, null, null, null, null, false).association())
        .isEqualTo("none");
    assertThat(new ConnectionInfo(true, "TLSv1.3", null, null, null, false).association())
        .isEqualTo("no Tether SA on this connector");
  }

  private static ConnectionInfo info(boolean resumed, boolean deleted) {
    return new ConnectionInfo(true, "TLSv1.3", "TLS_AES_128_GCM_SHA256", "0000002a", resumed,
        deleted);
  }
}
