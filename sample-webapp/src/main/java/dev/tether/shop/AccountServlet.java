package dev.tether.shop;

import static dev.tether.shop.Page.esc;
import static dev.tether.shop.Page.url;

import jakarta.servlet.http.HttpServlet;
import jakarta.servlet.http.HttpServletRequest;
import jakarta.servlet.http.HttpServletResponse;
import java.io.IOException;

/**
 * The visitor's account ({@code customer} or {@code admin} role). The header's "Log in" link points
 * here, so that the container starts the FORM login with a page to return to.
 */
public class AccountServlet extends HttpServlet {

  @Override
  protected void doGet(HttpServletRequest request, HttpServletResponse response) throws IOException {
    boolean customer = request.isUserInRole("customer");
    boolean admin = request.isUserInRole("admin");
    StringBuilder sb = new StringBuilder("<h1>Hello, ").append(esc(request.getRemoteUser()))
        .append("</h1>\n<p class=\"lead\" id=\"roles\">You are logged in as ")
        .append(customer && admin ? "a customer and an administrator" : admin ? "an administrator"
            : customer ? "a customer" : "a user without a shop role")
        .append(".</p>\n<ul class=\"links\">\n");
    if (customer) {
      sb.append("<li><a href=\"").append(url(request, "/orders")).append("\">Your orders</a></li>\n")
          .append("<li><a href=\"").append(url(request, "/cart")).append("\">Your cart</a></li>\n");
    }
    if (admin) {
      sb.append("<li><a href=\"").append(url(request, "/admin/associations"))
          .append("\">Security associations dashboard</a></li>\n")
          .append("<li><a href=\"").append(url(request, "/tether/stats"))
          .append("\">Statistics as JSON</a></li>\n");
    }
    sb.append("</ul>\n");
    Page.send(request, response, "Account", sb.toString());
  }
}
