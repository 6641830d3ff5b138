package dev.tether.reliability;

import java.net.InetAddress;
import java.net.UnknownHostException;

/**
 * Loopback source addresses, so that clients of one test are different peers to the server: Linux
 * routes all of 127.0.0.0/8 to the loopback interface, and a socket bound to 127.0.0.N before it
 * connects reaches the server as peer {@code 127.0.0.N}.
 */
final class Peers {
  /** The peer of bystander clients: never flooded, never flushed by a scenario. */
  static final InetAddress BYSTANDER = of(2);

  private Peers() {}

  /** Returns 127.0.0.{@code n}, 1 to 254. */
  static InetAddress of(int n) {
    if (n < 1 || n > 254) {
      throw new IllegalArgumentException("loopback host " + n);
    }
    try {
      return InetAddress.getByAddress(new byte[] {127, 0, 0, (byte) n});
    } catch (UnknownHostException e) {
      throw new IllegalStateException(e);
    }
  }
}
