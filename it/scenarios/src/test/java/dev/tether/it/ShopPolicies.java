package dev.tether.it;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;

/**
 * The policy file the shop's {@code immediate} connector runs under, in every container: anonymous
 * traffic under {@value #BROWSE}, the {@code customer} role (alice, bob) under the stricter
 * {@value #CUSTOMER}. The {@code graceful} connector has no policy file: it runs the built-in
 * {@code default} policy with the connector's own grace, so the scenarios see both.
 *
 * <p>The file is written once per JVM, to a temporary file deleted on exit; the fixtures hand its
 * absolute path to the adapters' {@code policies} setting. Thread-safe.
 */
final class ShopPolicies {
  /** The anonymous policy: SAs deleted at their last close; a login or logout flushes its connection's SA. */
  static final String BROWSE = "browse";

  /** The customers' policy. */
  static final String CUSTOMER = "customer";

  /** The only protocol a customer's SA may be negotiated with. */
  static final String CUSTOMER_PROTOCOL = "TLSv1.3";

  static final String TEXT = """
      # The shop's policies (Tether integration tests).

      # Anonymous browsing: an SA is deleted when its last connection closes.
      [policy browse]
      applies-to = anonymous
      grace = 0
      on-login = connection
      on-logout = connection

      # Customers: TLS 1.3 only; a login or a logout deletes every SA of the client's address, and
      # their requests travel only on SAs negotiated under this policy (421 elsewhere).
      [policy customer]
      applies-to = role:customer
      protocols = TLSv1.3
      grace = 0
      on-login = peer
      on-logout = peer
      require-own-association = true
      """;

  private static Path file;

  private ShopPolicies() {}

  /** Returns the absolute path of the policy file, writing it on first use. */
  static synchronized Path file() {
    if (file == null) {
      try {
        Path written = Files.createTempFile("tether-it-policies", ".conf");
        written.toFile().deleteOnExit();
        Files.writeString(written, TEXT, StandardCharsets.UTF_8);
        file = written.toAbsolutePath();
      } catch (IOException e) {
        throw new UncheckedIOException("cannot write the shop's policy file", e);
      }
    }
    return file;
  }
}
