package dev.tether.shop;

import static dev.tether.shop.Page.esc;
import static dev.tether.shop.Page.money;
import static dev.tether.shop.Page.url;

import jakarta.servlet.http.HttpServlet;
import jakarta.servlet.http.HttpServletRequest;
import jakarta.servlet.http.HttpServletResponse;
import java.io.IOException;

/**
 * The catalogue, the shop's home page: every product with its picture and an "add to cart" form. A
 * browser fetches the pictures at once, over several connections, which resume one TLS session.
 */
public class CatalogueServlet extends HttpServlet {

  @Override
  protected void doGet(HttpServletRequest request, HttpServletResponse response) throws IOException {
    StringBuilder sb = new StringBuilder();
    if (request.getParameter("signedOut") != null) {
      sb.append("<p class=\"notice\">You are logged out. Your session and its cart are gone.</p>\n");
    }
    sb.append("<h1>Catalogue</h1>\n<p class=\"lead\">Everything a secure network needs. ")
        .append("Add what you like to your cart; you log in when you check out.</p>\n")
        .append("<ul class=\"products\">\n");
    String token = FormToken.field(request);
    for (Product p : Shop.of(getServletContext()).catalogue().products()) {
      sb.append("<li class=\"product\" id=\"product-").append(esc(p.id())).append("\">\n")
          .append("<img src=\"").append(url(request, "/static/products/" + p.id() + ".svg"))
          .append("\" alt=\"\" width=\"160\" height=\"90\">\n")
          .append("<h2>").append(esc(p.name())).append("</h2>\n")
          .append("<p>").append(esc(p.description())).append("</p>\n")
          .append("<form method=\"post\" action=\"").append(url(request, "/cart")).append("\">")
          .append(token)
          .append("<input type=\"hidden\" name=\"action\" value=\"add\">")
          .append("<input type=\"hidden\" name=\"product\" value=\"").append(esc(p.id())).append("\">")
          .append("<span class=\"price\">").append(money(p.priceCents())).append("</span>")
          .append("<label>Qty <input type=\"number\" name=\"quantity\" value=\"1\" min=\"1\" max=\"")
          .append(Cart.MAX_QUANTITY).append("\"></label>")
          .append("<button type=\"submit\">Add to cart</button></form>\n</li>\n");
    }
    sb.append("</ul>\n");
    Page.send(request, response, "Catalogue", sb.toString());
  }
}
