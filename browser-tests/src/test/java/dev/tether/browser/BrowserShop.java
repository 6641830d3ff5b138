package dev.tether.browser;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import dev.tether.AssociationStats;
import dev.tether.shop.launcher.Container;
import dev.tether.shop.launcher.LaunchException;
import dev.tether.shop.launcher.LauncherOptions;
import dev.tether.shop.launcher.RunningShop;
import dev.tether.shop.launcher.ShopLauncher;
import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.time.Duration;

/**
 * The shop as {@code java -jar tether-shop.jar --container C --port 0 --policies shop-policies.conf}
 * runs it, started through the launcher's API in this JVM (so the tests can read its registry), with
 * the shop's policy file ({@code shop-policies.conf}, the README's), a {@link Journal} of the
 * registry's events and the operator's {@link Monitor}.
 *
 * <p>One per test class; each test's browser comes from an address of its own
 * ({@link #visitor(String, String)}), so tests do not flush or bind each other's SAs.
 */
final class BrowserShop implements AutoCloseable {
  static final String ADMIN_PASSWORD = LauncherOptions.DEFAULT_ADMIN_PASSWORD;

  private final RunningShop shop;
  private final Journal journal = new Journal();
  private final Monitor monitor;

  private BrowserShop(RunningShop shop) {
    this.shop = shop;
    shop.registry().addListener(journal);
    this.monitor = new Monitor(shop.port(), shop.certificate().clientContext(), ADMIN_PASSWORD);
  }

  /** Starts the shop on {@code container} with the shop's policy file; files go to {@code dir}. */
  static BrowserShop start(Container container, Path dir) {
    Chromium.requireInstalled();
    try (InputStream policies = BrowserShop.class.getResourceAsStream("/shop-policies.conf")) {
      Path file = dir.resolve("shop-policies.conf");
      Files.copy(policies, file, StandardCopyOption.REPLACE_EXISTING);
      return new BrowserShop(ShopLauncher.start(LauncherOptions.parse("--container",
          container.name().toLowerCase(java.util.Locale.ROOT), "--port", "0", "--policies",
          file.toString(), "--keystore", dir.resolve("tether-shop.p12").toString())));
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    } catch (LaunchException e) {
      throw new IllegalStateException(e.getMessage(), e);
    }
  }

  RunningShop shop() {
    return shop;
  }

  Container container() {
    return shop.container();
  }

  Journal journal() {
    return journal;
  }

  Monitor monitor() {
    return monitor;
  }

  /** Starts a browser named {@code name} (its files under target/browser/) at address {@code peer}. */
  Visitor visitor(String name, String peer) {
    return new Visitor(container().name().toLowerCase(java.util.Locale.ROOT) + "-" + name,
        shop.port(), peer);
  }

  /** Waits until every connection the peer opened has released its lease (its browser quit). */
  void awaitQuiet(String peer) {
    await().atMost(Duration.ofSeconds(20)).untilAsserted(() ->
        assertThat(journal.openLeases(peer)).as("open leases of %s", peer).isZero());
  }

  /**
   * Stops the shop and checks the books: no lease left, no SA left, every lease released once and
   * every SA deleted once.
   */
  @Override
  public void close() {
    monitor.close();
    shop.stop();
    AssociationStats s = shop.registry().stats();
    assertThat(shop.registry().isClosed()).isTrue();
    assertThat(s.leases()).as("leases after stop").isZero();
    assertThat(s.associations()).as("SAs after stop").isZero();
    assertThat(s.released()).as("released = negotiated + reused").isEqualTo(s.handshakes());
    assertThat(s.deleted()).as("deleted = negotiated").isEqualTo(s.negotiated());
  }
}
