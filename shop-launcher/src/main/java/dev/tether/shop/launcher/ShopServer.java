package dev.tether.shop.launcher;

import dev.tether.AssociationRegistry;

/** The shop running in one container: its HTTPS port and its registry, until {@link #stop()}. */
interface ShopServer {
  /** Returns the port the HTTPS connector listens on. */
  int port();

  /** Returns the registry of the HTTPS connector's SAs. */
  AssociationRegistry registry();

  /** Stops the container and closes the registry. Called once. */
  void stop() throws Exception;
}
