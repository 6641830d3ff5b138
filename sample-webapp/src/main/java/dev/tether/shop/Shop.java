package dev.tether.shop;

import jakarta.servlet.ServletContext;
import jakarta.servlet.ServletContextEvent;
import jakarta.servlet.ServletContextListener;
import java.time.Clock;

/**
 * The shop's application state: its {@link Catalogue} and {@link OrderBook}, created when the web
 * application starts and kept as a {@code ServletContext} attribute. Registered in {@code web.xml}.
 *
 * <pre>{@code
 * Shop shop = Shop.of(request.getServletContext());
 * shop.catalogue().products();
 * }</pre>
 *
 * <p>Thread-safe: both parts are.
 */
public final class Shop implements ServletContextListener {
  private static final String ATTRIBUTE = Shop.class.getName();

  private Catalogue catalogue;
  private OrderBook orders;

  @Override
  public void contextInitialized(ServletContextEvent event) {
    this.catalogue = Catalogue.standard();
    this.orders = new OrderBook(Clock.systemUTC());
    event.getServletContext().setAttribute(ATTRIBUTE, this);
  }

  @Override
  public void contextDestroyed(ServletContextEvent event) {
    event.getServletContext().removeAttribute(ATTRIBUTE);
  }

  /** Returns the shop of the web application. */
  public static Shop of(ServletContext context) {
    Shop shop = (Shop) context.getAttribute(ATTRIBUTE);
    if (shop == null) {
      throw new IllegalStateException("the shop is not started: " + Shop.class.getName()
          + " must be a listener in web.xml");
    }
    return shop;
  }

  /** Returns the catalogue. */
  public Catalogue catalogue() {
    return catalogue;
  }

  /** Returns the orders placed so far. */
  public OrderBook orders() {
    return orders;
  }
}
