package dev.tether.browser;

import dev.tether.shop.launcher.Container;

/** The administrator's scenarios in headless Chromium against the shop on Jetty. */
class JettyAdminIT extends AdminScenarios {
  @Override
  Container container() {
    return Container.JETTY;
  }
}
