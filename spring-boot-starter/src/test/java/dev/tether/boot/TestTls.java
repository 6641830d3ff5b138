package dev.tether.boot;

import dev.tether.certificates.SelfSignedCertificate;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import javax.net.ssl.SSLContext;

/**
 * The tests' server certificate: a PKCS12 key store for {@code server.ssl.key-store}, its PEM for
 * openssl, and a JDK client context that trusts it. Made once per JVM.
 */
final class TestTls {
  static final String PASSWORD = "changeit";
  private static final Path DIR;
  static final Path KEY_STORE;
  static final SelfSignedCertificate CERTIFICATE;
  static final Path PEM;

  static {
    try {
      DIR = Files.createTempDirectory("tether-boot");
      DIR.toFile().deleteOnExit();
      KEY_STORE = DIR.resolve("server.p12");
      CERTIFICATE = SelfSignedCertificate.loadOrCreate(KEY_STORE, PASSWORD.toCharArray());
      PEM = CERTIFICATE.writePem(DIR.resolve("server.pem"));
      KEY_STORE.toFile().deleteOnExit();
      PEM.toFile().deleteOnExit();
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }

  private TestTls() {
  }

  /** The {@code server.ssl.*} properties of the key store, as {@code key=value} lines. */
  static String[] serverSsl() {
    return new String[] {
        "server.ssl.key-store=" + KEY_STORE,
        "server.ssl.key-store-password=" + PASSWORD,
        "server.ssl.key-store-type=PKCS12",
        "server.ssl.key-alias=" + SelfSignedCertificate.ALIAS};
  }

  /** Returns a new client context: its own session cache, trusting the test certificate. */
  static SSLContext client() {
    return CERTIFICATE.clientContext();
  }
}
