package dev.tether.browser;

import dev.tether.shop.launcher.Container;

/** The administrator's scenarios in headless Chromium against the shop on Tomcat. */
class TomcatAdminIT extends AdminScenarios {
  @Override
  Container container() {
    return Container.TOMCAT;
  }
}
