package dev.tether.shop.launcher;

import java.util.List;

/**
 * A user of the shop's realm ({@code tether-shop}, as in its web.xml).
 *
 * @param name the login name
 * @param password the password
 * @param role {@code customer} or {@code admin}
 */
record ShopUser(String name, String password, String role) {
  /** The realm name of the shop's FORM login. */
  static final String REALM = "tether-shop";

  /** Returns the two customers and the administrator with the given password. */
  static List<ShopUser> all(String adminPassword) {
    return List.of(
        new ShopUser("alice", "wonderland", "customer"),
        new ShopUser("bob", "builder", "customer"),
        new ShopUser("admin", adminPassword, "admin"));
  }
}
