package dev.tether.shop;

import static dev.tether.shop.Page.url;

import jakarta.servlet.ServletException;
import jakarta.servlet.http.HttpServlet;
import jakarta.servlet.http.HttpServletRequest;
import jakarta.servlet.http.HttpServletResponse;
import jakarta.servlet.http.HttpSession;
import java.io.IOException;

/**
 * Logout: {@code POST /logout} (with the form token) logs the user out with
 * {@code request.logout()}, invalidates the session and redirects to the catalogue.
 * {@code GET /logout} shows a button that does so.
 */
public class LogoutServlet extends HttpServlet {

  @Override
  protected void doGet(HttpServletRequest request, HttpServletResponse response) throws IOException {
    Page.send(request, response, "Log out", "<h1>Log out</h1>\n<form method=\"post\" action=\""
        + url(request, "/logout") + "\">" + FormToken.field(request)
        + "<button type=\"submit\">Log out</button></form>\n");
  }

  @Override
  protected void doPost(HttpServletRequest request, HttpServletResponse response)
      throws IOException, ServletException {
    if (Page.refuseForgedForm(request, response)) {
      return;
    }
    request.logout();
    HttpSession session = request.getSession(false);
    if (session != null) {
      session.invalidate();
    }
    Page.redirect(request, response, "/?signedOut");
  }
}
