package dev.tether.jetty;

import static org.assertj.core.api.Assertions.assertThat;

import dev.tether.certificates.SelfSignedCertificate;
import java.security.cert.X509Certificate;
import org.eclipse.jetty.util.ssl.X509;
import org.junit.jupiter.api.Test;

/** The Jetty view of the server's certificate that Tether leaves in each new session. */
class ServerCertificateTest {

  @Test
  void oneCertificate_oneX509_sharedBySessions_andAnotherCertificateGetsItsOwn() {
    X509Certificate first = TestServer.CERT.certificate();
    X509Certificate second = SelfSignedCertificate.create("other".toCharArray()).certificate();

    X509 x509 = JettyTether.x509Of(first);

    assertThat(x509.getCertificate()).isSameAs(first);
    assertThat(x509.getHosts()).isNotEmpty();
    assertThat(JettyTether.x509Of(first)).isSameAs(x509);
    X509 other = JettyTether.x509Of(second);
    assertThat(other).isNotSameAs(x509);
    assertThat(other.getCertificate()).isSameAs(second);
    assertThat(JettyTether.x509Of(first).getCertificate()).isSameAs(first);
  }
}
