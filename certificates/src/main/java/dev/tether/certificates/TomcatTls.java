package dev.tether.certificates;

import org.apache.tomcat.util.net.SSLHostConfig;
import org.apache.tomcat.util.net.SSLHostConfigCertificate;

/**
 * The TLS host configuration of an embedded Tomcat connector serving a
 * {@link SelfSignedCertificate}: what the sample shop, the tests and the benchmarks all need.
 *
 * <pre>
 * SelfSignedCertificate certificate = SelfSignedCertificate.loadOrCreate(path, password);
 * connector.addSslHostConfig(TomcatTls.hostConfig(certificate, "TLSv1.2+TLSv1.3"));
 * </pre>
 *
 * <p>Stateless; each call returns a new configuration.
 */
public final class TomcatTls {
  private TomcatTls() {}

  /**
   * Returns a host configuration holding the certificate's EC key. The server's cipher suite order
   * wins over the client's ({@code honorCipherOrder}), as in Jetty: Tomcat's default lets the client
   * choose, which TLS scanners report ("Has server cipher order? no (NOT ok)").
   *
   * @param protocols Tomcat's protocol list (e.g. {@code TLSv1.2+TLSv1.3}), or {@code null} for
   *     Tomcat's default
   */
  public static SSLHostConfig hostConfig(SelfSignedCertificate certificate, String protocols) {
    SSLHostConfig host = new SSLHostConfig();
    host.setHonorCipherOrder(true);
    if (protocols != null) {
      host.setProtocols(protocols);
    }
    SSLHostConfigCertificate key = new SSLHostConfigCertificate(host,
        SSLHostConfigCertificate.Type.EC);
    key.setCertificateKeystore(certificate.keyStore());
    key.setCertificateKeystorePassword(new String(certificate.password()));
    key.setCertificateKeyAlias(SelfSignedCertificate.ALIAS);
    host.addCertificate(key);
    return host;
  }
}
