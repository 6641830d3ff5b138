package dev.tether.tomcat;

import dev.tether.tls.TlsProvider;
import java.security.GeneralSecurityException;
import java.security.KeyManagementException;
import java.security.NoSuchAlgorithmException;
import java.security.NoSuchProviderException;
import java.security.SecureRandom;
import java.security.cert.X509Certificate;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import javax.net.ssl.KeyManager;
import javax.net.ssl.SSLEngine;
import javax.net.ssl.SSLParameters;
import javax.net.ssl.SSLServerSocketFactory;
import javax.net.ssl.SSLSessionContext;
import javax.net.ssl.TrustManager;
import javax.net.ssl.X509KeyManager;
import javax.net.ssl.X509TrustManager;
import org.apache.juli.logging.Log;
import org.apache.juli.logging.LogFactory;
import org.apache.tomcat.util.net.SSLContext;
import org.apache.tomcat.util.net.SSLHostConfigCertificate;
import org.apache.tomcat.util.net.SSLUtilBase;

/**
 * Tomcat's SSL utility for {@code BCJSSE}: the protocols and cipher suites the provider implements,
 * and a context created from it. Key and trust managers come from Tomcat's own code.
 *
 * <p>The implemented sets are computed once per JVM: Tomcat's base constructor asks for them before
 * this class's fields exist.
 */
final class BcJsseUtil extends SSLUtilBase {
  private static final Log LOG = LogFactory.getLog(BcJsseUtil.class);
  private static volatile SSLParameters supported;

  BcJsseUtil(SSLHostConfigCertificate certificate) {
    super(certificate);
  }

  @Override
  protected Log getLog() {
    return LOG;
  }

  @Override
  protected Set<String> getImplementedProtocols() {
    return Set.of(supported().getProtocols());
  }

  @Override
  protected Set<String> getImplementedCiphers() {
    return Set.of(supported().getCipherSuites());
  }

  @Override
  protected boolean isTls13RenegAuthAvailable() {
    return false;
  }

  @Override
  protected SSLContext createSSLContextInternal(List<String> negotiableProtocols)
      throws GeneralSecurityException {
    return new Context(newContext(sslHostConfig.getSslProtocol()));
  }

  private static SSLParameters supported() {
    SSLParameters p = supported;
    if (p == null) {
      try {
        javax.net.ssl.SSLContext context = newContext("TLS");
        context.init(null, null, null);
        p = context.getSupportedSSLParameters();
      } catch (GeneralSecurityException e) {
        throw new IllegalArgumentException("BCJSSE cannot create a TLS context: " + e, e);
      }
      supported = p;
    }
    return p;
  }

  private static javax.net.ssl.SSLContext newContext(String protocol)
      throws NoSuchAlgorithmException, NoSuchProviderException {
    TlsProvider.BCJSSE.install("Tether connector attribute provider");
    return javax.net.ssl.SSLContext.getInstance(protocol, TlsProvider.BCJSSE.providerName());
  }

  /** Tomcat's view of a {@code BCJSSE} context, as its own JSSE context class does it. */
  private static final class Context implements SSLContext {
    private final javax.net.ssl.SSLContext context;
    private KeyManager[] keyManagers;
    private TrustManager[] trustManagers;

    Context(javax.net.ssl.SSLContext context) {
      this.context = context;
    }

    @Override
    public void init(KeyManager[] kms, TrustManager[] tms, SecureRandom random)
        throws KeyManagementException {
      this.keyManagers = kms;
      this.trustManagers = tms;
      context.init(kms, tms, random);
    }

    @Override
    public void destroy() {
      // nothing to free: the provider's context is garbage-collected
    }

    @Override
    public SSLSessionContext getServerSessionContext() {
      return context.getServerSessionContext();
    }

    @Override
    public SSLEngine createSSLEngine() {
      return context.createSSLEngine();
    }

    @Override
    public SSLServerSocketFactory getServerSocketFactory() {
      return context.getServerSocketFactory();
    }

    @Override
    public SSLParameters getSupportedSSLParameters() {
      return context.getSupportedSSLParameters();
    }

    @Override
    public X509Certificate[] getCertificateChain(String alias) {
      if (keyManagers != null) {
        for (KeyManager km : keyManagers) {
          if (km instanceof X509KeyManager x509) {
            X509Certificate[] chain = x509.getCertificateChain(alias);
            if (chain != null) {
              return chain;
            }
          }
        }
      }
      return null;
    }

    @Override
    public X509Certificate[] getAcceptedIssuers() {
      List<X509Certificate> issuers = new ArrayList<>();
      if (trustManagers != null) {
        for (TrustManager tm : trustManagers) {
          if (tm instanceof X509TrustManager x509) {
            issuers.addAll(List.of(x509.getAcceptedIssuers()));
          }
        }
      }
      return issuers.toArray(X509Certificate[]::new);
    }
  }
}
