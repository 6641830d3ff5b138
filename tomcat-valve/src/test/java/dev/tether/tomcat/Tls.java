package dev.tether.tomcat;

import dev.tether.tls.TlsProvider;
import java.util.stream.Stream;

/** A TLS protocol version on a server provider: the combinations every TLS test runs under. */
record Tls(String protocol, TlsProvider provider) {

  static Stream<Tls> all() {
    return Stream.of(new Tls("TLSv1.2", TlsProvider.JDK), new Tls("TLSv1.3", TlsProvider.JDK),
        new Tls("TLSv1.2", TlsProvider.BCJSSE), new Tls("TLSv1.3", TlsProvider.BCJSSE));
  }

  /** TLS 1.2 only, on both providers: what renegotiation applies to. */
  static Stream<Tls> tls12() {
    return all().filter(t -> t.protocol().equals("TLSv1.2"));
  }

  /** Whether the server resumes sessions of this protocol at all. */
  boolean resumes() {
    return protocol.equals("TLSv1.2") || provider.resumesTls13();
  }

  TetherServer.Builder server() {
    return TetherServer.builder().protocols(protocol).set("provider", provider.settingValue());
  }

  @Override
  public String toString() {
    return protocol + "/" + provider.settingValue();
  }
}
