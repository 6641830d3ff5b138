package dev.tether.jetty;

import dev.tether.tls.TlsProvider;

/** A server TLS provider and the one protocol the client offers; tests name failures by it. */
enum TlsCombo {
  JDK_TLS12(TlsProvider.JDK, "TLSv1.2"),
  JDK_TLS13(TlsProvider.JDK, "TLSv1.3"),
  BCJSSE_TLS12(TlsProvider.BCJSSE, "TLSv1.2"),
  /** Bouncy Castle does no server-side TLS 1.3 resumption: every connection is its own SA. */
  BCJSSE_TLS13(TlsProvider.BCJSSE, "TLSv1.3");

  final TlsProvider provider;
  final String protocol;

  TlsCombo(TlsProvider provider, String protocol) {
    this.provider = provider;
    this.protocol = protocol;
  }

  @Override
  public String toString() {
    return provider.settingValue() + "/" + protocol;
  }
}
