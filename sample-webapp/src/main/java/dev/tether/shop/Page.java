package dev.tether.shop;

import dev.tether.AssociationCluster;
import dev.tether.AssociationRegistry;
import dev.tether.servlet.TetherAttributes;
import jakarta.servlet.http.HttpServletRequest;
import jakarta.servlet.http.HttpServletResponse;
import java.io.IOException;
import java.security.Principal;

/**
 * The shop's page layout and HTML helpers: header with navigation and the visitor's login state,
 * the page's content, and a footer that shows the connection's security association (and, on a
 * node of a cluster, the node that served the page).
 *
 * <pre>{@code
 * Page.send(request, response, "Cart", "<h1>Your cart</h1>" + Page.esc(note));
 * }</pre>
 *
 * <p>Everything that did not come from the shop's own code must pass through {@link #esc}.
 * Stateless and thread-safe.
 */
public final class Page {
  private Page() {
  }

  /** Escapes text for HTML content and double-quoted attribute values. */
  public static String esc(String s) {
    if (s == null) {
      return "";
    }
    StringBuilder sb = new StringBuilder(s.length() + 16);
    for (int i = 0; i < s.length(); i++) {
      char c = s.charAt(i);
      switch (c) {
        case '<' -> sb.append("&lt;");
        case '>' -> sb.append("&gt;");
        case '&' -> sb.append("&amp;");
        case '"' -> sb.append("&quot;");
        case '\'' -> sb.append("&#39;");
        default -> sb.append(c);
      }
    }
    return sb.toString();
  }

  /** Formats cents as euros, e.g. {@code €12.50}. */
  public static String money(long cents) {
    return String.format("€%d.%02d", cents / 100, cents % 100);
  }

  /** Returns the context-relative {@code path} as an absolute path, escaped for an attribute. */
  public static String url(HttpServletRequest request, String path) {
    return esc(request.getContextPath() + path);
  }

  /** Writes a complete page with status 200. */
  public static void send(HttpServletRequest request, HttpServletResponse response, String title,
      String content) throws IOException {
    send(request, response, HttpServletResponse.SC_OK, title, content);
  }

  /** Writes a complete page. */
  public static void send(HttpServletRequest request, HttpServletResponse response, int status,
      String title, String content) throws IOException {
    response.setStatus(status);
    response.setContentType("text/html");
    response.setCharacterEncoding("UTF-8");
    response.setHeader("Cache-Control", "no-store");
    response.getWriter().write(render(request, title, content));
  }

  /** Returns a complete page. */
  public static String render(HttpServletRequest request, String title, String content) {
    StringBuilder sb = new StringBuilder(4096);
    sb.append("<!DOCTYPE html>\n<html lang=\"en\">\n<head>\n<meta charset=\"utf-8\">\n")
        .append("<meta name=\"viewport\" content=\"width=device-width, initial-scale=1\">\n")
        .append("<title>").append(esc(title)).append(" · Tether shop</title>\n")
        .append("<link rel=\"icon\" href=\"").append(url(request, "/static/favicon.svg"))
        .append("\" type=\"image/svg+xml\">\n")
        .append("<link rel=\"stylesheet\" href=\"").append(url(request, "/static/shop.css"))
        .append("\">\n</head>\n<body>\n");
    header(request, sb);
    sb.append("<main>\n").append(content).append("\n</main>\n");
    footer(request, sb);
    sb.append("</body>\n</html>\n");
    return sb.toString();
  }

  /** Answers a form post with 303 See Other to the context-relative {@code path}. */
  public static void redirect(HttpServletRequest request, HttpServletResponse response, String path) {
    response.setStatus(HttpServletResponse.SC_SEE_OTHER);
    response.setHeader("Location", request.getContextPath() + path);
  }

  /** Writes a short page with an error status and a message. */
  public static void problem(HttpServletRequest request, HttpServletResponse response, int status,
      String title, String message) throws IOException {
    send(request, response, status, title, "<h1>" + esc(title) + "</h1>\n<p class=\"notice error\">"
        + esc(message) + "</p>\n<p><a href=\"" + url(request, "/") + "\">Back to the catalogue</a></p>");
  }

  /** Answers 403 when a form post lacks its session's {@link FormToken}; returns whether it did. */
  public static boolean refuseForgedForm(HttpServletRequest request, HttpServletResponse response)
      throws IOException {
    if (FormToken.isValid(request)) {
      return false;
    }
    problem(request, response, HttpServletResponse.SC_FORBIDDEN, "Form expired",
        "This form was not sent from your current session. Please reload the page and try again.");
    return true;
  }

  private static void header(HttpServletRequest request, StringBuilder sb) {
    Principal user = request.getUserPrincipal();
    Cart cart = Cart.find(request.getSession(false));
    int items = cart == null ? 0 : cart.itemCount();
    sb.append("<header class=\"top\">\n<a class=\"brand\" href=\"").append(url(request, "/"))
        .append("\"><span class=\"logo\">T</span>Tether shop</a>\n<nav>\n")
        .append("<a href=\"").append(url(request, "/")).append("\">Catalogue</a>\n")
        .append("<a href=\"").append(url(request, "/cart")).append("\">Cart")
        .append(items > 0 ? " <span class=\"badge\">" + items + "</span>" : "").append("</a>\n");
    if (user != null && request.isUserInRole("customer")) {
      sb.append("<a href=\"").append(url(request, "/orders")).append("\">Orders</a>\n");
    }
    if (user != null && request.isUserInRole("admin")) {
      sb.append("<a href=\"").append(url(request, "/admin/associations"))
          .append("\">Security associations</a>\n");
    }
    sb.append("</nav>\n<div class=\"who\">\n");
    if (user == null) {
      sb.append("<a class=\"button\" href=\"").append(url(request, "/account")).append("\">Log in</a>\n");
    } else {
      sb.append("<a href=\"").append(url(request, "/account")).append("\" class=\"user\">")
          .append(esc(user.getName())).append("</a>\n")
          .append("<form method=\"post\" action=\"").append(url(request, "/logout"))
          .append("\" class=\"inline\">").append(FormToken.field(request))
          .append("<button type=\"submit\" class=\"link\">Log out</button></form>\n");
    }
    sb.append("</div>\n</header>\n");
  }

  private static void footer(HttpServletRequest request, StringBuilder sb) {
    ConnectionInfo c = ConnectionInfo.of(request);
    sb.append("<footer class=\"conn\">\n<span class=\"label\">This connection</span>\n")
        .append("<span class=\"transport\">").append(esc(c.transport())).append("</span>\n")
        .append("<span class=\"sa").append(c.resumed() == null ? "" : c.resumed() ? " resumed" : " new")
        .append("\" id=\"sa\">").append(esc(c.association())).append("</span>\n");
    String node = node(request);
    if (node != null) {
      sb.append("<span class=\"node\" id=\"node\">node ").append(esc(node)).append("</span>\n");
    }
    sb.append("</footer>\n");
  }

  /** The name of the node that served the page, when the shop runs as a node of a cluster. */
  private static String node(HttpServletRequest request) {
    try {
      AssociationRegistry registry = TetherAttributes.registry(request);
      return registry == null || registry.cluster() == AssociationCluster.none() ? null
          : registry.cluster().view().node();
    } catch (IllegalStateException e) {
      return null;
    }
  }
}
