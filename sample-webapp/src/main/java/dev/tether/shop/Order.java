package dev.tether.shop;

import java.time.Instant;
import java.util.List;

/**
 * A placed order. Immutable.
 *
 * @param id the order number
 * @param customer the user who placed it
 * @param lines what was ordered
 * @param placed when it was placed
 * @param associationId the SA of the connection the order was placed over, or {@code null} if the
 *     connection had none (plain HTTP, or no Tether adapter)
 */
public record Order(long id, String customer, List<Line> lines, Instant placed, String associationId) {

  public Order {
    lines = List.copyOf(lines);
  }

  /** Returns the total in cents. */
  public long totalCents() {
    return lines.stream().mapToLong(Line::totalCents).sum();
  }

  /**
   * One line of a cart or order.
   *
   * @param product the product, with its price at the time
   * @param quantity how many
   */
  public record Line(Product product, int quantity) {
    /** Returns the line's total in cents. */
    public long totalCents() {
      return product.priceCents() * quantity;
    }
  }
}
