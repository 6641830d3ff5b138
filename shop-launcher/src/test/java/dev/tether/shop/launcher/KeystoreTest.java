package dev.tether.shop.launcher;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.file.Files;
import java.nio.file.Path;
import java.security.cert.Certificate;
import javax.net.ssl.SSLContext;
import javax.net.ssl.SSLSocket;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The certificate is made at the first start, kept in the key store file and served again later. */
class KeystoreTest {
  @TempDir
  Path dir;

  @Test
  void firstStart_createsTheKeystore_secondStart_servesTheSameCertificate() throws Exception {
    Path keystore = dir.resolve("shop.p12");
    byte[] file;
    Certificate first;
    SSLContext trustsFirst;
    try (RunningShop shop = ShopLauncher.start(LauncherOptions.parse("--port", "0",
        "--keystore", keystore.toString()))) {
      assertThat(shop.keystoreCreated()).isTrue();
      assertThat(keystore).isRegularFile();
      file = Files.readAllBytes(keystore);
      trustsFirst = shop.certificate().clientContext();
      first = servedCertificate(trustsFirst, shop.port());
      assertThat(first).isEqualTo(shop.certificate().certificate());
    }

    // On the other container too: the file belongs to the launcher, not to a container.
    try (RunningShop again = ShopLauncher.start(LauncherOptions.parse("--container", "tomcat",
        "--port", "0", "--keystore", keystore.toString()))) {
      assertThat(again.keystoreCreated()).isFalse();
      assertThat(servedCertificate(trustsFirst, again.port())).isEqualTo(first);
      assertThat(Files.readAllBytes(keystore)).isEqualTo(file);
      assertThat(again.startupLines()).contains(keystore.toAbsolutePath() + " (reused)");
    }
  }

  /** Connects with a client context that trusts only the first certificate. */
  private static Certificate servedCertificate(SSLContext client, int port) throws Exception {
    try (SSLSocket socket = (SSLSocket) client.getSocketFactory().createSocket("localhost", port)) {
      socket.startHandshake();
      return socket.getSession().getPeerCertificates()[0];
    }
  }
}
