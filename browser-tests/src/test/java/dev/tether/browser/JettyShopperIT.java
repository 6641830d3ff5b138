package dev.tether.browser;

import dev.tether.shop.launcher.Container;

/** The shopper's scenarios in headless Chromium against the shop on Jetty. */
class JettyShopperIT extends ShopperScenarios {
  @Override
  Container container() {
    return Container.JETTY;
  }
}
