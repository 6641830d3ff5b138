package dev.tether.shop;

import static dev.tether.shop.Page.esc;
import static dev.tether.shop.Page.money;
import static dev.tether.shop.Page.url;

import jakarta.servlet.http.HttpServlet;
import jakarta.servlet.http.HttpServletRequest;
import jakarta.servlet.http.HttpServletResponse;
import java.io.IOException;
import java.util.List;

/**
 * The cart: {@code GET /cart} shows it; {@code POST /cart} with {@code action=add} (and
 * {@code product}, {@code quantity}), {@code action=remove} (and {@code product}) or
 * {@code action=clear} changes it and redirects back.
 */
public class CartServlet extends HttpServlet {

  @Override
  protected void doGet(HttpServletRequest request, HttpServletResponse response) throws IOException {
    Catalogue catalogue = Shop.of(getServletContext()).catalogue();
    Cart cart = Cart.find(request.getSession(false));
    List<Order.Line> lines = cart == null ? List.of() : cart.lines(catalogue);
    StringBuilder sb = new StringBuilder("<h1>Your cart</h1>\n");
    String added = request.getParameter("added");
    catalogue.find(added).ifPresent(p -> sb.append("<p class=\"notice\">Added ")
        .append(esc(p.name())).append(" to your cart.</p>\n"));
    if (lines.isEmpty()) {
      sb.append("<p class=\"empty\">Your cart is empty. <a href=\"").append(url(request, "/"))
          .append("\">Browse the catalogue</a>.</p>\n");
      Page.send(request, response, "Cart", sb.toString());
      return;
    }
    String token = FormToken.field(request);
    sb.append("<table class=\"lines\">\n<thead><tr><th>Product</th><th class=\"num\">Qty</th>")
        .append("<th class=\"num\">Price</th><th class=\"num\">Total</th><th></th></tr></thead>\n<tbody>\n");
    long total = 0;
    for (Order.Line line : lines) {
      total += line.totalCents();
      sb.append("<tr><td>").append(esc(line.product().name())).append("</td><td class=\"num\">")
          .append(line.quantity()).append("</td><td class=\"num\">")
          .append(money(line.product().priceCents())).append("</td><td class=\"num\">")
          .append(money(line.totalCents())).append("</td><td><form method=\"post\" action=\"")
          .append(url(request, "/cart")).append("\" class=\"inline\">").append(token)
          .append("<input type=\"hidden\" name=\"action\" value=\"remove\">")
          .append("<input type=\"hidden\" name=\"product\" value=\"").append(esc(line.product().id()))
          .append("\"><button type=\"submit\" class=\"link\">Remove</button></form></td></tr>\n");
    }
    sb.append("</tbody>\n<tfoot><tr><th colspan=\"3\">Total</th><th class=\"num\" id=\"total\">")
        .append(money(total)).append("</th><th></th></tr></tfoot>\n</table>\n")
        .append("<div class=\"actions\"><form method=\"post\" action=\"").append(url(request, "/cart"))
        .append("\" class=\"inline\">").append(token)
        .append("<input type=\"hidden\" name=\"action\" value=\"clear\">")
        .append("<button type=\"submit\" class=\"secondary\">Empty cart</button></form>")
        .append("<a class=\"button\" href=\"").append(url(request, "/checkout"))
        .append("\">Check out</a></div>\n");
    Page.send(request, response, "Cart", sb.toString());
  }

  @Override
  protected void doPost(HttpServletRequest request, HttpServletResponse response) throws IOException {
    if (Page.refuseForgedForm(request, response)) {
      return;
    }
    Catalogue catalogue = Shop.of(getServletContext()).catalogue();
    Cart cart = Cart.of(request.getSession(true));
    String action = String.valueOf(request.getParameter("action"));
    String productId = request.getParameter("product");
    switch (action) {
      case "add" -> {
        Product product = catalogue.find(productId).orElse(null);
        int quantity = quantity(request.getParameter("quantity"));
        if (product == null || quantity < 1) {
          Page.problem(request, response, HttpServletResponse.SC_BAD_REQUEST, "Not added",
              "Choose a product from the catalogue and a quantity from 1 to " + Cart.MAX_QUANTITY + ".");
          return;
        }
        cart.add(product.id(), quantity);
        Page.redirect(request, response, "/cart?added=" + product.id());
      }
      case "remove" -> {
        cart.remove(productId);
        Page.redirect(request, response, "/cart");
      }
      case "clear" -> {
        cart.clear();
        Page.redirect(request, response, "/cart");
      }
      default -> Page.problem(request, response, HttpServletResponse.SC_BAD_REQUEST, "Unknown action",
          "The cart does not know the action '" + action + "'.");
    }
  }

  private static int quantity(String s) {
    try {
      int q = Integer.parseInt(s == null ? "1" : s.trim());
      return q >= 1 && q <= Cart.MAX_QUANTITY ? q : -1;
    } catch (NumberFormatException e) {
      return -1;
    }
  }
}
