package dev.tether.it;

import dev.tether.certificates.SelfSignedCertificate;
import dev.tether.tls.TlsProvider;

/**
 * The shop WAR deployed in a running container with Tether installed the way users install it, as the
 * scenarios see it: two HTTPS connectors on 127.0.0.1, one under the shop's policy file and one under
 * the built-in default policy with a grace period, the server certificate, and the TLS provider the
 * connectors run on.
 *
 * <p>A container fixture (Arquillian extension or embedded server) makes one per container start and
 * publishes it through {@link TetherShops}; the scenarios only read it.
 */
interface TetherShop {
  /** The shop's context path. */
  String CONTEXT = "/shop";

  /** Returns what runs, for failure messages, e.g. {@code Jetty 12.0.36, provider jdk}. */
  String description();

  /** Returns the TLS provider of both connectors. */
  TlsProvider provider();

  /**
   * Returns the connector under the shop's policy file ({@link ShopPolicies}): anonymous SAs are
   * deleted when their last connection closes (grace 0), customers get the stricter policy.
   */
  Endpoint immediate();

  /**
   * Returns the connector without a policy file (the built-in {@code default} policy for everybody),
   * whose SAs stay resumable for a short grace period after their last close.
   */
  Endpoint graceful();

  /** Returns the server certificate, for client trust. */
  SelfSignedCertificate certificate();
}
