package dev.tether.shop;

import java.time.Clock;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ConcurrentSkipListMap;
import java.util.concurrent.atomic.AtomicLong;

/**
 * Every order placed since start-up, in memory. Thread-safe; order numbers start at 1001.
 */
public final class OrderBook {
  private final AtomicLong numbers = new AtomicLong(1000);
  private final Map<Long, Order> orders = new ConcurrentSkipListMap<>();
  private final Map<String, List<Long>> byCustomer = new ConcurrentHashMap<>();
  private final Clock clock;

  /** Creates an empty book that stamps orders with {@code clock}. */
  public OrderBook(Clock clock) {
    this.clock = clock;
  }

  /** Records an order of {@code lines} by {@code customer}; {@code lines} must not be empty. */
  public Order place(String customer, List<Order.Line> lines, String associationId) {
    if (lines.isEmpty()) {
      throw new IllegalArgumentException("an order needs at least one line");
    }
    Order order = new Order(numbers.incrementAndGet(), customer, lines, clock.instant(),
        associationId);
    orders.put(order.id(), order);
    byCustomer.merge(customer, List.of(order.id()), (ids, one) -> {
      List<Long> grown = new ArrayList<>(ids);
      grown.addAll(one);
      return List.copyOf(grown);
    });
    return order;
  }

  /** Returns the order with this number if {@code customer} placed it. */
  public Optional<Order> find(long id, String customer) {
    Order o = orders.get(id);
    return o != null && o.customer().equals(customer) ? Optional.of(o) : Optional.empty();
  }

  /** Returns the customer's orders, newest first. */
  public List<Order> ordersOf(String customer) {
    List<Order> list = new ArrayList<>();
    for (Long id : byCustomer.getOrDefault(customer, List.of())) {
      list.add(0, orders.get(id));
    }
    return list;
  }

  /** Returns how many orders were placed. */
  public int size() {
    return orders.size();
  }
}
