package dev.tether.tomcat;

import dev.tether.tls.TlsProvider;
import javax.net.ssl.KeyManagerFactory;
import org.apache.tomcat.util.net.SSLHostConfig;
import org.apache.tomcat.util.net.SSLHostConfigCertificate;
import org.apache.tomcat.util.net.SSLUtil;
import org.apache.tomcat.util.net.jsse.JSSEImplementation;

/**
 * Tomcat's JSSE implementation on Bouncy Castle's {@code BCJSSE} provider: the connector's
 * {@code SSLContext} comes from {@code BCJSSE} and, unless configured otherwise, its key managers come
 * from {@code BCJSSE}'s {@code PKIX} factory, which {@code BCJSSE} needs. Requests still see Tomcat's own
 * {@code JSSESupport}.
 *
 * <p>{@link TomcatTetherProtocol} selects it for {@code provider="bcjsse"}; it can also be named
 * directly, on any JSSE connector:
 *
 * <pre>{@code
 * <Connector ... sslImplementationName="dev.tether.tomcat.TomcatBcJsseImplementation">
 * }</pre>
 *
 * <p>Creating it registers the {@code BC} and {@code BCJSSE} providers with the JVM (once).
 * Thread-safe; Tomcat creates one per connector.
 */
public class TomcatBcJsseImplementation extends JSSEImplementation {
  /** The key manager algorithm used unless the connector names one: BCJSSE's PKIX factory. */
  public static final String KEY_MANAGER_ALGORITHM = "X509";

  /** Creates the implementation and registers the Bouncy Castle providers. */
  public TomcatBcJsseImplementation() {
    TlsProvider.BCJSSE.install("Tether connector attribute provider");
  }

  @Override
  public SSLUtil getSSLUtil(SSLHostConfigCertificate certificate) {
    SSLHostConfig host = certificate.getSSLHostConfig();
    if (KeyManagerFactory.getDefaultAlgorithm().equals(host.getKeyManagerAlgorithm())) {
      // Tomcat asks for the factory by algorithm only, and "PKIX" resolves to the JDK's, whose key
      // managers BCJSSE cannot use; "X509" is BCJSSE's own name for its PKIX factory.
      host.setKeyManagerAlgorithm(KEY_MANAGER_ALGORITHM);
    }
    return new BcJsseUtil(certificate);
  }
}
