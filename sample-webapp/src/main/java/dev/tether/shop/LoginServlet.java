package dev.tether.shop;

import static dev.tether.shop.Page.url;

import jakarta.servlet.DispatcherType;
import jakarta.servlet.http.HttpServlet;
import jakarta.servlet.http.HttpServletRequest;
import jakarta.servlet.http.HttpServletResponse;
import jakarta.servlet.http.HttpSession;
import java.io.IOException;

/**
 * The FORM login page ({@code /login}) and error page ({@code /login-error}) named in
 * {@code web.xml}. The form posts to the container's {@code j_security_check}.
 *
 * <p>The container shows this page when it starts a login: Tomcat forwards to it, Jetty redirects
 * to it after noting the page to return to in the session. A visitor who opens it by its address
 * (a bookmark, the address bar) has no login under way, and Tomcat would refuse the form's post
 * (408, or a second login after its landing page); such a visit is sent to {@code /account}, a
 * protected page, so that the container starts the login.
 */
public class LoginServlet extends HttpServlet {
  /** Where Jetty's FORM authenticator keeps the page a login returns to. */
  static final String JETTY_SAVED_URI = "org.eclipse.jetty.security.form_URI";

  @Override
  protected void doGet(HttpServletRequest request, HttpServletResponse response) throws IOException {
    if (request.getUserPrincipal() != null) {
      Page.redirect(request, response, "/account");
      return;
    }
    if (!loginUnderWay(request)) {
      Page.redirect(request, response, "/account");
      return;
    }
    boolean failed = request.getServletPath().equals("/login-error");
    StringBuilder sb = new StringBuilder("<div class=\"login\">\n<h1>Log in</h1>\n");
    if (failed) {
      sb.append("<p class=\"notice error\" id=\"login-error\">Wrong user name or password. Please try again.</p>\n");
    }
    sb.append("<form method=\"post\" action=\"").append(url(request, "/j_security_check")).append("\">\n")
        .append("<label>User name <input type=\"text\" name=\"j_username\" autocomplete=\"username\" ")
        .append("required autofocus></label>\n")
        .append("<label>Password <input type=\"password\" name=\"j_password\" ")
        .append("autocomplete=\"current-password\" required></label>\n")
        .append("<button type=\"submit\">Log in</button>\n</form>\n")
        .append("<p class=\"small\">Logging in is an event for Tether: depending on the server's policy, ")
        .append("the security associations of your connection or of your address are flushed, so the ")
        .append("next connection negotiates afresh.</p>\n</div>\n");
    Page.send(request, response, failed ? "Login failed" : "Log in", sb.toString());
  }

  private static boolean loginUnderWay(HttpServletRequest request) {
    if (request.getDispatcherType() != DispatcherType.REQUEST) {
      return true; // forwarded by the container's authenticator (Tomcat)
    }
    HttpSession session = request.getSession(false);
    return session != null && session.getAttribute(JETTY_SAVED_URI) != null;
  }

  @Override
  protected void doPost(HttpServletRequest request, HttpServletResponse response) throws IOException {
    // Tomcat forwards a POST that needed a login to the login page with its own method.
    doGet(request, response);
  }
}
