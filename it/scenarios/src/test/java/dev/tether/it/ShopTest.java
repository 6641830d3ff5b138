package dev.tether.it;

import dev.tether.tls.SelfSignedCertificate;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;

/**
 * What every scenario needs from its test class: the running shop and the TLS protocol its clients
 * offer. {@link ShopScenarios} and {@link LoginScenarios} build on it.
 */
public interface ShopTest {
  /** Returns the shop, starting its container and deploying the WAR on first use. */
  TetherShop shop() throws Exception;

  /** Returns the one TLS protocol the clients offer: {@code TLSv1.2} or {@code TLSv1.3}. */
  String protocol();

  /** Returns the operator's JSON client for the shop. */
  default AdminClient admin(TetherShop shop) {
    return new AdminClient(shop.certificate().clientContext());
  }

  /** Returns the shop's certificate as a PEM file, for {@code openssl s_client -CAfile}. */
  static Path pem(TetherShop shop) throws IOException {
    SelfSignedCertificate certificate = shop.certificate();
    Path pem = Pems.FILES.get(certificate);
    if (pem == null) {
      pem = certificate.writePem(Files.createTempFile("tether-it", ".pem"));
      pem.toFile().deleteOnExit();
      Pems.FILES.put(certificate, pem);
    }
    return pem;
  }

  /** The PEM files written, per certificate. */
  final class Pems {
    private static final Map<SelfSignedCertificate, Path> FILES = new ConcurrentHashMap<>();

    private Pems() {}
  }
}
