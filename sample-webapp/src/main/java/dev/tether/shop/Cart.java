package dev.tether.shop;

import jakarta.servlet.http.HttpSession;
import java.io.Serializable;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * A visitor's cart, kept in the HTTP session: product ids and quantities, in the order first added.
 *
 * <p>Thread-safe (one visitor may send requests in parallel): every method synchronizes on the cart.
 * It holds only ids, so it serializes with the session; prices are looked up in the {@link Catalogue}
 * when shown or ordered.
 */
public final class Cart implements Serializable {
  private static final long serialVersionUID = 1L;
  private static final String ATTRIBUTE = Cart.class.getName();
  /** The most of one product a cart holds. */
  public static final int MAX_QUANTITY = 99;

  private final LinkedHashMap<String, Integer> quantities = new LinkedHashMap<>();

  /** Returns the session's cart, creating it (and the session) if needed. */
  public static Cart of(HttpSession session) {
    synchronized (session) {
      Cart cart = (Cart) session.getAttribute(ATTRIBUTE);
      if (cart == null) {
        cart = new Cart();
        session.setAttribute(ATTRIBUTE, cart);
      }
      return cart;
    }
  }

  /** Returns the session's cart if there is one, else {@code null}. */
  public static Cart find(HttpSession session) {
    return session == null ? null : (Cart) session.getAttribute(ATTRIBUTE);
  }

  /** Adds {@code quantity} of the product, up to {@link #MAX_QUANTITY}. */
  public synchronized void add(String productId, int quantity) {
    if (quantity < 1) {
      throw new IllegalArgumentException("quantity " + quantity + " must be at least 1");
    }
    quantities.merge(productId, quantity, (a, b) -> Math.min(MAX_QUANTITY, a + b));
  }

  /** Removes the product. */
  public synchronized void remove(String productId) {
    quantities.remove(productId);
  }

  /** Empties the cart. */
  public synchronized void clear() {
    quantities.clear();
  }

  /** Returns the number of items (quantities summed). */
  public synchronized int itemCount() {
    return quantities.values().stream().mapToInt(Integer::intValue).sum();
  }

  /** Returns whether the cart is empty. */
  public synchronized boolean isEmpty() {
    return quantities.isEmpty();
  }

  /** Returns the lines of the cart priced from the catalogue; unknown products are skipped. */
  public synchronized List<Order.Line> lines(Catalogue catalogue) {
    List<Order.Line> lines = new ArrayList<>();
    for (Map.Entry<String, Integer> e : quantities.entrySet()) {
      catalogue.find(e.getKey()).ifPresent(p -> lines.add(new Order.Line(p, e.getValue())));
    }
    return lines;
  }
}
