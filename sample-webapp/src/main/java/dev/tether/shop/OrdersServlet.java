package dev.tether.shop;

import static dev.tether.shop.Page.esc;
import static dev.tether.shop.Page.money;
import static dev.tether.shop.Page.url;

import jakarta.servlet.http.HttpServlet;
import jakarta.servlet.http.HttpServletRequest;
import jakarta.servlet.http.HttpServletResponse;
import java.io.IOException;
import java.time.ZoneOffset;
import java.time.format.DateTimeFormatter;
import java.util.List;

/**
 * A customer's orders ({@code customer} role): {@code GET /orders} lists them, {@code GET /orders/ID}
 * shows one, the confirmation page after checkout. Another customer's order is not found (404).
 */
public class OrdersServlet extends HttpServlet {
  private static final DateTimeFormatter TIME =
      DateTimeFormatter.ofPattern("yyyy-MM-dd HH:mm:ss 'UTC'").withZone(ZoneOffset.UTC);

  @Override
  protected void doGet(HttpServletRequest request, HttpServletResponse response) throws IOException {
    OrderBook book = Shop.of(getServletContext()).orders();
    String user = request.getRemoteUser();
    String path = request.getPathInfo();
    if (path == null || path.equals("/")) {
      list(request, response, book.ordersOf(user));
      return;
    }
    long id;
    try {
      id = Long.parseLong(path.substring(1));
    } catch (NumberFormatException e) {
      id = -1;
    }
    Order order = book.find(id, user).orElse(null);
    if (order == null) {
      Page.problem(request, response, HttpServletResponse.SC_NOT_FOUND, "No such order",
          "You have no order " + path.substring(1) + ".");
      return;
    }
    StringBuilder sb = new StringBuilder();
    sb.append("<h1>Thank you for your order</h1>\n<p class=\"notice ok\" id=\"confirmation\">Order <strong>#")
        .append(order.id()).append("</strong> was placed on ").append(TIME.format(order.placed()))
        .append(".</p>\n<ul class=\"summary\">\n");
    for (Order.Line line : order.lines()) {
      sb.append("<li><span>").append(line.quantity()).append(" × ").append(esc(line.product().name()))
          .append("</span><span>").append(money(line.totalCents())).append("</span></li>\n");
    }
    sb.append("<li class=\"total\"><span>Total</span><span>").append(money(order.totalCents()))
        .append("</span></li>\n</ul>\n<p class=\"small\">")
        .append(order.associationId() == null ? "Placed over a connection without a Tether SA."
            : "Placed over security association " + esc(order.associationId()) + ".")
        .append("</p>\n<p><a href=\"").append(url(request, "/orders")).append("\">All your orders</a> · <a href=\"")
        .append(url(request, "/")).append("\">Continue shopping</a></p>\n");
    Page.send(request, response, "Order #" + order.id(), sb.toString());
  }

  private void list(HttpServletRequest request, HttpServletResponse response, List<Order> orders)
      throws IOException {
    StringBuilder sb = new StringBuilder("<h1>Your orders</h1>\n");
    if (orders.isEmpty()) {
      sb.append("<p class=\"empty\">No orders yet.</p>\n");
    } else {
      sb.append("<table class=\"lines\">\n<thead><tr><th>Order</th><th>Placed</th><th class=\"num\">Items</th>")
          .append("<th class=\"num\">Total</th></tr></thead>\n<tbody>\n");
      for (Order o : orders) {
        sb.append("<tr><td><a href=\"").append(url(request, "/orders/" + o.id())).append("\">#")
            .append(o.id()).append("</a></td><td>").append(TIME.format(o.placed()))
            .append("</td><td class=\"num\">")
            .append(o.lines().stream().mapToInt(Order.Line::quantity).sum())
            .append("</td><td class=\"num\">").append(money(o.totalCents())).append("</td></tr>\n");
      }
      sb.append("</tbody>\n</table>\n");
    }
    Page.send(request, response, "Orders", sb.toString());
  }
}
