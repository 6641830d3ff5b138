package dev.tether.it;

import dev.tether.tls.SelfSignedCertificate;
import dev.tether.tls.TlsProvider;

/**
 * The shop WAR deployed in a running container with Tether installed the way users install it, as the
 * scenarios see it: two HTTPS connectors on 127.0.0.1 that differ only in their grace period, the
 * server certificate, and the TLS provider the connectors run on.
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

  /** Returns the connector whose SAs are deleted when their last connection closes (grace 0). */
  Endpoint immediate();

  /** Returns the connector whose SAs stay resumable for a short grace period after their last close. */
  Endpoint graceful();

  /** Returns the server certificate, for client trust. */
  SelfSignedCertificate certificate();
}
