package dev.tether.it;

import java.util.concurrent.atomic.AtomicInteger;

/**
 * Hands out loopback addresses (127.0.x.y) to clients, so that each scenario is a peer of its own:
 * the registry keys SAs, bounds and policies by the client's address, and the scenarios read the SAs
 * of their own peer while other clients (the admin's JSON requests) come and go.
 */
final class Peers {
  /** The address of the administrator's JSON requests. */
  static final String ADMIN = "127.0.0.2";

  private static final AtomicInteger NEXT = new AtomicInteger();

  private Peers() {}

  /** Returns an address no other client of this JVM uses. */
  static String next() {
    int n = NEXT.getAndIncrement();
    return "127.0." + (1 + n / 200) + "." + (10 + n % 200);
  }
}
