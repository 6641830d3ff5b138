package dev.tether.it;

import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;

/**
 * The static hook between a container fixture and the tests in the same JVM: the fixture publishes the
 * {@link TetherShop} it installed under its container's name, the test class of that container reads
 * it. Arquillian runs these tests as a client in the JVM that embeds the container, so no remote call
 * is needed to read the registries.
 */
final class TetherShops {
  private static final Map<String, TetherShop> RUNNING = new ConcurrentHashMap<>();

  private TetherShops() {}

  /** Publishes the shop of a started container. */
  static void publish(String container, TetherShop shop) {
    RUNNING.put(container, shop);
  }

  /** Returns the shop of a running container, or {@code null}. */
  static TetherShop get(String container) {
    return RUNNING.get(container);
  }

  /** Forgets the shop of a container that stopped, and returns it. */
  static TetherShop remove(String container) {
    return RUNNING.remove(container);
  }
}
