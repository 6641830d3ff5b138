/**
 * The sample shop's launcher: runs the shop WAR with Tether on embedded Jetty or Tomcat over HTTPS
 * with one command ({@code java -jar tether-shop.jar}). {@link dev.tether.shop.launcher.ShopLauncher}
 * is the entry point, {@link dev.tether.shop.launcher.LauncherOptions} its settings and
 * {@link dev.tether.shop.launcher.RunningShop} the running server.
 */
package dev.tether.shop.launcher;
