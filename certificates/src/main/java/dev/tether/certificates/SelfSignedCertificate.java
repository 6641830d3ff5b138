package dev.tether.certificates;

import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.math.BigInteger;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.security.GeneralSecurityException;
import java.security.KeyPair;
import java.security.KeyPairGenerator;
import java.security.KeyStore;
import java.security.SecureRandom;
import java.security.cert.X509Certificate;
import java.security.spec.ECGenParameterSpec;
import java.time.Duration;
import java.time.Instant;
import java.util.Date;
import javax.net.ssl.SSLContext;
import javax.net.ssl.TrustManagerFactory;
import org.bouncycastle.asn1.x500.X500Name;
import org.bouncycastle.asn1.x509.BasicConstraints;
import org.bouncycastle.asn1.x509.Extension;
import org.bouncycastle.asn1.x509.GeneralName;
import org.bouncycastle.asn1.x509.GeneralNames;
import org.bouncycastle.cert.X509v3CertificateBuilder;
import org.bouncycastle.cert.jcajce.JcaX509CertificateConverter;
import org.bouncycastle.cert.jcajce.JcaX509v3CertificateBuilder;
import org.bouncycastle.operator.ContentSigner;
import org.bouncycastle.operator.jcajce.JcaContentSignerBuilder;

/**
 * A self-signed server certificate made with Bouncy Castle, held in a PKCS#12 key store: for the
 * shop's first start and for tests. Valid for {@code localhost}, {@code 127.0.0.1} and {@code ::1}.
 *
 * <pre>{@code
 * SelfSignedCertificate cert = SelfSignedCertificate.loadOrCreate(Path.of("tether-shop.p12"), pw);
 * sslContextFactory.setKeyStore(cert.keyStore());
 * SSLContext client = cert.clientContext(); // trusts only this certificate
 * }</pre>
 */
public final class SelfSignedCertificate {
  /** The alias of the key entry. */
  public static final String ALIAS = "tether";

  private final KeyStore keyStore;
  private final char[] password;

  private SelfSignedCertificate(KeyStore keyStore, char[] password) {
    this.keyStore = keyStore;
    this.password = password.clone();
  }

  /** Creates a new EC P-256 certificate for {@code localhost}, valid for a year. */
  public static SelfSignedCertificate create(char[] password) {
    try {
      KeyPairGenerator gen = KeyPairGenerator.getInstance("EC");
      gen.initialize(new ECGenParameterSpec("secp256r1"), new SecureRandom());
      KeyPair pair = gen.generateKeyPair();
      X500Name subject = new X500Name("CN=localhost, O=Tether");
      Instant now = Instant.now();
      X509v3CertificateBuilder builder = new JcaX509v3CertificateBuilder(subject,
          new BigInteger(64, new SecureRandom()), Date.from(now.minus(Duration.ofHours(1))),
          Date.from(now.plus(Duration.ofDays(365))), subject, pair.getPublic());
      builder.addExtension(Extension.subjectAlternativeName, false, new GeneralNames(
          new GeneralName[] {
              new GeneralName(GeneralName.dNSName, "localhost"),
              new GeneralName(GeneralName.iPAddress, "127.0.0.1"),
              new GeneralName(GeneralName.iPAddress, "::1")}));
      builder.addExtension(Extension.basicConstraints, true, new BasicConstraints(false));
      ContentSigner signer = new JcaContentSignerBuilder("SHA256withECDSA").build(pair.getPrivate());
      X509Certificate cert = new JcaX509CertificateConverter().getCertificate(builder.build(signer));
      KeyStore ks = KeyStore.getInstance("PKCS12");
      ks.load(null, null);
      ks.setKeyEntry(ALIAS, pair.getPrivate(), password, new X509Certificate[] {cert});
      return new SelfSignedCertificate(ks, password);
    } catch (GeneralSecurityException | IOException
        | org.bouncycastle.operator.OperatorCreationException e) {
      throw new IllegalStateException("cannot create a self-signed certificate", e);
    }
  }

  /**
   * Loads the key store at {@code file}, or creates a certificate and writes it there (atomically) if
   * the file does not exist.
   *
   * @throws IOException if the file exists but cannot be read with the password
   */
  public static SelfSignedCertificate loadOrCreate(Path file, char[] password) throws IOException {
    if (Files.exists(file)) {
      try (InputStream in = Files.newInputStream(file)) {
        KeyStore ks = KeyStore.getInstance("PKCS12");
        ks.load(in, password);
        if (!ks.isKeyEntry(ALIAS)) {
          throw new IOException(file + " has no key entry '" + ALIAS + "'");
        }
        return new SelfSignedCertificate(ks, password);
      } catch (GeneralSecurityException e) {
        throw new IOException("cannot read key store " + file + ": " + e.getMessage(), e);
      }
    }
    SelfSignedCertificate created = create(password);
    Path parent = file.toAbsolutePath().getParent();
    Files.createDirectories(parent);
    Path tmp = Files.createTempFile(parent, ".tether", ".p12");
    try (OutputStream out = Files.newOutputStream(tmp)) {
      created.keyStore.store(out, password);
    } catch (GeneralSecurityException e) {
      throw new IOException("cannot write key store " + file, e);
    }
    Files.move(tmp, file, StandardCopyOption.ATOMIC_MOVE);
    return created;
  }

  /** Returns the key store holding the key and certificate under {@link #ALIAS}. */
  public KeyStore keyStore() {
    return keyStore;
  }

  /** Returns the key store's password. */
  public char[] password() {
    return password.clone();
  }

  /** Returns the certificate. */
  public X509Certificate certificate() {
    try {
      return (X509Certificate) keyStore.getCertificate(ALIAS);
    } catch (GeneralSecurityException e) {
      throw new IllegalStateException(e);
    }
  }

  /** Returns a trust store holding only the certificate. */
  public KeyStore trustStore() {
    try {
      KeyStore ts = KeyStore.getInstance("PKCS12");
      ts.load(null, null);
      ts.setCertificateEntry(ALIAS, certificate());
      return ts;
    } catch (GeneralSecurityException | IOException e) {
      throw new IllegalStateException(e);
    }
  }

  /** Returns a client {@code SSLContext} (JDK provider) that trusts only this certificate. */
  public SSLContext clientContext() {
    try {
      TrustManagerFactory tmf = TrustManagerFactory.getInstance(
          TrustManagerFactory.getDefaultAlgorithm());
      tmf.init(trustStore());
      SSLContext ctx = SSLContext.getInstance("TLS");
      ctx.init(null, tmf.getTrustManagers(), new SecureRandom());
      return ctx;
    } catch (GeneralSecurityException e) {
      throw new IllegalStateException(e);
    }
  }

  /** Writes the certificate in PEM to {@code file}, for clients such as {@code openssl s_client -CAfile}. */
  public Path writePem(Path file) throws IOException {
    try {
      String b64 = java.util.Base64.getMimeEncoder(64, "\n".getBytes(java.nio.charset.StandardCharsets.US_ASCII))
          .encodeToString(certificate().getEncoded());
      Files.writeString(file, "-----BEGIN CERTIFICATE-----\n" + b64 + "\n-----END CERTIFICATE-----\n");
      return file;
    } catch (GeneralSecurityException e) {
      throw new IOException(e);
    }
  }
}
