package dev.tether.browser;

import dev.tether.shop.launcher.Container;

/** The shopper's scenarios in headless Chromium against the shop on Tomcat. */
class TomcatShopperIT extends ShopperScenarios {
  @Override
  Container container() {
    return Container.TOMCAT;
  }
}
