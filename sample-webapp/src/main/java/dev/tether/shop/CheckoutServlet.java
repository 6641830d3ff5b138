package dev.tether.shop;

import static dev.tether.shop.Page.esc;
import static dev.tether.shop.Page.money;
import static dev.tether.shop.Page.url;

import dev.tether.servlet.TetherAttributes;
import jakarta.servlet.http.HttpServlet;
import jakarta.servlet.http.HttpServletRequest;
import jakarta.servlet.http.HttpServletResponse;
import java.io.IOException;
import java.util.List;

/**
 * Checkout, for the {@code customer} role (a security constraint in {@code web.xml}):
 * {@code GET /checkout} shows the order to confirm, {@code POST /checkout} places it, empties the cart
 * and redirects to the order's confirmation. The order records the SA it was placed over.
 */
public class CheckoutServlet extends HttpServlet {

  @Override
  protected void doGet(HttpServletRequest request, HttpServletResponse response) throws IOException {
    Shop shop = Shop.of(getServletContext());
    Cart cart = Cart.find(request.getSession(false));
    List<Order.Line> lines = cart == null ? List.of() : cart.lines(shop.catalogue());
    StringBuilder sb = new StringBuilder("<h1>Check out</h1>\n");
    if (lines.isEmpty()) {
      sb.append("<p class=\"empty\">Your cart is empty. <a href=\"").append(url(request, "/"))
          .append("\">Browse the catalogue</a>.</p>\n");
      Page.send(request, response, "Check out", sb.toString());
      return;
    }
    long total = 0;
    sb.append("<p class=\"lead\">Please check your order, ").append(esc(request.getRemoteUser()))
        .append(".</p>\n<ul class=\"summary\">\n");
    for (Order.Line line : lines) {
      total += line.totalCents();
      sb.append("<li><span>").append(line.quantity()).append(" × ").append(esc(line.product().name()))
          .append("</span><span>").append(money(line.totalCents())).append("</span></li>\n");
    }
    sb.append("<li class=\"total\"><span>Total</span><span>").append(money(total))
        .append("</span></li>\n</ul>\n<form method=\"post\" action=\"").append(url(request, "/checkout"))
        .append("\">").append(FormToken.field(request))
        .append("<button type=\"submit\">Place order</button></form>\n");
    Page.send(request, response, "Check out", sb.toString());
  }

  @Override
  protected void doPost(HttpServletRequest request, HttpServletResponse response) throws IOException {
    if (Page.refuseForgedForm(request, response)) {
      return;
    }
    Shop shop = Shop.of(getServletContext());
    Cart cart = Cart.find(request.getSession(false));
    List<Order.Line> lines = cart == null ? List.of() : cart.lines(shop.catalogue());
    if (lines.isEmpty()) {
      Page.redirect(request, response, "/cart");
      return;
    }
    Order order = shop.orders().place(request.getRemoteUser(), lines,
        TetherAttributes.associationId(request));
    cart.clear();
    Page.redirect(request, response, "/orders/" + order.id());
  }
}
